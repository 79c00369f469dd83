package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aicallgo.coldcall.core.calls.CallQuality;
import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What no linter knows about {@code template.yaml}, {@code Makefile} and {@code samconfig.toml}, checked against the
 * jars this build made (this module runs after every function module), plus cfn-lint itself.
 */
class DeploymentTemplateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** docs/contracts.md "Routes": route key to function (the routes as the handlers spell them, in Endpoint). */
    private static final Map<String, String> CONTRACT_ROUTES = Map.of(
            key(Endpoint.CREDENTIALS), "CredentialsFunction",
            key(Endpoint.DIAL_POLICY), "CredentialsFunction",
            key(Endpoint.START_RECORDING), "StartRecordingFunction",
            key(Endpoint.CALL), "StartRecordingFunction",
            key(Endpoint.CALL_ENDED), "StartRecordingFunction",
            key(Endpoint.CALL_STATUS_WEBHOOK), "CallStatusWebhookFunction",
            key(Endpoint.RECORDING_WEBHOOK), "RecordingWebhookFunction");

    private static String key(Endpoint endpoint) {
        return endpoint.method() + " " + endpoint.path();
    }
    /** Read by the Lambda runtime or the AWS SDK (and Wiring's SDK client), not through Config. */
    private static final Set<String> RUNTIME_VARIABLES = Set.of("AWS_LAMBDA_DISABLE_CVE_2021_44228_PROTECTION",
            "JAVA_TOOL_OPTIONS", "AWS_ENDPOINT_URL_SECRETS_MANAGER", DelayedRecords.VARIABLE);

    private static Path root;
    private static Template template;

    @BeforeAll
    static void load() throws IOException {
        root = Fixtures.root();
        template = Template.load(root.resolve("template.yaml"));
    }

    record Result(int exit, String output) {
    }

    private static Result run(Path directory, Map<String, String> extraEnv, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(extraEnv);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " cannot run (bin/test checks it is installed): " + e.getMessage(), e);
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    @Test
    void cfnLintFindsNothingIncludingInformationalChecks() throws Exception {
        Result lint = run(root, Map.of(), "cfn-lint", "--include-checks", "I", "--", "template.yaml");
        assertEquals("", lint.output().strip(), "cfn-lint findings");
        assertEquals(0, lint.exit(), lint.output());
    }

    @Test
    void everyCfnLintSuppressionNamesItsCheckInACommentRightAboveIt() throws IOException {
        List<String> lines = Files.readAllLines(root.resolve("template.yaml"));
        Pattern ignore = Pattern.compile("ignore_checks:\\s*\\[([^]]*)]");
        for (int i = 0; i < lines.size(); i++) {
            Matcher matcher = ignore.matcher(lines.get(i));
            if (!matcher.find()) {
                continue;
            }
            String comment = lines.get(i - 1).strip();
            for (String check : matcher.group(1).split(",")) {
                assertTrue(comment.startsWith("#") && comment.contains(check.strip()),
                        "line " + (i + 1) + ": suppressing " + check.strip() + " needs a comment naming it and why");
            }
        }
    }

    /**
     * Runs each function's Makefile target as {@code sam build} does and loads the handler from the jar it leaves in
     * ARTIFACTS_DIR, with nothing else on the class path.
     */
    @Test
    void everyHandlerIsAStreamHandlerInTheJarSamBuildPackages(@TempDir Path artifacts) throws Exception {
        assertEquals(5, template.functions().size(), "functions: " + template.functions().keySet());
        for (Template.Function function : template.functions().values()) {
            Path dir = artifacts.resolve(function.logicalId());
            // the jars were built by this reactor run: a rebuild here would mean the Makefile's sources list is off
            Result make = run(artifacts, Map.of("ARTIFACTS_DIR", dir.toString(), "MAVEN",
                    "echo 'the jar is older than its sources: run mvn package' >&2; false"),
                    "make", "--makefile", root.resolve("Makefile").toString(), "build-" + function.logicalId());
            assertEquals(0, make.exit(), function.logicalId() + ": " + make.output());
            List<Path> jars;
            try (Stream<Path> files = Files.list(dir.resolve("lib"))) {
                jars = files.toList();
            }
            assertEquals(1, jars.size(), function.logicalId() + " artifact: " + jars);
            try (URLClassLoader loader = new URLClassLoader(new URL[] {jars.get(0).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader())) {
                Class<?> handler = Class.forName(function.handlerClass(), false, loader);
                // the class alone, a RequestStreamHandler and nothing else: the runtime then takes its stream path
                // and never loads its own event serializer (with ::method it would pick among overloads by reflection)
                assertFalse(function.handler().contains("::"), function.handler() + ": name the class alone");
                Class<?> streamHandler = loader.loadClass("com.amazonaws.services.lambda.runtime.RequestStreamHandler");
                Class<?> requestHandler = loader.loadClass("com.amazonaws.services.lambda.runtime.RequestHandler");
                assertTrue(streamHandler.isAssignableFrom(handler), handler + " implements RequestStreamHandler");
                assertFalse(requestHandler.isAssignableFrom(handler), handler + " is not also a RequestHandler");
                assertFalse(Modifier.isAbstract(handler.getModifiers()), handler + " is concrete");
                assertTrue(Modifier.isPublic(handler.getConstructor().getModifiers()), "Lambda needs a public no-arg constructor");
                assertTrue(loader.findResource("com/aicallgo/coldcall/local/LocalRunner.class") == null,
                        "the local runner stays out of Lambda jars");
            }
        }
    }

    @Test
    void everyContractRouteIsInTheTemplateOnceOnItsFunctionAndNoOtherRouteIs() {
        Map<String, String> routes = new LinkedHashMap<>();
        for (Template.Route route : template.routes()) {
            String previous = routes.put(route.key(), route.functionId());
            assertNull(previous, route.key() + " is in the template twice");
        }
        assertEquals(new TreeSet<>(CONTRACT_ROUTES.entrySet().stream().map(Object::toString).toList()),
                new TreeSet<>(routes.entrySet().stream().map(Object::toString).toList()),
                "template routes against docs/contracts.md, Routes");
    }

    @Test
    void everyFunctionIsGivenEveryVariableTheCodeReadsAndNoOther() {
        for (Template.Function function : template.functions().values()) {
            Set<String> declared = template.variables().get(function.logicalId());
            Set<String> missing = new TreeSet<>(Config.VARIABLES);
            missing.removeAll(declared);
            assertEquals(Set.of(), missing, function.logicalId() + " lacks variables Config reads");

            Set<String> unknown = new TreeSet<>(declared);
            unknown.removeAll(Config.VARIABLES);
            unknown.removeAll(RUNTIME_VARIABLES);
            assertEquals(Set.of(), unknown, function.logicalId() + " sets variables nothing reads (a typo?)");

            Set<String> secrets = new TreeSet<>(declared);
            secrets.retainAll(Config.SECRET_KEYS);
            assertEquals(Set.of(), secrets, function.logicalId() + ": secret values come from Secrets Manager only");
        }
    }

    /** The drain's SQS example ({@code sam local invoke OutboxDrainFunction -e ...}) is what its handler reads. */
    @Test
    void theDrainsSqsExampleNamesAnOutboxEntryAsDelayedRecordsWritesIt() throws IOException {
        JsonNode event = JSON.readTree(root.resolve("events/outbox-drain/delayed-records.json").toFile());
        assertTrue(Fixtures.sqsEvent(root.resolve("events/outbox-drain/delayed-records.json")));
        assertEquals(1, event.path("Records").size());
        JsonNode record = event.path("Records").get(0);
        assertEquals("aws:sqs", record.path("eventSource").asText());
        String body = record.path("body").asText();
        assertEquals(body, DelayedRecords.body(DelayedRecords.entry(body)));
        assertTrue(template.functions().containsKey("OutboxDrainFunction"));
    }

    /** An event names its function by its route key; the template maps the route to the function. */
    @Test
    void everyEventsFileNamesARouteOfTheTemplateAndSoAFunction() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root.resolve("events"))) {
            files = walk.filter(path -> path.toString().endsWith(".json"))
                    .filter(path -> !path.getFileName().toString().endsWith("env.json"))
                    .filter(path -> !Fixtures.sqsEvent(path)).sorted().toList();
        }
        assertTrue(files.size() >= 14, "events: " + files);
        for (Path file : files) {
            JsonNode event = JSON.readTree(file.toFile());
            String routeKey = event.path("routeKey").asText();
            Template.Route route = template.route(routeKey)
                    .orElseThrow(() -> new AssertionError(file + ": routeKey '" + routeKey + "' is no route of the template"));
            assertTrue(template.functions().containsKey(route.functionId()), file.toString());
            assertEquals(route.path(), event.path("rawPath").asText(), file + ": rawPath");
            assertEquals(route.method(), event.path("requestContext").path("http").path("method").asText(), file + ": method");
            assertEquals(routeKey, event.path("requestContext").path("routeKey").asText(), file + ": requestContext.routeKey");
        }
    }

    @Test
    void theCallQualityAlarmWatchesTheHourlyTenthPercentileOfTheMosTheWebhookPublishes() throws IOException {
        Map<String, Object> document = Template.document(root.resolve("template.yaml"));
        Map<String, Object> alarm = child(child(document, "Resources"), "CallQualityAlarm");
        assertEquals("AWS::CloudWatch::Alarm", alarm.get("Type"));
        Map<String, Object> properties = child(alarm, "Properties");
        assertEquals("ColdCallDialer", properties.get("Namespace"));
        assertEquals(CallQuality.MOS, properties.get("MetricName"), "the metric CallQuality publishes");
        assertEquals(List.of(Map.of("Name", "Stage", "Value", Map.of("Ref", "Stage"))), properties.get("Dimensions"));
        assertEquals("p10", properties.get("ExtendedStatistic"));
        assertEquals(3600, properties.get("Period"));
        assertEquals(1, properties.get("EvaluationPeriods"));
        assertEquals("LessThanThreshold", properties.get("ComparisonOperator"));
        assertEquals("notBreaching", properties.get("TreatMissingData"), "no calls is no breach");
        assertEquals(Map.of("Ref", "CallQualityMosThreshold"), properties.get("Threshold"));
        Map<String, Object> parameter = child(child(document, "Parameters"), "CallQualityMosThreshold");
        assertEquals(CallQuality.MOS_ACCEPTABLE, ((Number) parameter.get("Default")).doubleValue(),
                "the template's default is the code's G.107 threshold");
        assertEquals(properties.get("AlarmActions"), child(child(child(document, "Resources"), "DeadLettersAlarm"),
                "Properties").get("AlarmActions"), "it notifies where the other alarms do");
        assertEquals(properties.get("AlarmActions"), properties.get("OKActions"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String name) {
        Object value = parent.get(name);
        assertTrue(value instanceof Map<?, ?>, name + " is in the template");
        return (Map<String, Object>) value;
    }

    @Test
    void samconfigParsesAndOverridesOnlyParametersTheTemplateHas() throws Exception {
        // TOML through Python's own parser (3.11+; cfn-lint and the AWS CLI need Python anyway)
        Result toml = run(root, Map.of(), "python3", "-c",
                "import json, sys, tomllib; print(json.dumps(tomllib.load(open('samconfig.toml', 'rb'))))");
        assertEquals(0, toml.exit(), toml.output());
        JsonNode config = JSON.readTree(toml.output());
        Set<String> stacks = new HashSet<>();
        for (String env : List.of("default", "prod")) {
            JsonNode deploy = config.path(env).path("deploy").path("parameters");
            String stack = deploy.path("stack_name").asText();
            assertTrue(stack.matches("[A-Za-z][A-Za-z0-9-]{0,127}"), env + " stack_name: " + stack);
            assertTrue(stacks.add(stack), "two environments share stack " + stack);
            assertTrue(deploy.path("capabilities").asText().contains("CAPABILITY_IAM"), env + " capabilities");
            assertTrue(deploy.path("resolve_s3").asBoolean(), env + " resolve_s3");
            assertEquals(".aws-sam/build/template.yaml", deploy.path("template_file").asText(), env + " deploys what sam build made");
            assertEquals(env.equals("prod"), deploy.path("confirm_changeset").asBoolean(), env + " confirm_changeset");
            JsonNode build = config.path(env).path("build").path("parameters");
            assertTrue(build.path("build_in_source").asBoolean(), env + ": the Makefile builds in the repository");
            assertFalse(build.path("parallel").asBoolean(), env + ": one Makefile target at a time");

            Map<String, String> overrides = new LinkedHashMap<>();
            Matcher pair = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(deploy.path("parameter_overrides").asText());
            while (pair.find()) {
                overrides.put(pair.group(1), pair.group(2));
            }
            assertFalse(overrides.isEmpty(), env + " parameter_overrides");
            List<String> unknown = new ArrayList<>(overrides.keySet());
            unknown.removeAll(template.parameters());
            assertEquals(List.of(), unknown, env + " overrides parameters the template does not have");
            assertEquals(env.equals("prod") ? "prod" : "dev", overrides.get("Stage"), env + " Stage");
        }
    }
}
