package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.aicallgo.coldcall.local.twin.Twin;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The twin's switches as the page and scenario tests reach them: set in the env file ({@code TWIN_*}), read and
 * changed through the runner ({@code GET}/{@code PATCH}/{@code DELETE /_local/telnyx/twin}), the signalling cut
 * ({@code POST /_local/telnyx/twin/signalling/cut}), and the stand-in's 422 for a call the twin does not know.
 */
class TwinSwitchesThroughTheRunnerIT {
    static final int DB = RepsThroughTheRunnerIT.DB;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path envVars;

    private LocalFunctions functions(Map<String, String> switches) throws IOException {
        TestRedis.flush(DB);
        Map<String, String> parameters = new LinkedHashMap<>(Map.of("REDIS_URL", TestRedis.url(DB)));
        parameters.putAll(switches);
        envVars = RunnerFixture.envFile(parameters);
        return RunnerFixture.functions(envVars, Map.of(), false);
    }

    @AfterEach
    void clean() throws IOException {
        if (envVars != null) {
            Files.deleteIfExists(envVars);
        }
    }

    private static HttpResponse<String> send(String method, String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theEnvFileSetsTheSwitchesAndTheRunnerChangesRestoresAndCuts() throws Exception {
        LocalFunctions functions = functions(Map.of("TWIN_SIGNALLING_LOSS", "ends", "TWIN_TRANSFER_REFUSED", "until_answered"));
        try (ApiServer server = RunnerFixture.server(functions)) {
            try (Twin twin = RunnerFixture.twin(functions, server)) {
                assertNotNull(twin, "events/env.json turns the twin on");
                server.start();
                String twinUrl = server.base() + "/_local/telnyx/twin";
                JsonNode started = JSON.readTree(send("GET", twinUrl, null).body()).path("switches");
                assertEquals("ends", started.path("signalling_loss").asText());
                assertEquals("until_answered", started.path("transfer_refused").asText());
                assertEquals(false, started.path("early_call_id").asBoolean(true));

                HttpResponse<String> patched = send("PATCH", twinUrl, "{\"early_call_id\": true, \"signalling_loss\": \"survives\"}");
                assertEquals(200, patched.statusCode(), patched.body());
                assertEquals("survives", JSON.readTree(patched.body()).path("signalling_loss").asText());
                assertTrue(twin.switches().earlyCallId());
                HttpResponse<String> bad = send("PATCH", twinUrl, "{\"transfer_refused\": \"sometimes\"}");
                assertEquals(400, bad.statusCode());
                assertEquals("invalid_switch", JSON.readTree(bad.body()).path("error").asText());
                assertTrue(JSON.readTree(bad.body()).path("message").asText().contains("transfer_refused"), bad.body());
                assertEquals(400, send("PATCH", twinUrl, "not json").statusCode());
                HttpResponse<String> restored = send("DELETE", twinUrl, null);
                assertEquals(200, restored.statusCode());
                assertEquals("ends", JSON.readTree(restored.body()).path("signalling_loss").asText(), "the env file's");
                assertEquals(false, twin.switches().earlyCallId());

                CountDownLatch closed = new CountDownLatch(1);
                HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(twin.signallingUrl()),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                                closed.countDown();
                                return null;
                            }

                            @Override
                            public void onError(WebSocket socket, Throwable error) {
                                closed.countDown();
                            }
                        }).get(5, TimeUnit.SECONDS);
                Thread.sleep(200);
                HttpResponse<String> cut = send("POST", twinUrl + "/signalling/cut", "{\"for_ms\": 1000}");
                assertEquals(200, cut.statusCode(), cut.body());
                assertEquals(1, JSON.readTree(cut.body()).path("sockets_cut").asInt());
                assertTrue(closed.await(5, TimeUnit.SECONDS), "the page's socket sees a close");
                assertThrows(CompletionException.class, () -> HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create(twin.signallingUrl()), new WebSocket.Listener() { }).join(), "an outage");
                Thread.sleep(1_100);
                HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(twin.signallingUrl()),
                        new WebSocket.Listener() { }).get(5, TimeUnit.SECONDS).abort(); // back after the outage
                assertEquals(400, send("POST", twinUrl + "/signalling/cut", "{\"for_ms\": -1}").statusCode());
                assertEquals(200, send("POST", twinUrl + "/signalling/cut", null).statusCode(), "the body is optional");

                HttpResponse<String> status = send("GET", server.base() + "/_local/telnyx/v2/calls/v3:never-seen", null);
                assertEquals(422, status.statusCode());
                assertEquals("90015", JSON.readTree(status.body()).path("errors").get(0).path("code").asText());
                HttpResponse<String> command = send("POST",
                        server.base() + "/_local/telnyx/v2/calls/v3:never-seen/actions/hangup", "{}");
                assertEquals(422, command.statusCode());
                assertEquals("90015", JSON.readTree(command.body()).path("errors").get(0).path("code").asText());
            }
        }
    }

    @Test
    void aBadSwitchInTheEnvFileStopsTheRunnerNamingIt() throws Exception {
        LocalFunctions functions = functions(Map.of("TWIN_SIGNALLING_LOSS", "sometimes"));
        try (ApiServer server = RunnerFixture.server(functions)) {
            LocalRunnerException wrong = assertThrows(LocalRunnerException.class,
                    () -> RunnerFixture.twin(functions, server));
            assertTrue(wrong.getMessage().contains("TWIN_SIGNALLING_LOSS"), wrong.getMessage());
        }
    }
}
