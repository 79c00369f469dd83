package com.aicallgo.coldcall.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecordingWebhookIT {
    static final int DB = 4;
    static final String RECORDINGS = "/api/v1/recordings";

    private final WireMockServer backend = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = MutableClock.now();
    private Map<String, String> env;
    private Wiring wiring;
    private WebhookHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        backend.start();
        backend.stubFor(post(RECORDINGS).willReturn(aResponse().withStatus(201)));
        env = Fixtures.environment(TestRedis.url(DB), backend.baseUrl(), "http://127.0.0.1:9/unused");
        wiring = Fixtures.wiring("RecordingWebhookFunction", env, clock, log);
        handler = new WebhookHandler(wiring);
    }

    @AfterEach
    void stop() {
        wiring.callStore().close();
        backend.stop();
        assertFalse(log.text().contains(env.get("WEB_BACKEND_API_KEY")));
    }

    private APIGatewayV2HTTPResponse deliver(String file) {
        return handler.handleRequest(Fixtures.signed(Fixtures.event(file), clock.instant()), null);
    }

    private int posts() {
        return backend.findAll(postRequestedFor(urlEqualTo(RECORDINGS))).size();
    }

    @Test
    void savedRecordingIsPostedOnceWithTheContractFields() {
        assertEquals(200, deliver("recording/call-recording-saved.json").getStatusCode());
        backend.verify(postRequestedFor(urlEqualTo(RECORDINGS)).withRequestBody(equalToJson("""
                {"call_sid": "v3:dev-call-0001", "recording_sid": "7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001",
                 "recording_url": "https://s3.amazonaws.com/telephony-recorder-prod/dev/recording-0001.mp3?X-Amz-Expires=600",
                 "recording_status": "completed", "recording_duration_seconds": 105, "recording_channels": 2,
                 "telephony_provider": "telnyx"}""")));
        assertEquals(200, deliver("recording/call-recording-saved.json").getStatusCode());
        assertEquals(1, posts());
        assertEquals("saved", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{v3:dev-call-0001}", "recording_state")));
    }

    @Test
    void recordingErrorIsPostedAsFailed() {
        assertEquals(200, deliver("recording/call-recording-error.json").getStatusCode());
        backend.verify(postRequestedFor(urlEqualTo(RECORDINGS)).withRequestBody(equalToJson("""
                {"call_sid": "v3:dev-call-recerror-0007", "recording_sid": "0b3c1a36-3333-4c57-9a0e-000000000002",
                 "recording_status": "failed", "recording_duration_seconds": 0, "recording_channels": 2,
                 "telephony_provider": "telnyx"}""")));
    }

    @Test
    void aSecondRecordingOfTheSameCallIsItsOwnRecord() {
        deliver("recording/call-recording-saved.json");
        APIGatewayV2HTTPEvent second = Fixtures.event("recording/call-recording-saved.json");
        Fixtures.withBody(second, Fixtures.bodyText(second).replace("2b8e6d1a0001", "2b8e6d1a0002")
                .replace("000000000001", "000000000011").replace("\"channels\":\"dual\"", "\"channels\":\"single\""),
                clock.instant());
        assertEquals(200, handler.handleRequest(second, null).getStatusCode());
        assertEquals(2, posts());
        backend.verify(postRequestedFor(urlEqualTo(RECORDINGS)).withRequestBody(equalToJson(
                "{\"recording_sid\":\"7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0002\",\"recording_channels\":1}", true, true)));
    }

    @Test
    void webBackendFailureQueuesTheRecordingAndTheDrainPostsItOnceWithTheSameFields() {
        backend.stubFor(post(RECORDINGS).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("up"));
        backend.stubFor(post(RECORDINGS).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(201)));
        assertEquals(200, deliver("recording/call-recording-saved.json").getStatusCode());
        clock.advance(java.time.Duration.ofSeconds(11));
        var report = wiring.outboxDrain().drain(false, clock.instant().plusSeconds(30));
        assertEquals(1, report.posted());
        assertEquals(0, report.backlog());
        assertEquals(200, deliver("recording/call-recording-saved.json").getStatusCode());
        assertEquals(2, posts());
        var requests = backend.findAll(postRequestedFor(urlEqualTo(RECORDINGS)));
        assertEquals(requests.get(0).getBodyAsString(), requests.get(1).getBodyAsString(), "the kept payload is what was sent");
        assertEquals((String) null, TestRedis.with(DB, redis -> redis.hget("cold_call_status:{v3:dev-call-0001}",
                "outbox:recording:7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001")), "a delivered payload is dropped");
    }

    @Test
    void unknownRecordingEventsAreIgnoredWith200() throws Exception {
        APIGatewayV2HTTPEvent event = Fixtures.event("recording/call-recording-saved.json");
        Fixtures.withBody(event, Fixtures.bodyText(event).replace("call.recording.saved", "call.recording.transcription.saved"),
                clock.instant());
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
        assertEquals(200, response.getStatusCode());
        assertEquals("ignored", Json.mapper().readTree(response.getBody()).get("outcome").asText());
        assertEquals(0, posts());
    }

    @Test
    void aForgedRecordingIs401AndPostsNothing() {
        APIGatewayV2HTTPEvent event = Fixtures.signed(Fixtures.event("recording/call-recording-saved.json"), clock.instant());
        event.setBody(event.getBody().replace("recording-0001.mp3", "evil.mp3"));
        assertEquals(401, handler.handleRequest(event, null).getStatusCode());
        assertEquals(0, posts());
    }
}
