package com.aicallgo.coldcall.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A recording event for a call whose {@code call.hangup} never comes (the twin's +1 202 555 0106): Telnyx records
 * until the call ends, so the event, confirmed by the call status, settles the call at once.
 */
class RecordingEvidenceIT {
    static final int DB = 10;
    static final String CALL_LOGS = "/api/v1/call-logs";
    static final String KEY = "cold_call_status:{v3:dev-call-0001}";

    private final WireMockServer stand = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2025-11-15T10:31:56Z"));
    private Wiring wiring;
    private WebhookHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        stand.start();
        stand.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201)));
        stand.stubFor(post("/api/v1/recordings").willReturn(aResponse().withStatus(201)));
        stand.stubFor(post(urlPathMatching("/v2/calls/.*/actions/record_start")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"data\":{\"result\":\"ok\"}}")));
        // the call is over and Telnyx says so as it does for an ended call
        stand.stubFor(get(urlEqualTo("/v2/calls/v3%3Adev-call-0001")).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"code\":\"90018\",\"title\":\"Call has already ended\"}]}")));
        Map<String, String> env = Fixtures.environment(TestRedis.url(DB), stand.baseUrl(), stand.baseUrl());
        wiring = Fixtures.wiring("CallStatusWebhookFunction", env, clock, log);
        handler = new WebhookHandler(wiring);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        stand.stop();
    }

    private int deliver(String file) {
        return handler.handleRequest(Fixtures.signed(Fixtures.event(file), clock.instant()), null).getStatusCode();
    }

    private int deliver(String file, java.util.function.UnaryOperator<String> edit) {
        APIGatewayV2HTTPEvent event = Fixtures.event(file);
        Fixtures.withBody(event, edit.apply(Fixtures.bodyText(event)), clock.instant());
        return handler.handleRequest(event, null).getStatusCode();
    }

    @Test
    void aSavedRecordingWithNoHangupSettlesTheCallWithOneCompletedCallLog() throws Exception {
        assertEquals(200, deliver("call-status/call-initiated.json"));
        assertEquals(200, deliver("call-status/call-answered.json"));
        assertEquals(200, deliver("recording/call-recording-saved.json"));
        var posted = stand.findAll(postRequestedFor(urlEqualTo(CALL_LOGS)));
        assertEquals(1, posted.size(), "the call log is posted with the recording event, not by the stale sweep");
        JsonNode callLog = Json.mapper().readTree(posted.get(0).getBodyAsString());
        assertEquals("completed", callLog.get("call_status").asText());
        // answered 10:30:08.0, the recording ended 10:31:53.4
        assertEquals(105, callLog.get("call_duration_seconds").asInt());
        assertEquals("2025-11-15T10:31:53.400Z", callLog.get("call_end_time").asText());
        assertEquals("recording_event", TestRedis.with(DB, redis -> redis.hget(KEY, "settled_by")));
        assertTrue(log.text().contains("call settled on its recording event"));

        assertEquals(200, deliver("recording/call-recording-saved.json"), "a redelivery");
        assertEquals(1, stand.findAll(postRequestedFor(urlEqualTo(CALL_LOGS))).size(), "still one call log");
    }

    @Test
    void aRecordingErrorsReasonIsStoredLoggedAndSettlesTheCallToo() throws Exception {
        assertEquals(200, deliver("call-status/call-initiated.json"));
        assertEquals(200, deliver("call-status/call-answered.json"));
        assertEquals(200, deliver("recording/call-recording-error.json", body -> body
                .replace("v3:dev-call-recerror-0007", "v3:dev-call-0001")));
        String reasons = TestRedis.with(DB, redis -> redis.hgetall(KEY)).toString();
        assertTrue(reasons.contains("Internal server error"), reasons);
        assertTrue(log.text().contains("recording failed at Telnyx") && log.text().contains("Internal server error"));
        assertEquals(1, stand.findAll(postRequestedFor(urlEqualTo(CALL_LOGS))).size());
    }

    @Test
    void aRecordingBeforeItsCallsAnswerWaitsForTheAnswerAndTheLogIsExact() throws Exception {
        assertEquals(200, deliver("call-status/call-initiated.json"));
        assertEquals(200, deliver("recording/call-recording-saved.json"));
        assertEquals("recording_event", TestRedis.with(DB, redis -> redis.hget(KEY, "settled_by")));
        assertEquals(0, stand.findAll(postRequestedFor(urlEqualTo(CALL_LOGS))).size(),
                "the recording says it talked: its log waits for the answer, as after any such hang-up");
        assertEquals(200, deliver("call-status/call-answered.json"), "the answer, delivered late");
        var posted = stand.findAll(postRequestedFor(urlEqualTo(CALL_LOGS)));
        assertEquals(1, posted.size());
        JsonNode callLog = Json.mapper().readTree(posted.get(0).getBodyAsString());
        assertEquals("completed", callLog.get("call_status").asText());
        assertEquals(105, callLog.get("call_duration_seconds").asInt());
    }
}
