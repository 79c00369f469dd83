package com.aicallgo.coldcall.outboxdrain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.HostilePeer;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TelnyxExamples;
import com.aicallgo.coldcall.core.testing.TelnyxExamples.Leg;
import com.aicallgo.coldcall.core.testing.TelnyxWireMock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Calls whose hang-up never came: the scheduled run asks Telnyx's call status API about each once
 * {@code STALE_CALL_AFTER_MINUTES} have passed since it was initiated, and settles those Telnyx no longer has up.
 */
class StaleCallsIT {
    static final int DB = 13;
    static final String CALL_LOGS = "/api/v1/call-logs";
    static final Instant T = Instant.parse("2025-11-15T10:30:00Z");

    private final WireMockServer stubs = new WireMockServer(options().dynamicPort());
    private final MutableClock clock = new MutableClock(T.plusSeconds(1));
    private final Fixtures.Log log = new Fixtures.Log();
    private final Leg call = Leg.of("v3:stale-0001");
    private Wiring wiring;
    private OutboxDrainHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        stubs.start();
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201)));
        stubs.stubFor(post(com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(
                "/v2/calls/.*/actions/record_start")).willReturn(aResponse().withStatus(200)
                        .withBody("{\"data\":{\"result\":\"ok\"}}")));
        Map<String, String> env = Fixtures.environment(TestRedis.url(DB), stubs.baseUrl(), stubs.baseUrl());
        env.put("STALE_CALL_AFTER_MINUTES", "60");
        env.put("MAX_CALL_MINUTES", "120");
        wiring = Fixtures.wiring("OutboxDrainFunction", env, clock, log);
        handler = new OutboxDrainHandler(wiring);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        TelnyxWireMock.checkCommands(stubs);
        stubs.stop();
    }

    private void apply(String body) {
        wiring.callEvents().apply(WebhookEvent.parse(body.getBytes(StandardCharsets.UTF_8), clock));
    }

    private void telnyxSays(int status, String body) {
        stubs.stubFor(get(urlEqualTo("/v2/calls/v3%3Astale-0001")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    private Map<String, Object> run() {
        return handler.handleRequest(Map.of(), null);
    }

    private int callLogs() {
        return stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS))).size();
    }

    private JsonNode onlyCallLog() throws Exception {
        var requests = stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS)));
        assertEquals(1, requests.size(), "exactly one call log");
        return Json.mapper().readTree(requests.get(0).getBodyAsString());
    }

    private void answeredAndNeverHungUp() {
        apply(TelnyxExamples.specInitiated(call, "bridging", T));
        clock.set(T.plusSeconds(6));
        apply(TelnyxExamples.specAnswered(call, T.plusSeconds(5)));
    }

    @Test
    void aCallTelnyxReportsEndedIsSettledWithItsEndTimeAndCheckedForItsRecording() throws Exception {
        answeredAndNeverHungUp();
        clock.set(T.plus(Duration.ofMinutes(59)));
        assertEquals(0, run().get("stale_calls_checked"), "not due before STALE_CALL_AFTER_MINUTES");
        telnyxSays(200, """
                {"data": {"call_control_id": "v3:stale-0001", "call_leg_id": "%s", "call_session_id": "%s",
                 "is_alive": false, "call_duration": 125, "start_time": "2025-11-15T10:30:00Z",
                 "end_time": "2025-11-15T10:32:10Z", "record_type": "call"}}""".formatted(call.callLegId(),
                call.callSessionId()));
        clock.set(T.plus(Duration.ofMinutes(61)));
        Map<String, Object> report = run();
        assertEquals(1, report.get("stale_calls_settled"));
        JsonNode log = onlyCallLog();
        assertEquals("completed", log.get("call_status").asText());
        assertEquals("2025-11-15T10:32:10Z", log.get("call_end_time").asText(), "Telnyx's end time");
        assertEquals(125, log.get("call_duration_seconds").asInt(), "from the answer to Telnyx's end");
        assertEquals("stale_sweep", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{v3:stale-0001}",
                "settled_by")), "marked as settled by the sweep");
        assertEquals(1.0, (double) TestRedis.with(DB, redis -> redis.zcard("cold_call_recording_checks")),
                "its recording is checked like any answered call's");
        assertTrue(this.log.text().contains("StaleCallsSettled"), "a metric");
        assertTrue(this.log.text().contains("stale call settled"), "and a WARN line");

        clock.advance(Duration.ofHours(2));
        assertEquals(0, run().get("stale_calls_checked"), "settled once");
        assertEquals(1, callLogs());
    }

    @Test
    void aCallTelnyxNoLongerKnowsIsSettledFromWhatIsKnown() throws Exception {
        answeredAndNeverHungUp();
        telnyxSays(404, "{\"errors\":[{\"code\":\"90015\",\"title\":\"Invalid Call Control ID\"}]}");
        clock.set(T.plus(Duration.ofMinutes(61)));
        assertEquals(1, run().get("stale_calls_settled"));
        JsonNode log = onlyCallLog();
        assertEquals("completed", log.get("call_status").asText(), "it was answered");
        assertEquals(0, log.get("call_duration_seconds").asInt(), "its end is unknown: no talk time is invented");
    }

    @Test
    void aCallStillUpIsAskedAboutAgainLaterAndAHangUpThatComesEndsTheChecks() throws Exception {
        answeredAndNeverHungUp();
        telnyxSays(200, "{\"data\": {\"call_control_id\": \"v3:stale-0001\", \"is_alive\": true, \"record_type\": \"call\"}}");
        clock.set(T.plus(Duration.ofMinutes(61)));
        assertEquals(0, run().get("stale_calls_settled"));
        assertEquals(0, callLogs());
        clock.advance(Duration.ofMinutes(10));
        assertEquals(0, run().get("stale_calls_checked"), "asked about again only later");
        assertEquals(1, stubs.findAll(getRequestedFor(urlEqualTo("/v2/calls/v3%3Astale-0001"))).size());

        apply(TelnyxExamples.specHangup(call, "normal_clearing", "callee", "200", T, T.plus(Duration.ofMinutes(70))));
        assertEquals(1, callLogs());
        clock.advance(Duration.ofHours(1));
        assertEquals(0, run().get("stale_calls_checked"), "a call whose hang-up came is not checked");
    }

    @ParameterizedTest
    @EnumSource(value = HostilePeer.Mode.class, names = {"SLOW_DRIP", "SILENT"})
    void aTelnyxThatDripsOrHangsCannotHoldTheSweepAndSettlesNothing(HostilePeer.Mode mode) throws Exception {
        answeredAndNeverHungUp();
        try (HostilePeer telnyx = new HostilePeer(mode)) {
            Map<String, String> env = Fixtures.environment(TestRedis.url(DB), stubs.baseUrl(), telnyx.base());
            env.put("STALE_CALL_AFTER_MINUTES", "60");
            Wiring hostile = Fixtures.wiring("OutboxDrainFunction", env, clock, log);
            try {
                clock.set(T.plus(Duration.ofMinutes(61)));
                long started = System.nanoTime();
                Map<String, Object> report = new OutboxDrainHandler(hostile).handleRequest(Map.of(), null);
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(millis < 4_000, mode + " held the sweep " + millis + " ms (a Telnyx call's limit is 2 s)");
                assertEquals(1, report.get("stale_calls_checked"));
                assertEquals(0, report.get("stale_calls_settled"), "no answer is not an ended call");
                assertEquals(0, callLogs());
                Double due = TestRedis.with(DB, redis -> redis.zscore("cold_call_stale_checks", "v3:stale-0001"));
                assertTrue(due > clock.instant().toEpochMilli(), "asked about again later");
            } finally {
                hostile.redis().close();
            }
        }
    }

    @Test
    void aPoisonCallStateIsCheckedAgainLaterWhileTheOtherCallsOfTheSweepAreSettled() throws Exception {
        answeredAndNeverHungUp();
        Leg poison = Leg.of("v3:stale-poison-0002");
        apply(TelnyxExamples.specInitiated(poison, "bridging", T));
        // a value no decoder accepts: reading this call throws
        TestRedis.with(DB, redis -> redis.hset("cold_call_status:{v3:stale-poison-0002}", "initiated_at", "garbage"));
        telnyxSays(200, "{\"data\": {\"call_control_id\": \"v3:stale-0001\", \"is_alive\": false, \"record_type\": \"call\"}}");
        clock.set(T.plus(Duration.ofMinutes(61)));
        Map<String, Object> report = run();
        assertEquals(2, report.get("stale_calls_checked"));
        assertEquals(1, report.get("stale_calls_settled"), "the good call is settled in the same sweep");
        assertEquals(1, callLogs());
        Double due = TestRedis.with(DB, redis -> redis.zscore("cold_call_stale_checks", "v3:stale-poison-0002"));
        assertTrue(due >= clock.instant().plus(Duration.ofMinutes(5)).toEpochMilli(), "the poison call waits its turn");
        assertTrue(this.log.text().contains("stale call check failed"));
    }

    @Test
    void aScheduledMemberThatIsNoCallControlIdFailsItsCheckAloneAndWaitsItsTurn() {
        answeredAndNeverHungUp();
        TestRedis.with(DB, redis -> redis.zadd("cold_call_stale_checks", 0, "bad\u0001id"));
        telnyxSays(200, "{\"data\": {\"call_control_id\": \"v3:stale-0001\", \"is_alive\": false, \"record_type\": \"call\"}}");
        clock.set(T.plus(Duration.ofMinutes(61)));
        Map<String, Object> report = run();
        assertEquals(2, report.get("stale_calls_checked"));
        assertEquals(1, report.get("stale_calls_settled"), "the good call is settled in the same sweep");
        Double due = TestRedis.with(DB, redis -> redis.zscore("cold_call_stale_checks", "bad\u0001id"));
        assertTrue(due >= clock.instant().plus(Duration.ofMinutes(5)).toEpochMilli(), "checked again later");
        assertTrue(this.log.text().contains("Failure: The request is invalid: call_control_id is required"),
                this.log.text());
    }

    private static final String KEY = "cold_call_status:{v3:stale-0001}";
    private static final String HANGUP = "/v2/calls/v3%3Astale-0001/actions/hangup";

    @Test
    void aCallTelnyxReportsAliveForeverIsSettledAtTheMaximumMarkedAndHungUp() throws Exception {
        stubs.stubFor(post(urlEqualTo(HANGUP)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"data\":{\"result\":\"ok\"}}")));
        answeredAndNeverHungUp();
        telnyxSays(200, "{\"data\": {\"call_control_id\": \"v3:stale-0001\", \"is_alive\": true, \"record_type\": \"call\"}}");
        for (int minute : new int[] {61, 91}) {
            clock.set(T.plus(Duration.ofMinutes(minute)));
            Map<String, Object> report = run();
            assertEquals(1, report.get("stale_calls_checked"), "checked at " + minute);
            assertEquals(0, report.get("stale_calls_settled"), "still under MAX_CALL_MINUTES at " + minute);
            long ttl = TestRedis.with(DB, redis -> redis.ttl(KEY));
            assertTrue(ttl > 86_400, "a call still up keeps its state past its next check, ttl " + ttl);
        }
        assertEquals(0, callLogs());
        double next = TestRedis.with(DB, redis -> redis.zscore("cold_call_stale_checks", "v3:stale-0001"));
        assertEquals((double) T.plus(Duration.ofMinutes(120)).toEpochMilli(), next, "the last check falls on the maximum");

        clock.set(T.plus(Duration.ofMinutes(120)));
        Map<String, Object> report = run();
        assertEquals(1, report.get("stale_calls_settled"));
        JsonNode log = onlyCallLog();
        assertEquals("completed", log.get("call_status").asText(), "it was answered");
        assertEquals("2025-11-15T12:30:00Z", log.get("call_end_time").asText(), "ended when it was settled");
        assertEquals(120 * 60 - 5, log.get("call_duration_seconds").asInt());
        assertEquals("max_duration", TestRedis.with(DB, redis -> redis.hget(KEY, "settled_by")));
        String text = this.log.text();
        assertTrue(text.contains("\"level\":\"WARN\"") && text.contains("call up past MAX_CALL_MINUTES settled"), text);
        assertTrue(text.contains("CallsOverMaxDuration"), "a metric");
        stubs.verify(1, postRequestedFor(urlEqualTo(HANGUP)));

        clock.advance(Duration.ofHours(1));
        assertEquals(0, run().get("stale_calls_checked"), "settled once");
        assertEquals(1, callLogs());
    }

    @Test
    void aCallNeverAnsweredAndAliveForeverIsSettledAsFailedEvenWhenTheHangUpIsRefused() throws Exception {
        stubs.stubFor(post(urlEqualTo(HANGUP)).willReturn(aResponse().withStatus(503)));
        apply(TelnyxExamples.specInitiated(call, "bridging", T));
        telnyxSays(200, "{\"data\": {\"call_control_id\": \"v3:stale-0001\", \"is_alive\": true, \"record_type\": \"call\"}}");
        clock.set(T.plus(Duration.ofMinutes(121)));
        assertEquals(1, run().get("stale_calls_settled"));
        JsonNode log = onlyCallLog();
        assertEquals("failed", log.get("call_status").asText());
        assertEquals(0, log.get("call_duration_seconds").asInt());
        assertTrue(this.log.text().contains("Telnyx did not take the hang-up"), this.log.text());
    }

    @Test
    void aCallWhoseStateExpiredBeforeItWasSettledIsDeadLetteredNotDropped() throws Exception {
        answeredAndNeverHungUp();
        TestRedis.with(DB, redis -> redis.del(KEY));
        clock.set(T.plus(Duration.ofMinutes(61)));
        Map<String, Object> report = run();
        assertEquals(1, report.get("stale_calls_lost"));
        assertEquals(0, callLogs());
        var letters = TestRedis.with(DB, redis -> redis.lrange("cold_call_dead_letters", 0, -1));
        assertEquals(1, letters.size());
        JsonNode letter = Json.mapper().readTree(letters.get(0));
        assertEquals("v3:stale-0001", letter.get("call_control_id").asText());
        assertEquals("call_log", letter.get("record").asText());
        assertTrue(this.log.text().contains("stale call lost its state before it was settled"));
        assertEquals((Double) null, TestRedis.with(DB, redis -> redis.zscore("cold_call_stale_checks", "v3:stale-0001")));
        assertEquals(0, run().get("stale_calls_checked"), "given up once");
    }

    @Test
    void theStatusApiNotAnsweringSettlesNothingAndAsksAgain() {
        answeredAndNeverHungUp();
        telnyxSays(503, "{}");
        clock.set(T.plus(Duration.ofMinutes(61)));
        Map<String, Object> report = run();
        assertEquals(1, report.get("stale_calls_checked"));
        assertEquals(0, report.get("stale_calls_settled"));
        assertEquals(0, callLogs());
        telnyxSays(200, "{\"data\": {\"call_control_id\": \"v3:stale-0001\", \"is_alive\": false, \"record_type\": \"call\"}}");
        clock.advance(Duration.ofMinutes(6));
        assertEquals(1, run().get("stale_calls_settled"));
        assertEquals(1, callLogs());
    }
}
