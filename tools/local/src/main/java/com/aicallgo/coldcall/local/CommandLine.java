package com.aicallgo.coldcall.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runner's command line, read apart from what the commands do: the command, its positional arguments, its
 * {@code --flag value} options and its switches, and the settings that come from the shell ({@code LOCAL_PORT}).
 */
record CommandLine(String command, List<String> positional, Map<String, String> options) {
    static final String USAGE = """
            usage: local invoke <FunctionLogicalId> -e <event.json> [--port N] [--env-vars <file>] [--template <file>]
                   local start-api [--port 3000] [--host 127.0.0.1] [--drain-every 10] [--env-vars <file>] [--template <file>]
                   local drain [--all] [--port N] [--env-vars <file>] [--template <file>]
                   local report
              every setting the env file names takes the shell's value when the shell exports it;
              --redis-url <url> beats both (start-api, invoke, drain)
              --port: where start-api serves, and where invoke and drain look for it (else LOCAL_PORT; start-api's
              default 3000, invoke's and drain's the port of the env file's WEB_BACKEND_URL)
              every command also takes --metrics-file <file> (default target/local/metrics.jsonl): where the
              functions' metric lines are kept, and what report reads; --verbose shows them on the console too,
              and every run of the scheduled drain, not only those that moved something
              --like-sam: pass only the variables the template declares, as sam local does (secrets then come
              from the Secrets Manager at AWS_ENDPOINT_URL_SECRETS_MANAGER: bin/local-aws start), and read
              host.docker.internal as 127.0.0.1 (events/sam-env.json)
            """;
    /** The shell variable that names the runner's port when {@code --port} does not. */
    static final String LOCAL_PORT = "LOCAL_PORT";
    /** Where {@code start-api} serves when neither {@code --port} nor {@code LOCAL_PORT} says. */
    static final int DEFAULT_PORT = 3000;
    private static final Set<String> SWITCHES = Set.of("--all", "--like-sam", "--verbose");

    /** The command line {@code args}; {@code null} when there is no command. */
    static CommandLine parse(String[] args) {
        if (args.length == 0) {
            return null;
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (SWITCHES.contains(args[i])) {
                options.put(args[i], "true");
            } else if (args[i].startsWith("-")) {
                if (i + 1 >= args.length) {
                    throw new LocalRunnerException(args[i] + " needs a value\n" + USAGE);
                }
                options.put(args[i].equals("-e") ? "--event" : args[i], args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        return new CommandLine(args[0], List.copyOf(positional), Map.copyOf(options));
    }

    boolean has(String option) {
        return options.containsKey(option);
    }

    /** An option's value; {@code null} when it is not given. */
    String option(String name) {
        return options.get(name);
    }

    String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** A file the command needs: {@code null} when the option is absent, an error when the file is. */
    Path file(String option, String what) {
        if (!has(option)) {
            return null;
        }
        Path file = Path.of(option(option));
        if (!Files.isRegularFile(file)) {
            throw new LocalRunnerException("no " + what + " at " + file);
        }
        return file;
    }

    /** The runner's port: {@code --port}, else the shell's {@code LOCAL_PORT}; {@code null} when neither names one. */
    Integer port(Map<String, String> shell) {
        String given = has("--port") ? option("--port") : shell.get(LOCAL_PORT);
        if (given == null || given.isBlank()) {
            return null;
        }
        try {
            int port = Integer.parseInt(given.trim());
            if (port < 0 || port > 65_535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new LocalRunnerException((has("--port") ? "--port" : LOCAL_PORT) + " is '" + given + "': a port number");
        }
    }

    int drainEvery() {
        try {
            return Integer.parseInt(option("--drain-every", "10"));
        } catch (NumberFormatException e) {
            throw new LocalRunnerException("--drain-every is '" + option("--drain-every") + "': a whole number of seconds");
        }
    }
}
