package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runner's in-process delayed-records queue: a call log held by the answer wait is posted when it is due, by
 * the drain invoked with an SQS-shaped event, with no drain tick running at all.
 */
class DelayedRecordsRunnerIT {
    static final int DB = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    final RunnerFixture.EnvFile envFile = new RunnerFixture.EnvFile(DB);

    @AfterEach
    void clean() throws IOException {
        DelayedRecords.receiveLocally(null);
    }

    private static JsonNode call(String method, String url, byte[] body, Map<String, String> headers)
            throws IOException {
        RunnerFixture.Response response = RunnerFixture.request(method, url, body, headers);
        assertTrue(response.status() < 300, method + " " + url + ": " + response.status());
        return response.body().isEmpty() ? null : JSON.readTree(response.body());
    }

    @Test
    void aHangupWithoutItsAnswerIsLoggedWhenTheAnswerWaitIsOverWithNoDrainTick() throws Exception {
        LocalFunctions functions = RunnerFixture.functions(envFile.path(), Map.of(), false);
        LocalRunner.delayRecords(functions);
        assertEquals(DelayedRecords.LOCAL,
                functions.environment("CallStatusWebhookFunction").get(DelayedRecords.VARIABLE));
        try (ApiServer server = RunnerFixture.server(functions)) {
            server.start();
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
