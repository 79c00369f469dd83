package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where the runner's settings come from: the env file, the shell's exported variables over it, {@code --redis-url}
 * over both; and where {@code invoke} and {@code drain} look for a {@code start-api} runner ({@code --port},
 * {@code LOCAL_PORT}).
 */
class RunnerSettingsIT {
    static final int DB = 8;
    /** Nothing answers there: a Redis the functions must not be using. */
    static final String DEAD_REDIS = "redis://127.0.0.1:1/" + DB;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** events/env.json with its Redis pointed where nothing answers. */
    @RegisterExtension
    final RunnerFixture.EnvFile envFile = new RunnerFixture.EnvFile(DB, DEAD_REDIS);

    record Run(int code, JsonNode stdout, String stderr) {
    }

    /** Runs the runner with {@code shell} as the shell's exported variables; {@code extra} after the env file. */
    private Run run(Map<String, String> shell, String command, List<String> before, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(before);
        args.addAll(List.of("--env-vars", envFile.path().toString(), "--template",
                Fixtures.root().resolve("template.yaml").toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = LocalRunner.run(args.toArray(String[]::new), shell, new PrintStream(out, true, StandardCharsets.UTF_8));
        } finally {
            System.setErr(originalErr);
        }
        return new Run(code, JSON.readTree(out.toByteArray()), err.toString(StandardCharsets.UTF_8));
    }

    private Run invokeAnswered(Map<String, String> shell, String... extra) throws Exception {
        return run(shell, "invoke", List.of("CallStatusWebhookFunction", "-e",
                Fixtures.events("call-status/call-answered.json").toString()), extra);
    }

    /** The call's state went to the test's database: the functions used the Redis the test meant. */
    private static void assertCallStateIn(int database, Run run) {
        assertEquals(0, run.code());
        assertEquals(200, run.stdout().get("statusCode").asInt(), run.stdout() + "\n" + run.stderr());
        assertTrue(TestRedis.with(database, redis -> redis.dbsize()) > 0, "nothing written to database " + database);
    }

    @Test
    void theShellsRedisUrlBeatsTheEnvFiles() throws Exception {
        Run run = invokeAnswered(Map.of("REDIS_URL", TestRedis.url(DB)));
        assertCallStateIn(DB, run);
        assertTrue(run.stderr().contains("redis: " + TestRedis.url(DB) + " (from the shell)"), run.stderr());
    }

    @Test
    void theRedisUrlFlagBeatsTheShellAndTheEnvFile() throws Exception {
        Run run = invokeAnswered(Map.of("REDIS_URL", "redis://127.0.0.1:2/" + DB), "--redis-url", TestRedis.url(DB));
        assertCallStateIn(DB, run);
        assertTrue(run.stderr().contains("redis: " + TestRedis.url(DB) + " (from --redis-url)"), run.stderr());
    }

    @Test
    void withoutShellOrFlagTheEnvFileSaysAndIsNamed() throws Exception {
        Run run = invokeAnswered(Map.of("LANG", "C.UTF-8"));
        assertEquals(503, run.stdout().get("statusCode").asInt(), run.stdout() + "\n" + run.stderr());
        assertTrue(run.stderr().contains("redis: " + DEAD_REDIS + " (from " + envFile.path() + ")"), run.stderr());
        assertEquals(0L, (long) TestRedis.with(DB, redis -> redis.dbsize()));
    }

    @Test
    void theShellReplacesOnlyWhatTheEnvFileNamesAndEveryFunctionSeesIt() throws Exception {
        EnvVars env = EnvVars.load(envFile.path(), Map.of("CALL_FLOW", "parked", "NOT_IN_THE_FILE", "x"), null);
        assertEquals("parked", env.parameters().get("CALL_FLOW"));
        assertFalse(env.parameters().containsKey("NOT_IN_THE_FILE"));
        assertEquals("the shell", env.source("CALL_FLOW", "CredentialsFunction"));
        assertEquals(envFile.path().toString(), env.source("STAGE", "CredentialsFunction"));
        assertNull(env.source("NOT_IN_THE_FILE", "CredentialsFunction"));
        assertEquals("--redis-url", EnvVars.load(null, Map.of(), "redis://127.0.0.1:6390").source("REDIS_URL", "X"));
    }

    @Test
    void thePrintedRedisUrlNeverCarriesItsPassword() throws Exception {
        assertEquals("redis://***@cache.example:6380/2", EnvVars.mask("redis://default:s3cret@cache.example:6380/2"));
        assertEquals("rediss://***@cache.example:6380", EnvVars.mask("rediss://:s3cret@cache.example:6380"));
        assertEquals("redis://127.0.0.1:6379", EnvVars.mask("redis://127.0.0.1:6379"));
        LocalFunctions functions = RunnerFixture.functions(envFile.path(),
                Map.of("REDIS_URL", "redis://default:s3cret@127.0.0.1:1"), false);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertFalse(LocalRunner.checkRedis(functions, "CallStatusWebhookFunction"));
        } finally {
            System.setErr(originalErr);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("redis: redis://***@127.0.0.1:1 (from the shell)"), printed);
        assertFalse(printed.contains("s3cret"), printed);
    }

    @Test
    void invokeAndDrainReachARunnerOnAnotherPortByFlagOrLocalPort() throws Exception {
        Map<String, String> shell = Map.of("REDIS_URL", TestRedis.url(DB));
        LocalFunctions functions = RunnerFixture.functions(envFile.path(), shell, false);
        try (ApiServer server = RunnerFixture.server(functions)) {
            server.start();
            assertTrue(server.port() != CommandLine.DEFAULT_PORT);
            HttpClient client = HttpClient.newHttpClient();
            client.send(HttpRequest.newBuilder(URI.create(server.base() + StandIns.WEB_BACKEND)).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());

            Run invoked = run(shell, "invoke", List.of("CallStatusWebhookFunction", "-e",
                    Fixtures.events("call-status/call-hangup-busy.json").toString()), "--port", Integer.toString(server.port()));
            assertEquals(200, invoked.stdout().get("statusCode").asInt(), invoked.stdout() + "\n" + invoked.stderr());
            assertTrue(invoked.stderr().contains("a runner is serving at " + server.base()), invoked.stderr());
            JsonNode received = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(server.base() + StandIns.WEB_BACKEND))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body()).get("received");
            assertEquals(1, received.size(), received.toString());
            assertEquals("/api/v1/call-logs", received.get(0).get("path").asText());

            Map<String, String> withPort = Map.of("REDIS_URL", TestRedis.url(DB), "LOCAL_PORT", Integer.toString(server.port()));
            Run drained = run(withPort, "drain", List.of("--all"));
            assertEquals(0, drained.code());
            assertTrue(drained.stderr().contains("a runner is serving at " + server.base()), drained.stderr());
        }
    }

    @Test
    void thePortIsTheFlagElseLocalPort() {
        Map<String, String> shell = Map.of("LOCAL_PORT", "4002");
        assertEquals(4001, CommandLine.parse(new String[] {"invoke", "--port", "4001"}).port(shell));
        assertEquals(4002, CommandLine.parse(new String[] {"invoke"}).port(shell));
        assertNull(CommandLine.parse(new String[] {"drain"}).port(Map.of()));
        LocalRunnerException bad = assertThrows(LocalRunnerException.class,
                () -> CommandLine.parse(new String[] {"start-api"}).port(Map.of("LOCAL_PORT", "three thousand")));
        assertTrue(bad.getMessage().contains("LOCAL_PORT"), bad.getMessage());
    }
}
