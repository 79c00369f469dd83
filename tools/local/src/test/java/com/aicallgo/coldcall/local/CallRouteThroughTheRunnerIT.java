package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code start-api} routes {@code /calls/{id}} as API Gateway does: the segment reaches the function as a path parameter. */
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
        ObjectNode env = (ObjectNode) JSON.readTree(Fixtures.events("env.json").toFile());
        ((ObjectNode) env.get("Parameters")).put("REDIS_URL", TestRedis.url(DB));
        Path envVars = Files.createTempFile("env", ".json");
        try {
            JSON.writeValue(envVars.toFile(), env);
            LocalFunctions functions = new LocalFunctions(Template.load(Fixtures.root().resolve("template.yaml")),
                    EnvVars.load(envVars, Map.of(), null), Fixtures.root(), false);
            try (ApiServer server = new ApiServer(functions, LocalRunner.site(Fixtures.root()), "127.0.0.1", 0)) {
                functions.useLocalBase(server.base());
                server.start();
                String key = JSON.readTree(env.get("Parameters").get("INTERNAL_API_KEYS").asText()).get("alice").asText();
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

    private static HttpResponse<String> send(String url, String method, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", key).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
