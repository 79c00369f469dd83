package com.aicallgo.coldcall.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The settings of an env-vars file in SAM's format ({@code {"Parameters": {...}, "<FunctionLogicalId>": {...}}}),
 * with two layers over it: a variable the file names takes the shell's value when the shell exports it, and
 * {@code --redis-url} beats both for {@code REDIS_URL}. So a Redis elsewhere is one {@code export} away, and the
 * runner can say where each value came from.
 */
final class EnvVars {
    static final String REDIS_URL = "REDIS_URL";
    static final String FROM_FLAG = "--redis-url";
    static final String FROM_SHELL = "the shell";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String fileName;
    private final Map<String, String> parameters;
    private final Map<String, Map<String, String>> perFunction;
    /** A variable whose file value was replaced, to what replaced it ({@link #FROM_SHELL} or {@link #FROM_FLAG}). */
    private final Map<String, String> replacedBy = new LinkedHashMap<>();

    private EnvVars(String fileName, Map<String, String> parameters, Map<String, Map<String, String>> perFunction) {
        this.fileName = fileName;
        this.parameters = parameters;
        this.perFunction = perFunction;
    }

    /**
     * Reads {@code file} ({@code null}: no env file) and lays the shell's exported variables and {@code redisUrl}
     * ({@code null}: no {@code --redis-url}) over it.
     */
    static EnvVars load(Path file, Map<String, String> shell, String redisUrl) throws IOException {
        Map<String, String> parameters = new LinkedHashMap<>();
        Map<String, Map<String, String>> perFunction = new LinkedHashMap<>();
        if (file != null) {
            JSON.readValue(file.toFile(), Map.class).forEach((key, value) -> {
                if (!(value instanceof Map<?, ?> section)) {
                    return;
                }
                Map<String, String> vars = new LinkedHashMap<>();
                section.forEach((name, v) -> vars.put(String.valueOf(name), v == null ? "" : String.valueOf(v)));
                if ("Parameters".equals(key)) {
                    parameters.putAll(vars);
                } else {
                    perFunction.put(String.valueOf(key), vars);
                }
            });
        }
        EnvVars env = new EnvVars(file == null ? null : file.toString(), parameters, perFunction);
        env.replaceEach(shell::containsKey, shell::get, FROM_SHELL);
        if (redisUrl != null) {
            parameters.put(REDIS_URL, redisUrl);
            env.replaceEach(REDIS_URL::equals, name -> redisUrl, FROM_FLAG);
        }
        return env;
    }

    private void replaceEach(Predicate<String> which, UnaryOperator<String> value,
            String source) {
        for (Map<String, String> section : sections()) {
            section.replaceAll((name, old) -> {
                if (!which.test(name)) {
                    return old;
                }
                replacedBy.put(name, source);
                return value.apply(name);
            });
        }
    }

    private List<Map<String, String>> sections() {
        List<Map<String, String>> all = new ArrayList<>(List.of(parameters));
        all.addAll(perFunction.values());
        return all;
    }

    /** The file's {@code Parameters}: every function's. */
    Map<String, String> parameters() {
        return parameters;
    }

    /** The file's section for one function (over {@link #parameters()}). */
    Map<String, String> forFunction(String logicalId) {
        return perFunction.getOrDefault(logicalId, Map.of());
    }

    /**
     * Where a function's value of {@code name} came from: {@code --redis-url}, {@code the shell}, the env file's
     * name, or {@code null} when the file does not name it (the template's value or the function's default).
     */
    String source(String name, String logicalId) {
        if (replacedBy.containsKey(name)) {
            return replacedBy.get(name);
        }
        return parameters.containsKey(name) || forFunction(logicalId).containsKey(name) ? fileName : null;
    }

    /** A URL fit to print: its {@code user:password@} (or bare password) masked. */
    static String mask(String url) {
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^@/]*@", "$1***@");
    }
}
