package com.aicallgo.coldcall.startrecording;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.RecordingFacts;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TelnyxWireMock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /calls/{id}} and {@code POST /calls/{id}/ended}: the server's truth, and the page's report. */
class CallTruthIT {
    static final int DB = 10;
    static final String CALL = "v3:truth-call-0001";
    static final String LEG = "7f1c2d3e-0000-4000-8000-000000000001";
    static final String SESSION = "7f1c2d3e-0000-4000-8000-000000000002";
    /** The page's own id for the call, from the custom SIP header on its INVITE. */
    static final String PAGE = "7f1c2d3e-0000-4000-8000-000000000003";
    static final String CALL_LOGS = "/api/v1/call-logs";
    static final String ALICE = "dev-alice-key-NOT-REAL";
    static final String BOB = "dev-bob-key-NOT-REAL";
    /** The call's paths as Telnyx receives them (the id encoded in its segment). */
    static final String STATUS = "/v2/calls/v3%3Atruth-call-0001";
    static final String HANGUP = STATUS + "/actions/hangup";

    // one stand-in plays Telnyx and the Web Backend
    private final WireMockServer stand = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = MutableClock.now();
    private Wiring wiring;
    private StartRecordingHandler handler;
    private final CallControlId call = new CallControlId(CALL);

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        stand.start();
        stand.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201)));
        Map<String, String> env = Fixtures.environment(TestRedis.url(DB), stand.baseUrl(), stand.baseUrl());
        wiring = Fixtures.wiring("StartRecordingFunction", env, clock, log);
        handler = new StartRecordingHandler(wiring);
        // as the webhooks leave a call: its call.initiated, its leg and session indexed, the rep behind it
        wiring.calls().record(call, CallFacts.ownLeg(CallState.Stage.INITIATED, "+18005551234", "+15550000001",
                SESSION, LEG, clock.instant()).withInitiated(clock.instant(), false).withRep("alice"), clock.instant());
        wiring.calls().index(call, LEG, SESSION);
        wiring.calls().indexPage(call, PAGE);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        TelnyxWireMock.checkCommands(stand);
        stand.stop();
        assertFalse(log.text().contains(ALICE) || log.text().contains(BOB), "a key leaked into the log");
    }

    private APIGatewayV2HTTPResponse request(String method, Endpoint endpoint, String id, String key, String body) {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        String path = endpoint.path(id);
        event.setRawPath(path);
        Map<String, String> headers = new HashMap<>();
        if (key != null) {
            headers.put("x-api-key", key);
        }
        event.setHeaders(headers);
        event.setPathParameters(Map.of("id", id));
        event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("r-truth")
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                .build());
        event.setBody(body);
        return handler.handleRequest(event, null);
    }

    private JsonNode view(String id, String key, int status) throws Exception {
        APIGatewayV2HTTPResponse response = request("GET", Endpoint.CALL, id, key, null);
        assertEquals(status, response.getStatusCode(), response.getBody());
        return Json.mapper().readTree(response.getBody());
    }

    private JsonNode report(String why, int status) throws Exception {
        APIGatewayV2HTTPResponse response = request("POST", Endpoint.CALL_ENDED, CALL, ALICE, "{\"why\":\"" + why + "\"}");
        assertEquals(status, response.getStatusCode(), response.getBody());
        return Json.mapper().readTree(response.getBody());
    }

    private void telnyxStatus(int status, String body) {
        stand.stubFor(get(urlPathEqualTo(STATUS)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    private JsonNode onlyCallLog() throws Exception {
        var posted = stand.findAll(postRequestedFor(urlPathEqualTo(CALL_LOGS)));
        assertEquals(1, posted.size(), "one call log");
        return Json.mapper().readTree(posted.get(0).getBodyAsString());
    }

    @Test
    void aPoisonedIndexNamesNoCallAndIsAClear404() throws Exception {
        String leg = "7f1c2d3e-0000-4000-8000-0000000000aa";
        String page = "7f1c2d3e-0000-4000-8000-0000000000bb";
        // what no webhook of ours writes: a value that is no call control id at all
        TestRedis.with(DB, commands -> commands.set("cold_call_leg:{" + leg + "}", "\u0000 not an id \n"));
        TestRedis.with(DB, commands -> commands.set("cold_call_page:{" + page + "}", ""));
        for (String id : new String[] {leg, page}) {
            assertEquals("unknown_call", view(id, ALICE, 404).get("error").asText(), id);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = com.aicallgo.coldcall.core.testing.HostilePeer.Mode.class,
            names = {"SLOW_DRIP", "SILENT"})
    void aTelnyxThatDripsOrHangsOnTheCallStatusCannotHoldThePagesReport(
            com.aicallgo.coldcall.core.testing.HostilePeer.Mode mode) throws Exception {
        try (var peer = new com.aicallgo.coldcall.core.testing.HostilePeer(mode)) {
            wiring.redis().close();
            wiring = Fixtures.wiring("StartRecordingFunction",
                    Fixtures.environment(TestRedis.url(DB), stand.baseUrl(), peer.base()), clock, log);
            handler = new StartRecordingHandler(wiring);
            long began = System.nanoTime();
            JsonNode body = report("hung_up", 202);
            long tookMillis = (System.nanoTime() - began) / 1_000_000;
            assertTrue(tookMillis < 5_000, "bounded by the route's budget: took " + tookMillis + " ms");
            assertEquals("ringing", body.get("stage").asText(), "nothing settled on a status nobody gave");
            assertTrue(peer.paths().stream().allMatch(path -> path.startsWith("/v2/calls/")) && peer.paths().stream()
                    .noneMatch(path -> path.contains("/actions/")), "only the status was asked: " + peer.paths());
            assertEquals(0, stand.findAll(postRequestedFor(urlPathEqualTo(CALL_LOGS))).size());
            assertTrue(log.text().contains("call status API unavailable"), log.text());
        }
    }

    @Test
    void eachKindOfIdNamesTheCallAndARingingCallIsNotFinal() throws Exception {
        for (String id : new String[] {CALL, LEG, SESSION, PAGE}) {
            JsonNode body = view(id, ALICE, 200);
            assertEquals(CALL, body.get("call_control_id").asText(), id);
            assertEquals("ringing", body.get("stage").asText());
            assertFalse(body.get("final").asBoolean());
            assertFalse(body.get("logged").asBoolean());
            assertTrue(body.get("ending").isNull() && body.get("call_status").isNull()
                    && body.get("talk_seconds").isNull() && body.get("reason").isNull(), body.toString());
            assertEquals("none", body.get("recording").get("state").asText());
            assertTrue(body.get("recording").get("reason").isNull());
        }
        assertTrue(log.text().contains("\"outcome\":\"call_viewed\""));
    }

    @Test
    void unknownIdsOtherRepsCallsMissingKeysAndBadBodiesAreClearErrors() throws Exception {
        assertEquals("unknown_call", view("v3:nobody-knows", ALICE, 404).get("error").asText());
        assertEquals("unknown_call", view(CALL, BOB, 404).get("error").asText(), "another rep's call is not shown");
        assertEquals(CALL, view(CALL, "dev-internal-api-key", 200).get("call_control_id").asText(),
                "the shared key sees every call");
        assertEquals(401, request("GET", Endpoint.CALL, CALL, null, null).getStatusCode());
        assertEquals(401, request("GET", Endpoint.CALL, CALL, "wrong-key", null).getStatusCode());
        for (String bad : new String[] {null, "", "[]", "{\"why\":\"bored\"}", "{\"why\":1}", "{}", "not json"}) {
            APIGatewayV2HTTPResponse response = request("POST", Endpoint.CALL_ENDED, CALL, ALICE, bad);
            assertEquals(400, response.getStatusCode(), String.valueOf(bad));
            assertEquals("invalid_request", Json.mapper().readTree(response.getBody()).get("error").asText());
        }
        assertEquals(0, stand.findAll(getRequestedFor(urlPathEqualTo(STATUS))).size(),
                "nothing asked of Telnyx for a refused request");
    }

    @Test
    void anAnsweredCallIsActiveAndABusyCallIsFinalAtOnceWithItsCodes() throws Exception {
        wiring.calls().record(call, CallFacts.answered(clock.instant()), clock.instant());
        assertEquals("active", view(CALL, ALICE, 200).get("stage").asText());

        CallControlId busy = new CallControlId("v3:truth-busy-0002");
        wiring.calls().record(busy, CallFacts.ownLeg(CallState.Stage.ENDED, "+18005551234", "+15550000001", null,
                null, clock.instant()).withHangup(clock.instant(), clock.instant(), clock.instant(), "user_busy",
                "callee", "486"), clock.instant());
        JsonNode body = view(busy.value(), ALICE, 200);
        assertEquals("ended", body.get("stage").asText());
        assertTrue(body.get("final").asBoolean());
        assertEquals("busy", body.get("ending").asText());
        assertEquals("busy", body.get("call_status").asText());
        assertEquals(0, body.get("talk_seconds").asInt());
        assertEquals("user_busy, SIP 486", body.get("detail").asText());

        CallControlId noSip = new CallControlId("v3:truth-nosip-0003");
        wiring.calls().record(noSip, CallFacts.ownLeg(CallState.Stage.ENDED, "+18005551234", "+15550000001", null,
                null, clock.instant()).withHangup(clock.instant(), clock.instant(), clock.instant(), "originator_cancel",
                "caller", "unspecified"), clock.instant());
        assertEquals("originator_cancel", view(noSip.value(), ALICE, 200).get("detail").asText(),
                "Telnyx's 'unspecified' SIP code is no code to show");
    }

    @Test
    void aCallTheGateRefusedSaysBlockedWithItsReason() throws Exception {
        wiring.calls().record(call, CallFacts.blockedBy("premium_rate"), clock.instant());
        wiring.calls().record(call, CallFacts.settled(clock.instant(), clock.instant(), null, "call_rejected"),
                clock.instant());
        JsonNode body = view(CALL, ALICE, 200);
        assertEquals("blocked", body.get("ending").asText());
        assertEquals("failed", body.get("call_status").asText());
        assertFalse(body.get("reason").isNull());
    }

    @Test
    void aliveAndHungUpSendsTheHangupAndSettlesNothing() throws Exception {
        telnyxStatus(200, "{\"data\":{\"call_control_id\":\"" + CALL + "\",\"is_alive\":true,\"record_type\":\"call\"}}");
        stand.stubFor(post(urlPathEqualTo(HANGUP)).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"data\":{\"result\":\"ok\"}}")));
        JsonNode body = report("hung_up", 202);
        assertEquals("ringing", body.get("stage").asText());
        assertEquals(1, stand.findAll(postRequestedFor(urlPathEqualTo(HANGUP))).size());
        assertEquals(0, stand.findAll(postRequestedFor(urlPathEqualTo(CALL_LOGS))).size());
        assertTrue(log.text().contains("\"report\":\"hangup_sent\""));

        report("lost", 202);
        assertEquals(2, stand.findAll(postRequestedFor(urlPathEqualTo(HANGUP))).size(),
                "a page that lost its call no longer shows it: the call is hung up too");
        assertEquals(0, stand.findAll(postRequestedFor(urlPathEqualTo(CALL_LOGS))).size());
    }

    @Test
    void goneAfterAnAnswerIsSettledOnceAndTheFinalViewIsTheCallLog() throws Exception {
        Instant answered = clock.instant();
        wiring.calls().record(call, CallFacts.answered(answered), clock.instant());
        Instant ended = answered.plusSeconds(12);
        clock.advance(java.time.Duration.ofSeconds(13));
        telnyxStatus(200, "{\"data\":{\"call_control_id\":\"" + CALL + "\",\"is_alive\":false,\"end_time\":\""
                + ended + "\",\"record_type\":\"call\"}}");
        JsonNode body = report("hung_up", 202);
        JsonNode callLog = onlyCallLog();
        assertEquals("completed", callLog.get("call_status").asText());
        assertEquals(12, callLog.get("call_duration_seconds").asInt());
        assertEquals("ended", body.get("stage").asText());
        assertTrue(body.get("final").asBoolean() && body.get("logged").asBoolean(), body.toString());
        assertEquals("completed", body.get("ending").asText());
        assertEquals(callLog.get("call_status").asText(), body.get("call_status").asText());
        assertEquals(callLog.get("call_duration_seconds").asInt(), body.get("talk_seconds").asInt());
        assertEquals("page_report", TestRedis.with(DB, r -> r.hget("cold_call_status:{" + CALL + "}", "settled_by")));
        assertTrue(log.text().contains("StaleCallsSettled") && log.text().contains("\"settled_by\":\"page_report\""));

        // the page's redelivered report does nothing more: no second status request, no second call log
        int asked = stand.findAll(getRequestedFor(urlPathEqualTo(STATUS))).size();
        report("hung_up", 202);
        assertEquals(asked, stand.findAll(getRequestedFor(urlPathEqualTo(STATUS))).size());
        onlyCallLog();
    }

    @Test
    void goneBeforeAnAnswerIsCanceledWhenTheRepHungUp() throws Exception {
        telnyxStatus(422, "{\"errors\":[{\"code\":\"90018\",\"title\":\"Call has already ended\"}]}");
        JsonNode body = report("page_closed", 202);
        assertEquals("canceled", onlyCallLog().get("call_status").asText());
        assertEquals("canceled", body.get("ending").asText());
        assertEquals(0, body.get("talk_seconds").asInt());
    }

    @Test
    void aRecordingErrorsReasonIsInTheView() throws Exception {
        wiring.calls().recordRecording(call, new RecordingFacts(new Deliverable.Recording("rec-err-1"), false, null,
                null, null, "Internal server error"), CallState.Recording.ERROR, clock.instant());
        JsonNode recording = view(CALL, ALICE, 200).get("recording");
        assertEquals("error", recording.get("state").asText());
        assertEquals("Internal server error", recording.get("reason").asText());
    }

    @Test
    void snapStartPrimingRunsTheCallRouteAndTouchesNoOutsideService() throws Exception {
        int keys = TestRedis.with(DB, redis -> redis.keys("*")).size();
        handler.priming().beforeCheckpoint(null);
        assertTrue(stand.getAllServeEvents().isEmpty(), "priming called neither Telnyx nor the Web Backend");
        assertEquals(keys, TestRedis.with(DB, redis -> redis.keys("*")).size(), "priming stored nothing");
        assertTrue(log.text().contains("\"route\":\"GET /calls/{id}\""), log.text());
        handler.priming().afterRestore(null);
        assertEquals(CALL, view(LEG, ALICE, 200).get("call_control_id").asText());
    }

    @Test
    void aReportedCallTelnyxRecordedTalkedEvenBeforeItsAnswerCame() throws Exception {
        wiring.calls().markRecording(call, CallState.Recording.STARTED, clock.instant());
        telnyxStatus(422, "{\"errors\":[{\"code\":\"90018\",\"title\":\"Call has already ended\"}]}");
        JsonNode body = report("hung_up", 202);
        assertEquals("normal_clearing", TestRedis.with(DB, r -> r.hget("cold_call_status:{" + CALL + "}",
                "hangup_cause")), "not canceled: Telnyx recorded it, so it was answered");
        assertFalse(body.get("final").asBoolean(), "its log waits for the answer, as after any such hang-up");
        assertEquals(0, stand.findAll(postRequestedFor(urlPathEqualTo(CALL_LOGS))).size());
    }
}
