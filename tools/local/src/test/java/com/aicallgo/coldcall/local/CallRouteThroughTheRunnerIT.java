package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.aicallgo.coldcall.local.twin.Twin;
import com.aicallgo.coldcall.local.twin.VertoClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code start-api} routes {@code /calls/{id}} as API Gateway does: the segment reaches the function as a path
 * parameter. Through the twin, a call whose {@code call.hangup} is never delivered (+1 202 555 0106) is logged from
 * its recording event within seconds, and the page's view of it says so.
 */
class CallRouteThroughTheRunnerIT {
    static final int DB = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = "v3:runner-truth-0001";
    private static final String LEG = "5a0c8f0e-0000-4000-8000-00000000000a";

    @Test
    void theIdSegmentIsAPathParameterAndAnEmptyOneIsNoRoute() throws Exception {
        TestRedis.flush(DB);
        TestRedis.with(DB, redis -> redis.hset("cold_call_status:{" + CALL + "}", Map.of("call_control_id", CALL,
                "state", "initiated", "rep", "alice", "initiated_at", "2025-11-15T10:30:00Z")));
        TestRedis.with(DB, redis -> redis.set("cold_call_leg:{" + LEG + "}", CALL));
        Path envVars = RunnerFixture.envFile(Map.of("REDIS_URL", TestRedis.url(DB)));
        try {
            LocalFunctions functions = RunnerFixture.functions(envVars, Map.of(), false);
            try (ApiServer server = RunnerFixture.server(functions)) {
                server.start();
                String key = aliceKey(envVars);
                HttpResponse<String> byLeg = send(server.base() + Endpoint.CALL.path(LEG), "GET", null, key);
                assertEquals(200, byLeg.statusCode(), byLeg.body());
                JsonNode view = JSON.readTree(byLeg.body());
                assertEquals(CALL, view.get("call_control_id").asText());
                assertEquals("ringing", view.get("stage").asText());
                // the call control id travels percent-encoded and reaches the function decoded
                assertEquals(200, send(server.base() + Endpoint.CALL.path("v3%3Arunner-truth-0001"), "GET", null, key)
                        .statusCode());
                assertEquals(404, send(server.base() + Endpoint.CALL.path("v3:nobody"), "GET", null, key).statusCode());
                HttpResponse<String> bad = send(server.base() + Endpoint.CALL_ENDED.path(LEG), "POST", "{\"why\":1}", key);
                assertEquals(400, bad.statusCode(), bad.body());
                assertEquals("invalid_request", JSON.readTree(bad.body()).get("error").asText());
                HttpResponse<String> empty = send(server.base() + Endpoint.CALL_ENDED.path(""), "POST", "{}", key);
                assertEquals(404, empty.statusCode(), "an empty {id} is no route");
            }
        } finally {
            Files.deleteIfExists(envVars);
        }
    }


    @Test
    void aCallWhoseHangupIsLostIsLoggedWithinSecondsOfItsEnd() throws Exception {
        TestRedis.flush(DB);
        Path envVars = RunnerFixture.envFile(Map.of("REDIS_URL", TestRedis.url(DB)));
        VertoClient page = null;
        try {
            String key = aliceKey(envVars);
            LocalFunctions functions = RunnerFixture.functions(envVars, Map.of(), false);
            try (ApiServer server = RunnerFixture.server(functions)) {
                try (Twin twin = RunnerFixture.twin(functions, server)) {
                    assertTrue(twin != null, "events/env.json turns the twin on");
                    server.start();
                    JsonNode credentials = JSON.readTree(send(server.base() + Endpoint.CREDENTIALS.path(), "GET", null,
                            key).body());
                    page = VertoClient.login(twin.signallingUrl(), Map.of("login_token",
                            credentials.get("login_token").asText()));
                    String dialog = UUID.randomUUID().toString();
                    page.send("telnyx_rtc.invite", Map.of("sdp", VertoClient.OFFER, "dialogParams", Map.of("callID", dialog,
                            "destination_number", "+12025550106", "caller_id_number",
                            credentials.get("caller_number").asText(), "custom_headers", List.of(Map.of(
                                    "name", "X-Cold-Call-Rep", "value", credentials.get("rep_tag").asText())))));
                    JsonNode ringing = page.await(m -> m.path("method").asText().equals("telnyx_rtc.ringing"));
                    String leg = ringing.path("params").path("telnyxIDs").path("telnyxLegId").asText(
                            ringing.path("params").path("telnyx_leg_id").asText());
                    page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer"));
                    Thread.sleep(1_000);
                    page.send("telnyx_rtc.bye", Map.of("cause", "NORMAL_CLEARING", "causeCode", 16,
                            "dialogParams", Map.of("callID", dialog)));
                    long hungUp = System.nanoTime();
                    JsonNode view = null;
                    while (System.nanoTime() - hungUp < 5_000_000_000L) {
                        HttpResponse<String> answer = send(server.base() + Endpoint.CALL.path(leg), "GET", null, key);
                        if (answer.statusCode() == 200) {
                            view = JSON.readTree(answer.body());
                            if (view.get("logged").asBoolean()) {
                                break;
                            }
                        }
                        Thread.sleep(100);
                    }
                    long millis = (System.nanoTime() - hungUp) / 1_000_000;
                    assertTrue(view != null && view.get("logged").asBoolean(), "logged within 5 s: " + view);
                    assertTrue(view.get("final").asBoolean());
                    assertEquals("completed", view.get("call_status").asText());
                    assertEquals("ended", view.get("stage").asText());
                    String call = view.get("call_control_id").asText();
                    assertEquals("recording_event", TestRedis.with(DB, redis -> redis.hget(
                            "cold_call_status:{" + call + "}", "settled_by")), "settled by its recording, in " + millis
                            + " ms");
                }
            }
        } finally {
            if (page != null) {
                page.socket().abort();
            }
            Files.deleteIfExists(envVars);
        }
    }

    /** alice's key in the env file's keyring. */
    private static String aliceKey(Path envVars) throws IOException {
        JsonNode parameters = JSON.readTree(envVars.toFile()).get("Parameters");
        return JSON.readTree(parameters.get("INTERNAL_API_KEYS").asText()).get("alice").asText();
    }

    private static HttpResponse<String> send(String url, String method, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", key).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
