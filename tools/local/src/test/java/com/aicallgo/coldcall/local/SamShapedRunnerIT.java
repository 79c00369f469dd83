package com.aicallgo.coldcall.local;

import static com.aicallgo.coldcall.local.RunnerFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.Moto;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.aicallgo.coldcall.local.RunnerFixture.Response;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The path {@code sam local} takes, proved without Docker: {@code events/sam-env.json} through the runner with
 * {@code --like-sam} (only template-declared variables), the secret read through the AWS SDK from moto's server,
 * seeded by {@code bin/local-aws}.
 */
class SamShapedRunnerIT {
    static final int DB = 9;
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path envVars;

    /** events/sam-env.json pointed at this test's moto and Redis, as Docker would see them (host.docker.internal). */
    private Path samEnv(int secretsPort) throws IOException {
        ObjectNode env = (ObjectNode) JSON.readTree(Fixtures.events("sam-env.json").toFile());
        ObjectNode parameters = (ObjectNode) env.get("Parameters");
        for (String secret : com.aicallgo.coldcall.core.config.Config.SECRET_KEYS) {
            assertFalse(parameters.has(secret), "sam-env.json carries no secret value: " + secret);
        }
        assertTrue(parameters.get("AWS_ENDPOINT_URL_SECRETS_MANAGER").asText().startsWith("http://host.docker.internal:"));
        parameters.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://host.docker.internal:" + secretsPort);
        parameters.put("REDIS_URL", TestRedis.url(DB).replace("://127.0.0.1:", "://host.docker.internal:"));
        // the secret keys in the file as well: --like-sam must not pass them (the template does not declare them)
        parameters.put("INTERNAL_API_KEY", "a-key-sam-would-drop");
        Path file = Files.createTempFile("sam-env", ".json");
        JSON.writeValue(file.toFile(), env);
        return file;
    }

    @BeforeEach
    void redis() {
        TestRedis.flush(DB);
    }

    @AfterEach
    void clean() throws IOException {
        if (envVars != null) {
            Files.deleteIfExists(envVars);
        }
    }

    private static int motoPort() {
        return URI.create(Moto.endpoint()).getPort();
    }

    /** bin/local-aws seeds moto (started by the test harness) from events/env.json's dev values. */
    private static void seed(int port) throws Exception {
        Process process = new ProcessBuilder("bash", Fixtures.root().resolve("bin/local-aws").toString(), "seed",
                "--port", Integer.toString(port)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, process.exitValue(), output);
        assertFalse(output.contains("dev-sip-password"), "no secret value in the script's output");
    }

    record Run(int code, JsonNode response, String stderr) {
    }

    private Run invoke(String function, String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = LocalRunner.run(new String[] {"invoke", function, "-e", Fixtures.events(event).toString(), "--env-vars",
                    envVars.toString(), "--like-sam", "--template", Fixtures.root().resolve("template.yaml").toString()}, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8));
        } finally {
            System.setErr(originalErr);
        }
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertFalse(stderr.contains("dev-sip-password") || stderr.contains("a-key-sam-would-drop"), "a secret in the log: " + stderr);
        return new Run(code, JSON.readTree(out.toByteArray()), stderr);
    }

    @Test
    void credentialsComeFromTheLocalSecretsManagerThroughTheSdk() throws Exception {
        int port = motoPort();
        seed(port);
        envVars = samEnv(port);
        Run run = invoke("CredentialsFunction", "credentials/get.json");
        assertEquals(0, run.code());
        assertEquals(200, run.response().get("statusCode").asInt(), run.response() + "\n" + run.stderr());
        // the default mode: the key's rep gets its own credential from the runner's Telnyx stand-in
        JsonNode login = JSON.readTree(run.response().get("body").asText());
        assertTrue(login.get("sip_username").asText().startsWith("gencred"), login.toString());
        assertTrue(login.has("login_token") && !login.has("sip_password"), login.toString());
        assertTrue(run.stderr().contains("not passed, as sam local would not") && run.stderr().contains("INTERNAL_API_KEY"),
                run.stderr());
    }

    @Test
    void aWholeCallWorksWithSecretsFromTheLocalSecretsManager() throws Exception {
        int port = motoPort();
        seed(port);
        envVars = samEnv(port);
        LocalFunctions functions = RunnerFixture.functions(envVars, Map.of(), true);
        try (ApiServer server = RunnerFixture.server(functions)) {
            server.start();
            String base = server.base();
            request("DELETE", base + "/_local/web-backend", null, Map.of());
            assertEquals(200, request("GET", base + Endpoint.CREDENTIALS.path(), null,
                    Map.of("X-API-Key", "dev-internal-api-key")).status());
            // sam-env.json switches webhook verification off (dev stage): sam local cannot re-sign the files
            for (String event : new String[] {"call-status/call-initiated.json", "call-status/call-answered.json",
                    "call-status/call-hangup-completed.json"}) {
                var fixture = Fixtures.event(event);
                Response response = request("POST", base + Endpoint.CALL_STATUS_WEBHOOK.path(), Fixtures.body(fixture),
                        Map.of("Content-Type", "application/json"));
                assertEquals(200, response.status(), event + ": " + response.body());
            }
            JsonNode received = JSON.readTree(request("GET", base + "/_local/web-backend", null, Map.of()).body());
            JsonNode logs = received.get("received");
            assertEquals(1, logs.size(), received.toString());
            assertEquals("/api/v1/call-logs", logs.get(0).get("path").asText());
            assertEquals("completed", logs.get(0).get("body").get("call_status").asText());
        }
    }

    @Test
    void withoutTheLocalSecretsManagerTheRunnerSaysHowToStartIt() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        envVars = samEnv(closed);
        Run run = invoke("CredentialsFunction", "credentials/get.json");
        assertTrue(run.stderr().contains("no local Secrets Manager answers at 127.0.0.1:" + closed)
                && run.stderr().contains("bin/local-aws start --port " + closed), run.stderr());
        int status = run.response().get("statusCode").asInt();
        assertTrue(status >= 500, "a function without its secret answers 5xx, not " + status);
    }
}
