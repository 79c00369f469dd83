package com.aicallgo.coldcall.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class HttpEdgeTest {
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final HttpEdge edge = new HttpEdge(new JsonLog("test", new PrintStream(logged, true, StandardCharsets.UTF_8)), Endpoint.START_RECORDING);

    private static APIGatewayV2HTTPEvent event(String body, boolean base64, Map<String, String> headers) {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setBody(body);
        event.setIsBase64Encoded(base64);
        event.setHeaders(headers);
        return event;
    }

    private static JsonNode json(APIGatewayV2HTTPResponse response) throws Exception {
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        return Json.mapper().readTree(response.getBody());
    }

    @Test
    void headersAreCaseInsensitiveAndBase64BodiesDecoded() throws Exception {
        String body = "{\"a\":\"é\"}";
        APIGatewayV2HTTPResponse response = edge.handle(
                event(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)), true,
                        Map.of("X-Api-KEY", "k")),
                request -> Reply.ok(Map.of("key", request.header("x-api-key"),
                        "body", new String(request.body(), StandardCharsets.UTF_8)), "ok"));
        assertEquals(200, response.getStatusCode());
        assertEquals("k", json(response).get("key").asText());
        assertEquals(body, json(response).get("body").asText());
    }

    @Test
    void badBase64IsTheCallersMistake() throws Exception {
        APIGatewayV2HTTPResponse response = edge.handle(event("***", true, Map.of()), request -> Reply.ok("x", "ok"));
        assertEquals(400, response.getStatusCode());
        assertEquals("invalid_request", json(response).get("error").asText());
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        APIGatewayV2HTTPResponse response = edge.handle(event("x".repeat(ApiRequest.MAX_BODY_BYTES + 1), false, null),
                request -> Reply.ok("x", "ok"));
        assertEquals(413, response.getStatusCode());
    }

    @Test
    void failureBecomesItsStatusWithFields() throws Exception {
        APIGatewayV2HTTPResponse response = edge.handle(event(null, false, null), request -> {
            throw Failure.invalid("to_phone", "must be E.164");
        });
        assertEquals(400, response.getStatusCode());
        JsonNode body = json(response);
        assertEquals("invalid_request", body.get("error").asText());
        assertEquals("must be E.164", body.get("fields").get("to_phone").asText());
        assertFalse(logged.toString(StandardCharsets.UTF_8).contains("\"stack\""), "no stack trace for a 4xx");
    }

    @Test
    void unexpectedFailureIs500WithTheStackOnlyInTheLog() throws Exception {
        APIGatewayV2HTTPResponse response = edge.handle(event(null, false, null), request -> {
            throw new IllegalStateException("internal detail 42");
        });
        assertEquals(500, response.getStatusCode());
        assertFalse(response.getBody().contains("internal detail 42"));
        assertFalse(response.getBody().contains("IllegalStateException"));
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("\"stack\""), log);
        assertEquals(1, log.lines().count(), "one line per invocation");
    }

    @Test
    void misconfigurationIs500NamingTheVariableInTheLogOnly() throws Exception {
        APIGatewayV2HTTPResponse response = edge.handle(event(null, false, null), request -> {
            throw new ConfigException("WEB_BACKEND_URL is required and not set");
        });
        assertEquals(500, response.getStatusCode());
        assertEquals("misconfigured", json(response).get("error").asText());
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("WEB_BACKEND_URL"));
    }

    @Test
    void theLogLineCarriesRouteOutcomeStatusAndLatency() throws Exception {
        edge.handle(event("{}", false, null), request -> {
            request.tag("call_control_id", "v3:1");
            return Reply.ok("x", "done");
        });
        JsonNode line = Json.mapper().readTree(logged.toString(StandardCharsets.UTF_8).strip());
        assertEquals("POST /start-recording", line.get("route").asText());
        assertEquals("done", line.get("outcome").asText());
        assertEquals("v3:1", line.get("call_control_id").asText());
        assertEquals(200, line.get("status").asInt());
        assertTrue(line.has("latency_ms"));
        assertTrue(line.get("cold_start").asBoolean());
    }
    /** What a route saw of a request, as text: the same for the stream path and for Lambda's own deserialiser. */
    private static Reply echo(ApiRequest request) {
        return Reply.ok(Map.of("method", String.valueOf(request.method()), "path", String.valueOf(request.path()),
                "request_id", String.valueOf(request.requestId()),
                "content_type", String.valueOf(request.header("content-type")),
                "api_key", String.valueOf(request.header("x-api-key")),
                "signature", String.valueOf(request.header("telnyx-signature-ed25519")),
                "body", Base64.getEncoder().encodeToString(request.body())), "echo");
    }

    @Test
    void everyEventsFileReadsTheSameThroughTheStreamPathAsThroughLambdasDeserialiser() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Fixtures.root().resolve("events"))) {
            files = walk.filter(path -> path.toString().endsWith(".json") && path.getParent().getFileName() != null
                    && !path.getParent().equals(Fixtures.root().resolve("events"))
                    && !Fixtures.sqsEvent(path)).sorted().toList();
        }
        assertTrue(files.size() >= 10, "events files: " + files);
        for (Path file : files) {
            String relative = Fixtures.root().resolve("events").relativize(file).toString();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            edge.handle(Files.newInputStream(file), out, null, HttpEdgeTest::echo);
            JsonNode streamed = Json.mapper().readTree(out.toByteArray());
            APIGatewayV2HTTPResponse typed = edge.handle(Fixtures.event(relative), HttpEdgeTest::echo);
            assertEquals(200, streamed.get("statusCode").asInt(), relative);
            assertFalse(streamed.get("isBase64Encoded").asBoolean(), relative);
            assertEquals("application/json", streamed.get("headers").get("Content-Type").asText(), relative);
            assertEquals(Json.mapper().readTree(typed.getBody()), Json.mapper().readTree(streamed.get("body").asText()),
                    relative);
            assertFalse(Json.mapper().readTree(typed.getBody()).get("method").asText().equals("null"), relative);
        }
    }

    @Test
    void anEventThatIsNotJsonIsAnsweredAndLogged() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        edge.handle(new java.io.ByteArrayInputStream("not json".getBytes(StandardCharsets.UTF_8)), out, null,
                request -> Reply.ok("x", "ok"));
        JsonNode response = Json.mapper().readTree(out.toByteArray());
        assertEquals(400, response.get("statusCode").asInt());
        assertEquals("invalid_request", Json.mapper().readTree(response.get("body").asText()).get("error").asText());
        JsonNode line = Json.mapper().readTree(logged.toString(StandardCharsets.UTF_8).strip());
        assertEquals("invalid_request", line.get("outcome").asText());
        assertEquals(400, line.get("status").asInt());
    }
}
