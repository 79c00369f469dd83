package com.aicallgo.coldcall.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.aicallgo.coldcall.core.CallControlId;
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
    // the recording events' own time: their links are fresh (a link older than RECORDING_LINK_MAX_AGE_SECONDS is read
    // again first, LiveLinkIT)
    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2025-11-15T10:31:56Z"));
    private Map<String, String> env;
    private Wiring wiring;
    private WebhookHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        backend.start();
        backend.stubFor(post(RECORDINGS).willReturn(aResponse().withStatus(201)));
        // one stand-in plays the Web Backend and Telnyx's recordings API
        env = Fixtures.environment(TestRedis.url(DB), backend.baseUrl(), backend.baseUrl());
        wiring = Fixtures.wiring("RecordingWebhookFunction", env, clock, log);
        handler = new WebhookHandler(wiring);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
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
                 "telephony_provider": "telnyx", "recording_url_expires_at": "2025-11-15T10:41:54Z"}""")));
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

    private APIGatewayV2HTTPResponse deliverEdited(java.util.function.UnaryOperator<String> edit) {
        APIGatewayV2HTTPEvent event = Fixtures.event("recording/call-recording-saved.json");
        Fixtures.withBody(event, edit.apply(Fixtures.bodyText(event)), clock.instant());
        return handler.handleRequest(event, null);
    }

    private com.fasterxml.jackson.databind.JsonNode onlyPost() throws Exception {
        var requests = backend.findAll(postRequestedFor(urlEqualTo(RECORDINGS)));
        assertEquals(1, requests.size());
        return Json.mapper().readTree(requests.get(0).getBodyAsString());
    }

    @Test
    void aPublicLinkIsPreferredAndCarriesNoExpiry() throws Exception {
        assertEquals(200, deliverEdited(body -> body.replace("\"public_recording_urls\":{}",
                "\"public_recording_urls\":{\"mp3\":\"https://public.example/rec-0001.mp3\"}")).getStatusCode());
        var posted = onlyPost();
        assertEquals("https://public.example/rec-0001.mp3", posted.get("recording_url").asText());
        assertFalse(posted.has("recording_url_expires_at"));
    }

    @Test
    void aLinkOlderThanTheMaximumAgeIsReadAgainBeforeAnOutboxRetry() throws Exception {
        backend.stubFor(post(RECORDINGS).inScenario("down").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        backend.stubFor(post(RECORDINGS).inScenario("down").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(201)));
        assertEquals("recording_queued", Json.mapper().readTree(deliver("recording/call-recording-saved.json")
                .getBody()).get("outcome").asText());
        clock.advance(java.time.Duration.ofMinutes(6));
        // Telnyx does not answer: the old link is never posted
        backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                "/v2/recordings/7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001").willReturn(aResponse().withStatus(503)));
        assertEquals(0, wiring.outboxDrain().drain(true, clock.instant().plusSeconds(30)).posted());
        assertEquals(1, posts(), "only the first, failed, post");
        backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                "/v2/recordings/7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001").willReturn(com.github.tomakehurst.wiremock
                        .client.WireMock.okJson("""
                        {"data": {"id": "7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001", "call_control_id": "v3:dev-call-0001",
                         "channels": "dual", "status": "completed",
                         "download_urls": {"mp3": "https://s3.example/fresh-0001.mp3"}}}""")));
        assertEquals(1, wiring.outboxDrain().drain(true, clock.instant().plusSeconds(30)).posted());
        var requests = backend.findAll(postRequestedFor(urlEqualTo(RECORDINGS)));
        var last = Json.mapper().readTree(requests.get(requests.size() - 1).getBodyAsString());
        assertEquals("https://s3.example/fresh-0001.mp3", last.get("recording_url").asText());
        assertEquals(clock.instant().plus(java.time.Duration.ofMinutes(10)).toString(),
                last.get("recording_url_expires_at").asText());
        assertEquals(105, last.get("recording_duration_seconds").asInt(), "the rest of the record is unchanged");
    }

    private static final String FIXTURE_LINK =
            "https://s3.amazonaws.com/telephony-recorder-prod/dev/recording-0001.mp3?X-Amz-Expires=600";

    private void recordingsApiReads(String mp3) {
        backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                "/v2/recordings/7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001").willReturn(com.github.tomakehurst.wiremock
                        .client.WireMock.okJson("""
                        {"data": {"id": "7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001", "call_control_id": "v3:dev-call-0001",
                         "channels": "dual", "status": "completed", "download_urls": {"mp3": "%s"}}}""".formatted(mp3))));
    }

    /** Links a signed event may carry that must never reach the Web Backend (JSON-escaped as they travel). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "javascript:alert(document.cookie)",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://user:pw@s3.amazonaws.com/r.mp3",
        "https://s3.amazonaws.com/r.mp3\\r\\nX-Injected: 1",
        "LONG",
    })
    void aHostileLinkIsNeverPostedAFreshOneIsReadInstead(String hostile) throws Exception {
        String link = hostile.equals("LONG") ? "https://s3.amazonaws.com/" + "a".repeat(8_192) + ".mp3" : hostile;
        recordingsApiReads("https://s3.example/fresh-0001.mp3");
        APIGatewayV2HTTPResponse response = deliverEdited(body -> body.replace(FIXTURE_LINK, link)
                .replace("\"public_recording_urls\":{}", "\"public_recording_urls\":{\"mp3\":\"" + link + "\"}"));
        assertEquals(200, response.getStatusCode());
        var posted = onlyPost();
        assertEquals("https://s3.example/fresh-0001.mp3", posted.get("recording_url").asText());
        assertEquals(clock.instant().plus(java.time.Duration.ofMinutes(10)).toString(),
                posted.get("recording_url_expires_at").asText());
        backend.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                urlEqualTo("/v2/recordings/7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001")));
        org.junit.jupiter.api.Assertions.assertTrue(log.text().contains("recording link refused"), log.text());
        assertFalse(log.text().contains("a".repeat(100)), "the log shows a bounded prefix only");
        assertFalse(log.text().contains("\r") || log.text().contains("\\r\\nX-Injected"),
                "nor a raw line break an attacker smuggled");
    }

    @Test
    void whenTheRecordingsApiHandsOutAHostileLinkTooNothingIsPostedAndTheRecordWaits() throws Exception {
        recordingsApiReads("http://169.254.169.254/latest/meta-data");
        APIGatewayV2HTTPResponse response = deliverEdited(body -> body.replace(FIXTURE_LINK, "javascript:alert(1)"));
        assertEquals(200, response.getStatusCode());
        assertEquals("recording_queued", Json.mapper().readTree(response.getBody()).get("outcome").asText());
        assertEquals(0, posts());
        org.junit.jupiter.api.Assertions.assertTrue(log.text().contains("Telnyx gave no link that may be posted"));
        // once Telnyx hands out a good link, the outbox posts it
        recordingsApiReads("https://s3.example/fresh-0001.mp3");
        clock.advance(java.time.Duration.ofMinutes(1));
        assertEquals(1, wiring.outboxDrain().drain(true, clock.instant().plusSeconds(30)).posted());
        assertEquals("https://s3.example/fresh-0001.mp3", onlyPost().get("recording_url").asText());
    }

    /** Telnyx's spec: call.recording.saved has neither call_control_id nor recording_id. */
    private static String specMinimal(String body) {
        return body.replace("\"call_control_id\":\"v3:dev-call-0001\",", "")
                .replace("\"recording_id\":\"7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001\",", "");
    }

    private void recordingsApiLists(String filter, String value) {
        backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v2/recordings"))
                .withQueryParam("filter[" + filter + "]", com.github.tomakehurst.wiremock.client.WireMock.equalTo(value))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson("""
                        {"data": [{"id": "rec-from-api", "call_leg_id": "f93ed538-2eb3-5ab9-ab8e-abe772f6f292",
                          "call_session_id": "b08ff4c4-a583-506e-9383-12bab719adf1", "channels": "dual",
                          "recording_started_at": "2025-11-15T10:30:08.2Z", "status": "completed",
                          "download_urls": {"mp3": "https://s3.example/rec.mp3"}}]}""")));
    }

    @Test
    void aSpecMinimalRecordingIsAttributedByClientStateAndNamedByTheRecordingsApi() throws Exception {
        recordingsApiLists("call_leg_id", "f93ed538-2eb3-5ab9-ab8e-abe772f6f292");
        APIGatewayV2HTTPResponse response = deliverEdited(body -> specMinimal(body).replace("\"client_state\":null",
                "\"client_state\":\"" + Fixtures.clientStates(env).of(new CallControlId("v3:dev-call-0001"),
                        "b08ff4c4-a583-506e-9383-12bab719adf1") + "\""));
        assertEquals(200, response.getStatusCode());
        assertEquals("recording_posted", Json.mapper().readTree(response.getBody()).get("outcome").asText());
        var posted = onlyPost();
        assertEquals("v3:dev-call-0001", posted.get("call_sid").asText());
        assertEquals("rec-from-api", posted.get("recording_sid").asText());
    }

    @Test
    void aSpecMinimalRecordingWithoutClientStateIsAttributedByItsLegOrSession() throws Exception {
        wiring.calls().index(new CallControlId("v3:dev-call-0001"), null, "b08ff4c4-a583-506e-9383-12bab719adf1");
        recordingsApiLists("call_leg_id", "f93ed538-2eb3-5ab9-ab8e-abe772f6f292");
        APIGatewayV2HTTPResponse response = deliverEdited(RecordingWebhookIT::specMinimal);
        assertEquals(200, response.getStatusCode());
        assertEquals("v3:dev-call-0001", onlyPost().get("call_sid").asText(), "by the session the call was seen with");
    }

    @Test
    void aSpecMinimalRecordingTheApiCannotNameYetIsLeftToTheRecordingCheck() throws Exception {
        wiring.calls().index(new CallControlId("v3:dev-call-0001"), "f93ed538-2eb3-5ab9-ab8e-abe772f6f292", null);
        APIGatewayV2HTTPResponse response = deliverEdited(RecordingWebhookIT::specMinimal);
        assertEquals(200, response.getStatusCode(), "never refused: Telnyx would only send it again");
        assertEquals("recording_lookup_deferred", Json.mapper().readTree(response.getBody()).get("outcome").asText());
        assertEquals(0, posts());
        assertEquals(1L, (long) TestRedis.with(DB, redis -> redis.zcard("cold_call_recording_checks")), "the check finds it");
    }

    @Test
    void aRecordingNamingNoneOfOurCallsIsAcknowledged() throws Exception {
        APIGatewayV2HTTPResponse response = deliverEdited(RecordingWebhookIT::specMinimal);
        assertEquals(200, response.getStatusCode());
        assertEquals("unattributed", Json.mapper().readTree(response.getBody()).get("outcome").asText());
        assertEquals(0, posts());
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
