package com.aicallgo.coldcall.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.webhook.WebhookHandler;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TelnyxSpec;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.aicallgo.coldcall.credentials.CredentialsHandler;
import com.aicallgo.coldcall.startrecording.StartRecordingHandler;
import com.aicallgo.coldcall.core.ApiHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Hostile input on every route: property-based (jqwik) and a fixed corpus. Every case gets the right 4xx with a JSON
 * error (or, for a webhook that is valid but unknown, a 200 that changes nothing); none gets a 5xx or a stack trace;
 * none changes stored state; and nothing the functions log, over the whole suite, holds a secret value.
 */
class HostileInputIT {
    static final int DB = 7;
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SECRET_KEYS = List.of("TELNYX_SIP_API_KEY", "TELNYX_SIP_USERNAME", "TELNYX_SIP_PASSWORD",
            "INTERNAL_API_KEY", "WEB_BACKEND_API_KEY", "CLIENT_STATE_KEY");

    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    static PrintStream originalOut;
    static HttpServer stubs;
    static final List<String> telnyxPaths = new ArrayList<>();
    static final AtomicInteger webBackendPosts = new AtomicInteger();
    static Map<String, String> env;
    static ApiHandler credentials;
    static ApiHandler startRecording;
    static ApiHandler callStatus;
    static ApiHandler recording;

    @BeforeContainer
    static void start() throws IOException {
        TestRedis.flush(DB);
        stubs = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        stubs.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                String raw = exchange.getRequestURI().getRawPath();
                byte[] answer;
                if (raw.startsWith("/v2/calls/")) {
                    synchronized (telnyxPaths) {
                        telnyxPaths.add(raw);
                    }
                    answer = "{\"data\":{\"result\":\"ok\"}}".getBytes(StandardCharsets.UTF_8);
                } else {
                    webBackendPosts.incrementAndGet();
                    answer = "{}".getBytes(StandardCharsets.UTF_8);
                }
                exchange.sendResponseHeaders(raw.startsWith("/v2/") ? 200 : 201, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        stubs.start();
        String base = "http://127.0.0.1:" + stubs.getAddress().getPort();
        env = Fixtures.environment(TestRedis.url(DB), base, base);
        // every log line of every handler below lands in LOG
        originalOut = System.out;
        System.setOut(new PrintStream(LOG, true, StandardCharsets.UTF_8));
        credentials = new CredentialsHandler(env);
        startRecording = new StartRecordingHandler(env);
        callStatus = new WebhookHandler(env);
        recording = new WebhookHandler(env);
    }

    @AfterContainer
    static void stop() {
        System.setOut(originalOut);
        stubs.stop(0);
        String logged = LOG.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("\"route\""), "the capture saw the functions' log lines");
        for (String key : SECRET_KEYS) {
            assertFalse(logged.contains(env.get(key)), key + "'s value appears in the logs");
        }
        System.out.println("hostile input: " + logged.lines().count() + " log lines checked for "
                + SECRET_KEYS.size() + " secret values");
    }

    @BeforeTry
    void clean() {
        TestRedis.flush(DB);
        synchronized (telnyxPaths) {
            telnyxPaths.clear();
        }
        webBackendPosts.set(0);
    }

    // ---------------------------------------------------------------- helpers

    static APIGatewayV2HTTPEvent event(Endpoint endpoint, Map<String, String> headers, String body, boolean base64) {
        APIGatewayV2HTTPEvent event = Fixtures.event("start-recording/start.json");
        event.setRawPath(endpoint.path());
        event.getRequestContext().getHttp().setMethod(endpoint.method());
        event.getRequestContext().getHttp().setPath(endpoint.path());
        event.setHeaders(headers);
        event.setBody(body);
        event.setIsBase64Encoded(base64);
        return event;
    }

    static Map<String, String> apiKey() {
        return Map.of("content-type", "application/json", "x-api-key", env.get("INTERNAL_API_KEY"));
    }

    static Map<String, String> signed(byte[] body, long timestamp) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("telnyx-timestamp", Long.toString(timestamp));
        headers.put("telnyx-signature-ed25519", Fixtures.devSigner().sign(timestamp, body));
        return headers;
    }

    static APIGatewayV2HTTPEvent webhook(String route, byte[] body) {
        long now = Instant.now().getEpochSecond();
        return event(route.equals("recording") ? Endpoint.RECORDING_WEBHOOK : Endpoint.CALL_STATUS_WEBHOOK, signed(body, now),
                Base64.getEncoder().encodeToString(body), true);
    }

    /** The outcome every hostile case must have: a JSON answer, no 5xx, no stack trace, nothing stored. */
    static JsonNode refused(APIGatewayV2HTTPResponse response, int... allowed) throws IOException {
        int status = response.getStatusCode();
        assertTrue(status < 500, "5xx for hostile input: " + status + " " + response.getBody());
        boolean expected = false;
        for (int code : allowed) {
            expected |= code == status;
        }
        assertTrue(expected, "status " + status + " " + response.getBody());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        assertFalse(response.getBody().contains("Exception") || response.getBody().contains("\tat "), response.getBody());
        JsonNode body = JSON.readTree(response.getBody());
        if (status >= 400) {
            assertTrue(body.hasNonNull("error") && body.hasNonNull("message"), response.getBody());
        } else {
            assertTrue(Set.of("ignored", "unattributed").contains(body.path("outcome").asText()),
                    "a 200 to hostile input changes nothing: " + body);
        }
        assertEquals(Long.valueOf(0), TestRedis.with(DB, redis -> redis.dbsize()), "hostile input stored something");
        return body;
    }

    // ---------------------------------------------------------------- arbitrary bodies, every route

    @Provide
    Arbitrary<String> junk() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789abcnulltruefalse \\").ofMaxLength(200);
        Arbitrary<String> truncated = Arbitraries.integers().between(0, 400).map(n -> {
            String valid = Fixtures.bodyText(Fixtures.event("call-status/call-hangup-busy.json"));
            return valid.substring(0, Math.min(n, valid.length() - 1));
        });
        Arbitrary<String> wrongTypes = Arbitraries.of(
                "{\"call_control_id\":123}", "{\"call_control_id\":[\"v3:a\"]}", "{\"call_control_id\":{\"a\":1}}",
                "{\"call_control_id\":true}", "{\"call_control_id\":null}", "{\"data\":[]}", "{\"data\":\"x\"}",
                "{\"data\":{\"event_type\":7,\"id\":[],\"occurred_at\":{},\"payload\":1}}", "null", "42", "\"text\"", "[]");
        return Arbitraries.oneOf(text, jsonish, truncated, wrongTypes);
    }

    @Property(tries = 150)
    void startRecordingRefusesAnyMalformedBody(@ForAll("junk") String body) throws IOException {
        refused(startRecording.handleRequest(event(Endpoint.START_RECORDING, apiKey(), body, false), null), 400);
        assertTrue(telnyxPaths.isEmpty(), "hostile input reached Telnyx");
    }

    @Property(tries = 150)
    void webhooksRefuseAnyMalformedBodyEvenWhenSigned(@ForAll("junk") String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        refused(callStatus.handleRequest(webhook("call-status", bytes), null), 400, 200);
        refused(recording.handleRequest(webhook("recording", bytes), null), 400, 200);
        assertEquals(0, webBackendPosts.get());
    }

    @Property(tries = 100)
    void phonesThatAreNotE164AreRefused(@ForAll("notE164") String phone) throws IOException {
        String body = JSON.writeValueAsString(Map.of("call_control_id", "v3:x", "to_phone", phone));
        JsonNode error = refused(startRecording.handleRequest(event(Endpoint.START_RECORDING, apiKey(), body, false), null), 400);
        assertTrue(error.path("fields").has("to_phone"), error.toString());
    }

    @Provide
    Arbitrary<String> notE164() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20),
                Arbitraries.strings().numeric().ofMinLength(16).ofMaxLength(30).map(d -> "+" + d),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(7).map(d -> "+" + d),
                Arbitraries.of("+1 800 555 1234", "(800) 555-1234", "+1-800-555-1234", "+", "++18005551234", "+١٢٣٤٥٦٧٨٩"))
                .filter(phone -> !phone.matches("\\+[0-9]{8,15}"));
    }

    @Property(tries = 100)
    void wrongOrMissingApiKeysAre401(@ForAll("wrongKeys") String key) throws IOException {
        Map<String, String> headers = key.isEmpty() ? Map.of() : Map.of("X-Api-Key", key);
        refused(credentials.handleRequest(event(Endpoint.CREDENTIALS, headers, null, false), null), 401);
        String body = "{\"call_control_id\":\"v3:x\"}";
        refused(startRecording.handleRequest(event(Endpoint.START_RECORDING, headers, body, false), null), 401);
    }

    @Provide
    Arbitrary<String> wrongKeys() {
        String real = Fixtures.devEnvironment().get("INTERNAL_API_KEY");
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(64),
                Arbitraries.of("", real.substring(1), real + " ", real.toUpperCase(), " " + real, real + "\u0000"))
                .filter(key -> !key.equals(real));
    }

    @Property(tries = 100)
    void callControlIdsReachTelnyxEncodedAndNeverChangeThePath(@ForAll("callControlIds") String id) throws IOException {
        String body = JSON.writeValueAsString(Map.of("call_control_id", id));
        // a webhook named the call (start-recording records no other): what call.initiated leaves in its hash
        TestRedis.with(DB, redis -> redis.hset("cold_call_status:{" + id + "}", "state", "initiated"));
        APIGatewayV2HTTPResponse response = startRecording.handleRequest(event(Endpoint.START_RECORDING, apiKey(), body, false), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals(1, telnyxPaths.size());
        String raw = telnyxPaths.get(0);
        assertTrue(raw.startsWith("/v2/calls/") && raw.endsWith("/actions/record_start"), raw);
        String segment = raw.substring("/v2/calls/".length(), raw.length() - "/actions/record_start".length());
        assertFalse(segment.contains("/") || segment.contains("?") || segment.contains(" ") || segment.contains(".."), raw);
        assertEquals(id, URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> callControlIds() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(80),
                Arbitraries.of("../../v2/accounts", "v3:a/../../b", "a?b=c&d", "100%", "%2e%2e%2f", " v3:space ",
                        "v3:a#frag", "..", ".", "v3:+plus"))
                .filter(id -> !id.isBlank());
    }

    // ---------------------------------------------------------------- the fixed corpus

    @Example
    void oversizedAndDeeplyNestedBodiesAreRefused() throws IOException {
        String big = "{\"call_control_id\":\"" + "x".repeat(1_100_000) + "\"}";
        refused(startRecording.handleRequest(event(Endpoint.START_RECORDING, apiKey(), big, false), null), 413);
        refused(callStatus.handleRequest(webhook("call-status", big.getBytes(StandardCharsets.UTF_8)), null), 413);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        refused(startRecording.handleRequest(event(Endpoint.START_RECORDING, apiKey(), deep, false), null), 400);
        String deepObject = "{\"data\":".repeat(5_000) + "1" + "}".repeat(5_000);
        refused(callStatus.handleRequest(webhook("call-status", deepObject.getBytes(StandardCharsets.UTF_8)), null), 400);
    }

    @Example
    void badBase64AndInvalidUtf8AreRefused() throws IOException {
        APIGatewayV2HTTPEvent bad = event(Endpoint.START_RECORDING, apiKey(), "not*base64!", true);
        refused(startRecording.handleRequest(bad, null), 400);
        byte[] invalidUtf8 = {'{', '"', 'c', 'a', 'l', 'l', '_', 'c', 'o', 'n', 't', 'r', 'o', 'l', '_', 'i', 'd', '"', ':',
            '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        refused(startRecording.handleRequest(event(Endpoint.START_RECORDING, apiKey(),
                Base64.getEncoder().encodeToString(invalidUtf8), true), null), 400);
        refused(callStatus.handleRequest(webhook("call-status", invalidUtf8), null), 400);
    }

    @Example
    void forgedStaleAndMissingSignaturesAre401() throws IOException {
        byte[] body = Fixtures.body(Fixtures.event("call-status/call-hangup-busy.json"));
        byte[] other = Fixtures.body(Fixtures.event("call-status/call-hangup-no-answer.json"));
        long now = Instant.now().getEpochSecond();
        String b64 = Base64.getEncoder().encodeToString(body);
        // a valid signature over a different body
        refused(callStatus.handleRequest(event(Endpoint.CALL_STATUS_WEBHOOK, signed(other, now), b64, true), null), 401);
        // outside the 300 s tolerance, either way (the boundary itself is WebhookVerifierTest's, on a fixed clock:
        // here a slow machine could cross a second between signing and checking)
        refused(callStatus.handleRequest(event(Endpoint.CALL_STATUS_WEBHOOK, signed(body, now - 600), b64, true), null), 401);
        refused(callStatus.handleRequest(event(Endpoint.CALL_STATUS_WEBHOOK, signed(body, now + 600), b64, true), null), 401);
        refused(recording.handleRequest(event(Endpoint.RECORDING_WEBHOOK, Map.of(), b64, true), null), 401);
        Map<String, String> garbled = new LinkedHashMap<>(signed(body, now));
        garbled.put("telnyx-signature-ed25519", "***");
        refused(callStatus.handleRequest(event(Endpoint.CALL_STATUS_WEBHOOK, garbled, b64, true), null), 401);
        garbled.put("telnyx-timestamp", "soon");
        refused(callStatus.handleRequest(event(Endpoint.CALL_STATUS_WEBHOOK, garbled, b64, true), null), 401);
    }

    @Example
    void aReplayedEventChangesNothingTheSecondTime() throws IOException {
        byte[] body = Fixtures.body(Fixtures.event("call-status/call-hangup-busy.json"));
        APIGatewayV2HTTPEvent first = webhook("call-status", body);
        assertEquals(200, callStatus.handleRequest(first, null).getStatusCode());
        int posts = webBackendPosts.get();
        Map<String, String> before = TestRedis.with(DB, redis -> redis.hgetall("cold_call_status:{v3:dev-call-busy-0002}"));
        // the same signed request again, inside the tolerance: indistinguishable from a Telnyx redelivery
        APIGatewayV2HTTPResponse replay = callStatus.handleRequest(first, null);
        assertEquals(200, replay.getStatusCode());
        assertEquals("duplicate", JSON.readTree(replay.getBody()).path("outcome").asText());
        assertEquals(posts, webBackendPosts.get(), "no second call log");
        Map<String, String> after = TestRedis.with(DB, redis -> redis.hgetall("cold_call_status:{v3:dev-call-busy-0002}"));
        after.remove("updated_at");
        before.remove("updated_at");
        assertEquals(before, after);
    }

    @Example
    void unknownEventTypesAre200AndStoreNothing() throws IOException {
        for (String type : List.of("call.bridged", "call.speak.ended", "call.recording.transcription.saved", "", "x".repeat(500))) {
            String body = "{\"data\":{\"record_type\":\"event\",\"event_type\":\"" + type + "\",\"id\":\""
                    + java.util.UUID.nameUUIDFromBytes(type.getBytes(StandardCharsets.UTF_8)) + "\","
                    + "\"occurred_at\":\"2025-11-15T10:30:00Z\",\"payload\":{\"call_control_id\":\"v3:x\"}}}";
            int allowed = type.isEmpty() ? 400 : 200;
            if (allowed == 200) {
                TelnyxSpec.checkWebhook("an unknown " + type + " event", body); // valid, only unknown to us
            }
            refused(callStatus.handleRequest(webhook("call-status", body.getBytes(StandardCharsets.UTF_8)), null), allowed);
            if (!type.startsWith("call.recording")) {
                refused(recording.handleRequest(webhook("recording", body.getBytes(StandardCharsets.UTF_8)), null), allowed);
            }
        }
    }

    @Example
    void missingAndExtraFieldsAreHandled() throws IOException {
        JsonNode error = refused(startRecording.handleRequest(event(Endpoint.START_RECORDING, apiKey(),
                "{\"to_phone\":\"+18005551234\",\"from_phone\":\"+15550000001\",\"extra\":{\"nested\":[1,2]}}", false), null), 400);
        assertTrue(error.path("fields").has("call_control_id"));
        // a verified event that names no call of ours is acknowledged (Telnyx would only deliver it again), not refused
        String noCall = "{\"data\":{\"event_type\":\"call.hangup\",\"id\":\"e2\",\"occurred_at\":\"2025-11-15T10:30:00Z\","
                + "\"payload\":{\"hangup_cause\":\"user_busy\",\"surprise\":true}},\"meta\":{}}";
        JsonNode acknowledged = refused(callStatus.handleRequest(webhook("call-status", noCall.getBytes(StandardCharsets.UTF_8)),
                null), 200);
        assertEquals("unattributed", acknowledged.path("outcome").asText(), acknowledged.toString());
    }
}
