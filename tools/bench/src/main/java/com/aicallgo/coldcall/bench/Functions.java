package com.aicallgo.coldcall.bench;

import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.local.Template;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the bench starts: the hello-world floors and every function of the template, each with its jar, handler,
 * event, expected answer and environment, and the Lambda runtime the cold starts imitate.
 */
final class Functions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO_HANDLER = "com.aicallgo.coldcall.bench.hello.HelloStreamHandler";
    private static final String HELLO_POJO_HANDLER = "com.aicallgo.coldcall.bench.hello.HelloHandler::handleRequest";
    /** The module that builds each function's jar (template logical id to folder under functions/). */
    private static final Map<String, String> MODULES = Map.of(
            "CredentialsFunction", "credentials",
            "StartRecordingFunction", "start-recording",
            "CallStatusWebhookFunction", "webhook",
            "RecordingWebhookFunction", "webhook",
            "OutboxDrainFunction", "outbox-drain");
    /** On-demand cold first response at most this many times the stream floor. */
    static final Map<String, Double> COLD_TARGETS = Map.of(
            "CredentialsFunction", 5.0,
            "StartRecordingFunction", 5.0,
            "CallStatusWebhookFunction", 5.0,
            "RecordingWebhookFunction", 5.0);

    private Functions() {
    }

    /** The functions to start cold: the hello-world floor first, then every function of the template. */
    static List<ColdStart.Function> functions(Path root, Template template, Events events, Outside outside,
            String redisUrl, Bench.Options options) {
        List<ColdStart.Function> functions = new ArrayList<>();
        Path hello = root.resolve("tools/bench/target/hello-function.jar");
        functions.add(new ColdStart.Function(Bench.HELLO, hello, HELLO_HANDLER, Map.of(),
                () -> events.file("credentials/get.json"), answer(200, "ok"), List.of()));
        functions.add(new ColdStart.Function(Bench.HELLO_POJO, hello, HELLO_POJO_HANDLER, Map.of(),
                () -> events.file("credentials/get.json"), answer(200, "ok"), List.of()));
        for (Template.Function function : template.functions().values()) {
            String id = function.logicalId();
            if (!options.only().isEmpty() && !options.only().contains(id)) {
                continue;
            }
            String module = MODULES.get(id);
            if (module == null) {
                throw new BenchException(id + " is in template.yaml but the bench does not know its jar: add it to"
                        + " Functions.MODULES and give it an event");
            }
            Path jar = root.resolve("functions").resolve(module).resolve("target").resolve(module + "-function.jar");
            if (!Files.exists(jar)) {
                throw new BenchException(jar + " is missing: build with mvn -B -DskipTests package");
            }
            java.util.function.Supplier<String> event;
            Predicate<String> expected;
            switch (id) {
                case "CredentialsFunction" -> {
                    event = () -> events.file("credentials/get.json");
                    expected = answer(200, "sip_username");
                }
                case "StartRecordingFunction" -> {
                    event = () -> events.startRecording(events.freshId("cold"));
                    expected = answer(200, "recording_started");
                }
                case "CallStatusWebhookFunction" -> {
                    event = () -> events.webhook("call-status/call-answered.json", events.freshId("cold"));
                    expected = answer(200, "recording_started");
                }
                case "RecordingWebhookFunction" -> {
                    event = () -> events.webhook("recording/call-recording-saved.json", events.freshId("cold"));
                    expected = answer(200, "recording_posted");
                }
                case "OutboxDrainFunction" -> {
                    event = Events::scheduled;
                    expected = json -> json.contains("\"posted\"") && json.contains("\"dead_letters\"");
                }
                default -> throw new BenchException("no event for " + id);
            }
            functions.add(new ColdStart.Function(id, jar, function.handler(),
                    environment(template, id, outside, redisUrl), event, expected, List.of()));
            if (!options.smoke() && COLD_TARGETS.containsKey(id)) {
                // what a container image with a JDK AOT cache would give the HTTP functions
                functions.add(new ColdStart.Function(id + " (container image, AOT cache)", jar, function.handler(),
                        environment(template, id, outside, redisUrl), event, expected, List.of(), true));
            }
            for (Map.Entry<String, String> variant : options.also()) {
                if (!variant.getKey().equals(id)) {
                    continue;
                }
                String other = variant.getValue();
                if (other.equals("container")) {
                    // Fn=container: as from a container image, the jar on the class path and a JDK AOT cache
                    if (options.smoke()) {
                        functions.add(new ColdStart.Function(id + " (container image, AOT cache)", jar,
                                function.handler(), environment(template, id, outside, redisUrl), event, expected,
                                List.of(), true));
                    }
                } else if (other.startsWith("@")) {
                functions.add(new ColdStart.Function(id + " (" + other.substring(1) + ")", jar, function.handler(),
                        environment(template, id, outside, redisUrl), event, expected,
                        List.of(other.substring(1).trim().split("\\s+"))));
                } else {
                    // Fn=other.jar#pkg.Handler::handleRequest: a jar whose handler class is named otherwise
                    String[] jarAndHandler = other.split("#", 2);
                    Path otherJar = Path.of(jarAndHandler[0]).toAbsolutePath();
                    functions.add(new ColdStart.Function(id + " (" + otherJar.getFileName() + ")", otherJar,
                            jarAndHandler.length == 2 ? jarAndHandler[1] : function.handler(),
                            environment(template, id, outside, redisUrl), event, expected, List.of()));
                }
            }
        }
        return functions;
    }

    /**
     * The template's variables for a function, then the non-secret dev values of {@code events/env.json} (as the
     * local runner layers them: parameters without a default, such as the caller ID, come from there), pointed at
     * this machine's Redis and the stubs. Secrets come through the SDK from the Secrets Manager stub.
     */
    static Map<String, String> environment(Template template, String id, Outside outside, String redisUrl) {
        Map<String, String> env = new LinkedHashMap<>(template.functions().get(id).environment());
        JsonNode dev;
        try {
            dev = JSON.readTree(Bench.root().resolve("events/env.json").toFile()).path("Parameters");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read events/env.json", e);
        }
        dev.fields().forEachRemaining(entry -> {
            if (!Config.SECRET_KEYS.contains(entry.getKey())) {
                env.put(entry.getKey(), entry.getValue().asText());
            }
        });
        env.put("REDIS_URL", redisUrl);
        // thousands of new calls of one (unknown) rep: every call.initiated still goes through the call gate's rules
        // and one admission, but no limit turns the measured path into a refusal
        for (String limit : new String[] {"DIAL_MAX_CONCURRENT_PER_REP", "DIAL_MAX_PER_REP_PER_HOUR", "DIAL_MAX_PER_MINUTE"}) {
            env.put(limit, "100000");
        }
        env.putAll(outside.environment());
        // what Lambda adds, for the warm runs built in-process (the cold runs get these from ColdStart too)
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIABENCHNOTREAL0000");
        env.put("AWS_SECRET_ACCESS_KEY", "bench-secret-access-key-not-real");
        env.put("AWS_SESSION_TOKEN", "bench-session-token-not-real");
        return env;
    }

    /** An API Gateway response with this status whose body mentions {@code text}. */
    static Predicate<String> answer(int status, String text) {
        return json -> {
            try {
                JsonNode response = JSON.readTree(json);
                return response.path("statusCode").asInt() == status && response.path("body").asText().contains(text);
            } catch (IOException e) {
                return false;
            }
        };
    }

    /** The jars that stand for Lambda's /var/runtime/lib (tools/bench/pom.xml picks their versions). */
    static String runtimeLib(Path directory) throws IOException {
        try (var jars = Files.list(directory)) {
            return String.join(", ", jars.map(jar -> jar.getFileName().toString().replaceFirst("\\.jar$", ""))
                    .sorted().toList());
        }
    }

    /** The template's {@code Runtime} (Globals), which the cold starts imitate. */
    static String runtime(Path root) throws IOException {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(?m)^\\s+Runtime: (java\\d+)\\s*$")
                .matcher(Files.readString(root.resolve("template.yaml")));
        if (!matcher.find()) {
            throw new BenchException("template.yaml names no java Runtime");
        }
        return matcher.group(1);
    }
}
