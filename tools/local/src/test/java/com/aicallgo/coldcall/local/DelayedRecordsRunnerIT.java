package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner's in-process delayed-records queue: a call log held by the answer wait is posted when it is due, by
 * the drain invoked with an SQS-shaped event, with no drain tick running at all.
 */
class DelayedRecordsRunnerIT {
    static final int DB = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path envVars;

    @BeforeEach
    void environment() throws IOException {
        TestRedis.flush(DB);
        ObjectNode env = (ObjectNode) JSON.readTree(Fixtures.events("env.json").toFile());
        ((ObjectNode) env.get("Parameters")).put("REDIS_URL", TestRedis.url(DB));
        envVars = Files.createTempFile("env", ".json");
        JSON.writeValue(envVars.toFile(), env);
    }

    @AfterEach
    void clean() throws IOException {
        DelayedRecords.receiveLocally(null);
        Files.deleteIfExists(envVars);
    }

    private static JsonNode call(String method, String url, byte[] body, Map<String, String> headers)
            throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setRequestMethod(method);
        headers.forEach(connection::setRequestProperty);
        if (body != null) {
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
        }
        int status = connection.getResponseCode();
        assertTrue(status < 300, method + " " + url + ": " + status);
        try (InputStream in = connection.getInputStream()) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? null : JSON.readTree(bytes);
        }
    }

    @Test
    void aHangupWithoutItsAnswerIsLoggedWhenTheAnswerWaitIsOverWithNoDrainTick() throws Exception {
        LocalFunctions functions = new LocalFunctions(Template.load(Fixtures.root().resolve("template.yaml")),
                EnvVars.load(envVars, Map.of(), null), Fixtures.root(), false);
        LocalRunner.delayRecords(functions);
        assertEquals(DelayedRecords.LOCAL,
                functions.environment("CallStatusWebhookFunction").get(DelayedRecords.VARIABLE));
        try (ApiServer server = new ApiServer(functions, LocalRunner.site(Fixtures.root()), "127.0.0.1", 0)) {
            server.start();
            functions.useLocalBase(server.base());
            String logs = server.base() + "/_local/web-backend";
            call("DELETE", logs, null, Map.of());

            byte[] body = Fixtures.body(Fixtures.event("call-status/call-hangup-completed.json"));
            long now = Instant.now().getEpochSecond();
            JsonNode answer = call("POST", server.base() + Endpoint.CALL_STATUS_WEBHOOK.path(), body, Map.of(
                    "Content-Type", "application/json", "Telnyx-Timestamp", Long.toString(now),
                    "Telnyx-Signature-Ed25519", Fixtures.devSigner().sign(now, body)));
            assertEquals("call_log_queued", answer.path("outcome").asText(), answer.toString());
            long sent = System.nanoTime();
            assertEquals(0, call("GET", logs, null, Map.of()).get("received").size(), "the answer wait (3 s) first");

            long deadline = sent + 20_000_000_000L;
            JsonNode received = call("GET", logs, null, Map.of()).get("received");
            while (received.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                received = call("GET", logs, null, Map.of()).get("received");
            }
            long waited = (System.nanoTime() - sent) / 1_000_000;
            assertEquals(1, received.size(), "posted by the delayed message's drain: no tick runs");
            assertEquals("/api/v1/call-logs", received.get(0).path("path").asText());
            assertTrue(waited >= 2_000, "after the answer wait, not at once: " + waited + " ms");
        }
    }
}
