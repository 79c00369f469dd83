package com.aicallgo.coldcall.startrecording;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TelnyxWireMock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StartRecordingHandlerIT {
    static final int DB = 2;
    static final String RECORD_START = "/v2/calls/.*/actions/record_start";
    static final String CALL = "v3:dev-call-start-0008";

    private final WireMockServer telnyx = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = MutableClock.now();
    private Map<String, String> env;
    private Wiring wiring;
    private StartRecordingHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        telnyx.start();
        telnyx.stubFor(post(urlPathMatching(RECORD_START)).willReturn(telnyxAnswer(200, "{\"data\":{\"result\":\"ok\"}}")));
        env = Fixtures.environment(TestRedis.url(DB), "http://127.0.0.1:9/unused", telnyx.baseUrl());
        wiring = Fixtures.wiring("StartRecordingFunction", env, clock, log);
        handler = new StartRecordingHandler(wiring);
        named(CALL);
    }

    /** A webhook named the call (its call.initiated): start-recording may record it. */
    private void named(String id) {
        wiring.calls().record(new CallControlId(id), CallFacts.ownLeg(CallState.Stage.INITIATED, "+18005551234",
                "+15550000001", "b08ff4c4-a583-506e-9383-" + String.format("%012d", Math.abs(id.hashCode())),
                null, clock.instant()), clock.instant());
    }

    /** What Telnyx lists live on {@code connection}: {@code ids}. */
    private void liveOn(String connection, String... ids) {
        StringBuilder data = new StringBuilder();
        for (String id : ids) {
            data.append(data.isEmpty() ? "" : ",").append("{\"call_control_id\":\"").append(id)
                    .append("\",\"call_leg_id\":\"2dc6fc34-f9e0-11ea-b68e-02420a0f7768\",")
                    .append("\"call_session_id\":\"2dc1b3c8-f9e0-11ea-bc5a-02420a0f7768\",")
                    .append("\"call_duration\":5,\"record_type\":\"call\"}");
        }
        telnyx.stubFor(get(urlPathEqualTo("/v2/connections/" + connection + "/active_calls")).willReturn(telnyxAnswer(
                200, "{\"data\":[" + data + "],\"meta\":{\"total_items\":" + ids.length + "}}")));
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        TelnyxWireMock.checkCommands(telnyx);
        telnyx.stop();
        for (String key : List.of("TELNYX_SIP_API_KEY", "INTERNAL_API_KEY")) {
            assertFalse(log.text().contains(env.get(key)), key + " leaked into the log");
        }
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder telnyxAnswer(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private APIGatewayV2HTTPResponse send(String body) {
        APIGatewayV2HTTPEvent event = Fixtures.event("start-recording/start.json");
        event.setBody(body);
        return handler.handleRequest(event, null);
    }

    private APIGatewayV2HTTPResponse sendFile(String file) {
        return handler.handleRequest(Fixtures.event(file), null);
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return Json.mapper().readTree(response.getBody());
    }

    /** The {@code field} of every record_start Telnyx received, in order. */
    private java.util.List<String> commandIds(String field) {
        return telnyx.findAll(postRequestedFor(urlPathMatching(RECORD_START))).stream()
                .map(request -> {
                    try {
                        return com.aicallgo.coldcall.core.json.Json.mapper().readTree(request.getBodyAsString())
                                .get(field).asText();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList();
    }

    private int recordStarts() {
        return telnyx.findAll(postRequestedFor(urlPathMatching(RECORD_START))).size();
    }

    @Test
    void startsADualChannelMp3RecordingOnce() throws Exception {
        APIGatewayV2HTTPResponse response = sendFile("start-recording/start.json");
        assertEquals(200, response.getStatusCode());
        assertEquals("recording_started", body(response).get("status").asText());
        telnyx.verify(postRequestedFor(urlPathMatching(RECORD_START)).withRequestBody(equalToJson(
                "{\"format\":\"mp3\",\"channels\":\"dual\",\"client_state\":\"" + Fixtures.clientStates(env).of(new CallControlId(CALL))
                        + "\",\"command_id\":\"${json-unit.any-string}\"}")));
        assertEquals(CALL, Fixtures.clientStates(env).verify(commandIds("client_state").get(0)).call().value(),
                "client_state names the call, signed");

        APIGatewayV2HTTPResponse again = sendFile("start-recording/start.json");
        assertEquals(200, again.getStatusCode());
        assertEquals("recording_started", body(again).get("status").asText());
        assertEquals(1, recordStarts(), "no second Telnyx call for a call already recording");
        Map<String, String> state = TestRedis.with(DB, redis -> redis.hgetall("cold_call_status:{" + CALL + "}"));
        assertEquals("+18005551234", state.get("to_phone"));
        assertEquals("+15550000001", state.get("from_phone"));
        assertEquals("started", state.get("recording_state"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"90034", "90020"})
    void notAnsweredYetIs202Pending(String code) throws Exception {
        telnyx.stubFor(post(urlPathMatching(RECORD_START)).willReturn(telnyxAnswer(422,
                "{\"errors\":[{\"code\":\"" + code + "\",\"title\":\"Call not answered yet\"}]}")));
        APIGatewayV2HTTPResponse response = sendFile("start-recording/start.json");
        assertEquals(202, response.getStatusCode());
        assertEquals("recording_pending", body(response).get("status").asText());
        assertEquals("pending", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + CALL + "}", "recording_state")));
    }

    @Test
    void aCallTheGateRefusedIs409AndNeverRecorded() throws Exception {
        TestRedis.with(DB, redis -> redis.hset("cold_call_status:{" + CALL + "}", "blocked", "premium_rate"));
        APIGatewayV2HTTPResponse response = sendFile("start-recording/start.json");
        assertEquals(409, response.getStatusCode());
        assertEquals("call_blocked", body(response).get("error").asText());
        assertEquals(0, recordStarts());
        assertEquals(null, (String) TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + CALL + "}", "recording_state")));
    }

    @Test
    void aCallTheGateRefusedIs409InTheParkedFlowToo() throws Exception {
        env.put("CALL_FLOW", "parked");
        wiring.redis().close();
        wiring = Fixtures.wiring("StartRecordingFunction", env, clock, log);
        handler = new StartRecordingHandler(wiring);
        TestRedis.with(DB, redis -> redis.hset("cold_call_status:{" + CALL + "}", "blocked", "satellite"));
        APIGatewayV2HTTPResponse response = sendFile("start-recording/start.json");
        assertEquals(409, response.getStatusCode());
        assertEquals("call_blocked", body(response).get("error").asText());
        assertEquals(0, recordStarts());
    }

    @Test
    void aCallRedisKnowsEndedIs409WithoutAskingTelnyx() throws Exception {
        TestRedis.with(DB, redis -> redis.hset("cold_call_status:{" + CALL + "}", "ended_at", "2025-11-15T10:31:00Z"));
        APIGatewayV2HTTPResponse response = sendFile("start-recording/start.json");
        assertEquals(409, response.getStatusCode());
        assertEquals("call_ended", body(response).get("error").asText());
        assertEquals(0, recordStarts());
    }

    @Test
    void telnyxSayingTheCallEndedIs409() throws Exception {
        telnyx.stubFor(post(urlPathMatching(RECORD_START)).willReturn(telnyxAnswer(422,
                "{\"errors\":[{\"code\":\"90018\",\"title\":\"Call has already ended\"}]}")));
        assertEquals(409, sendFile("start-recording/start.json").getStatusCode());
    }

    @Test
    void telnyxDownIs502AfterBoundedRetriesAndTheNextRequestTriesAgain() throws Exception {
        telnyx.stubFor(post(urlPathMatching(RECORD_START)).willReturn(telnyxAnswer(503, "{}")));
        APIGatewayV2HTTPResponse response = sendFile("start-recording/start.json");
        assertEquals(502, response.getStatusCode());
        assertEquals("telnyx_unavailable", body(response).get("error").asText());
        assertEquals(3, recordStarts());
        assertEquals(1, commandIds("command_id").stream().distinct().count(), "one attempt's retries keep its id");

        telnyx.stubFor(post(urlPathMatching(RECORD_START)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertEquals(502, sendFile("start-recording/start.json").getStatusCode());
        telnyx.stubFor(post(urlPathMatching(RECORD_START)).willReturn(telnyxAnswer(429, "{}")));
        assertEquals(502, sendFile("start-recording/start.json").getStatusCode());

        telnyx.stubFor(post(urlPathMatching(RECORD_START)).willReturn(telnyxAnswer(200, "{\"data\":{\"result\":\"ok\"}}")));
        assertEquals(200, sendFile("start-recording/start.json").getStatusCode(), "a failure does not block a retry");
        assertEquals(4, commandIds("command_id").stream().distinct().count(), "each new attempt has a new command id");
    }

    @Test
    void callControlIdsReachTelnyxEncodedAndNeverChangeThePath() throws Exception {
        String id = "v3:a/../b?c=%20 d";
        named(id);
        APIGatewayV2HTTPResponse response = send(Json.mapper().writeValueAsString(Map.of("call_control_id", id)));
        assertEquals(200, response.getStatusCode());
        var requests = telnyx.findAll(postRequestedFor(urlPathMatching(RECORD_START)));
        assertEquals("/v2/calls/v3%3Aa%2F%2E%2E%2Fb%3Fc%3D%2520%20d/actions/record_start", requests.get(0).getUrl());
    }

    @Test
    void badBodiesAre400WithFields() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("", "body");
        cases.put("{", "body");
        cases.put("[1]", "body");
        cases.put("{\"call_control_id\": 12}", "body");
        cases.put("{\"to_phone\":\"+18005551234\"}", "call_control_id");
        cases.put("{\"call_control_id\":\"\"}", "call_control_id");
        cases.put("{\"call_control_id\":\"" + "x".repeat(257) + "\"}", "call_control_id");
        cases.put("{\"call_control_id\":\"v3:a\\u0000b\"}", "call_control_id");
        cases.put("{\"call_control_id\":\"v3:a\",\"to_phone\":\"800-555-1234\"}", "to_phone");
        cases.put("{\"call_control_id\":\"v3:a\",\"from_phone\":\"+1234\"}", "from_phone");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            APIGatewayV2HTTPResponse response = send(c.getKey());
            assertEquals(400, response.getStatusCode(), c.getKey());
            JsonNode body = body(response);
            assertEquals("invalid_request", body.get("error").asText());
            assertTrue(body.get("fields").has(c.getValue()), c.getKey() + " -> " + body);
        }
        assertEquals(0, recordStarts());
        assertEquals(List.of("cold_call_status:{" + CALL + "}"), TestRedis.with(DB, redis -> redis.keys("*")),
                "bad input stores nothing (the one key is the call a webhook named)");
    }

    @Test
    void theEventFilesGiveWhatTheirNamesPromise() throws Exception {
        assertEquals(400, sendFile("start-recording/invalid-phone.json").getStatusCode());
        assertEquals(400, sendFile("start-recording/invalid-missing-call-control-id.json").getStatusCode());
        assertEquals(200, sendFile("start-recording/start.json").getStatusCode());
    }

    @Test
    void aMissingOrWrongApiKeyIs401() throws Exception {
        APIGatewayV2HTTPEvent event = Fixtures.event("start-recording/start.json");
        event.setHeaders(Map.of("content-type", "application/json"));
        assertEquals(401, handler.handleRequest(event, null).getStatusCode());
        event.setHeaders(Map.of("X-API-KEY", "wrong"));
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
        assertEquals(401, response.getStatusCode());
        assertEquals("unauthorized", body(response).get("error").asText());
        assertEquals(0, recordStarts());
    }

    @Test
    void theCallKeepsTheRepWhoseKeyAskedFirst() throws Exception {
        APIGatewayV2HTTPEvent alice = Fixtures.event("start-recording/start.json");
        alice.setHeaders(new java.util.HashMap<>(Map.of("x-api-key", "dev-alice-key-NOT-REAL")));
        assertEquals(200, handler.handleRequest(alice, null).getStatusCode());
        assertEquals("alice", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + CALL + "}", "rep")));
        assertTrue(log.text().contains("\"rep\":\"alice\""), "the request's log line names the rep");
        // another key on the same call (a replay, a colleague's page) does not rename the call's rep
        APIGatewayV2HTTPEvent bob = Fixtures.event("start-recording/start.json");
        bob.setHeaders(new java.util.HashMap<>(Map.of("x-api-key", "dev-bob-key-NOT-REAL")));
        assertEquals(200, handler.handleRequest(bob, null).getStatusCode());
        assertEquals("alice", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + CALL + "}", "rep")));
        assertFalse(log.text().contains("dev-alice-key-NOT-REAL") || log.text().contains("dev-bob-key-NOT-REAL"));
    }

    @Test
    void theSharedKeyIsTheRepShared() throws Exception {
        assertEquals(200, sendFile("start-recording/start.json").getStatusCode());
        assertEquals("shared", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + CALL + "}", "rep")));
    }

    @Test
    void redisDownIs503WithAClearError() throws Exception {
        env.put("REDIS_URL", "redis://127.0.0.1:1");
        wiring.redis().close();
        wiring = Fixtures.wiring("StartRecordingFunction", env, clock, log);
        handler = new StartRecordingHandler(wiring);
        APIGatewayV2HTTPResponse response = sendFile("start-recording/start.json");
        assertEquals(503, response.getStatusCode());
        assertEquals("store_unavailable", body(response).get("error").asText());
    }

    @Test
    void twentyCallsNoWebhookNamedAreRefused404AndNothingReachesTelnyx() throws Exception {
        liveOn("dev-connection-0000");
        for (int i = 0; i < 20; i++) {
            String id = "v3:someone-elses-call-" + i;
            APIGatewayV2HTTPResponse response = send("{\"call_control_id\":\"" + id + "\"}");
            assertEquals(404, response.getStatusCode(), id);
            assertEquals("unknown_call", body(response).get("error").asText());
        }
        assertEquals(0, recordStarts(), "no record_start with our key for a call that is not ours");
        assertEquals(20, telnyx.findAll(getRequestedFor(urlPathEqualTo(
                "/v2/connections/dev-connection-0000/active_calls"))).size(), "only our connection is asked");
        assertTrue(log.text().contains("no webhook named the call"), "each refusal is logged with why");
        assertEquals(1, TestRedis.with(DB, redis -> redis.keys("*")).size(), "a refusal stores nothing");
    }

    @Test
    void aHashOfThePagesOwnFactsDoesNotMakeACallOurs() throws Exception {
        liveOn("dev-connection-0000");
        String id = "v3:page-only-0001";
        // what an earlier start-recording would have written: the page's numbers, no webhook's
        wiring.calls().record(new CallControlId(id), CallFacts.dialing("+18005551234", null), clock.instant());
        assertEquals(404, send("{\"call_control_id\":\"" + id + "\"}").getStatusCode());
        assertEquals(0, recordStarts());
    }

    @Test
    void aCallNoWebhookNamedYetIsRecordedWhenTelnyxListsItLiveOnOurConnection() throws Exception {
        String id = "v3:early-0001";
        liveOn("dev-connection-0000", "v3:another-0001", id);
        APIGatewayV2HTTPResponse response = send("{\"call_control_id\":\"" + id + "\"}");
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals(1, recordStarts());
        assertEquals(1, TelnyxWireMock.checkReads(telnyx), "the listing Telnyx gave is the documented one");
    }

    @Test
    void aCallLiveOnAnotherConnectionIsRefused() throws Exception {
        String id = "v3:elsewhere-0001";
        liveOn("dev-connection-0000", "v3:another-0001");
        liveOn("another-connection-9999", id);
        APIGatewayV2HTTPResponse response = send("{\"call_control_id\":\"" + id + "\"}");
        assertEquals(404, response.getStatusCode());
        assertEquals("unknown_call", body(response).get("error").asText());
        assertEquals(0, recordStarts());
        assertEquals(0, telnyx.findAll(getRequestedFor(urlPathEqualTo(
                "/v2/connections/another-connection-9999/active_calls"))).size());
    }

    @Test
    void telnyxNotAnsweringTheListingIs502AndSendsNothing() throws Exception {
        telnyx.stubFor(get(urlPathEqualTo("/v2/connections/dev-connection-0000/active_calls"))
                .willReturn(telnyxAnswer(503, "{}")));
        APIGatewayV2HTTPResponse response = send("{\"call_control_id\":\"v3:unknown-0001\"}");
        assertEquals(502, response.getStatusCode());
        assertEquals(0, recordStarts());
    }

    /**
     * The listing that decides whether an unknown call is ours, against a Telnyx that drips its answer one byte at a
     * time or never answers: the page gets a 502 inside the route's 5 s budget, and nothing is recorded.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = com.aicallgo.coldcall.core.testing.HostilePeer.Mode.class,
            names = {"SLOW_DRIP", "SILENT"})
    void aTelnyxThatDripsOrHangsOnTheListingCannotHoldThePage(com.aicallgo.coldcall.core.testing.HostilePeer.Mode mode)
            throws Exception {
        try (var peer = new com.aicallgo.coldcall.core.testing.HostilePeer(mode)) {
            env.put("TELNYX_API_BASE", peer.base());
            wiring.redis().close();
            wiring = Fixtures.wiring("StartRecordingFunction", env, clock, log);
            handler = new StartRecordingHandler(wiring);
            long began = System.nanoTime();
            APIGatewayV2HTTPResponse response = send("{\"call_control_id\":\"v3:unknown-drip-0001\"}");
            long tookMillis = (System.nanoTime() - began) / 1_000_000;
            assertEquals(502, response.getStatusCode(), response.getBody());
            assertEquals("telnyx_unavailable", body(response).get("error").asText());
            assertTrue(tookMillis < 5_000, "bounded by the route's budget: took " + tookMillis + " ms");
            assertTrue(peer.paths().stream().allMatch(path -> path.contains("/active_calls")),
                    "only the listing was asked, no record_start: " + peer.paths());
        }
    }
}
