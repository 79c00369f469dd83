package com.aicallgo.coldcall.outboxdrain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TelnyxSpec;
import com.aicallgo.coldcall.core.testing.TelnyxWireMock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The recording promise: every answered call ends up with its recording at the Web Backend, or is counted missing
 * or failed. WireMock plays both Telnyx (record_start and the Call Recordings API) and the Web Backend; the metric
 * lines the functions write are parsed and checked against each scenario.
 */
class RecordingReconciliationIT {
    static final int DB = 7;
    static final String CALL = "v3:reconcile-call-0001";
    static final String RECORDING_ID = "7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001";
    static final String RECORDINGS = "/api/v1/recordings";
    static final String LIST = "/v2/recordings";
    static final Instant HANGUP = Instant.parse("2025-11-15T10:31:53.400Z");
    static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer server = new WireMockServer(options().dynamicPort());
    private final MutableClock clock = new MutableClock(HANGUP.plusMillis(800));
    private final Fixtures.Log log = new Fixtures.Log();
    private Wiring wiring;
    /** Set by the one test whose Telnyx stub answers with data Telnyx would not send. */
    private boolean malformedReadsOnPurpose;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        server.start();
        server.stubFor(post(urlMatching("/v2/calls/.*/actions/record_start"))
                .willReturn(aResponse().withStatus(200).withBody("{\"data\":{\"result\":\"ok\"}}")));
        server.stubFor(post(urlMatching("/api/v1/.*")).willReturn(aResponse().withStatus(201).withBody("{}")));
        wiring = Fixtures.wiring("OutboxDrainFunction",
                Fixtures.environment(TestRedis.url(DB), server.baseUrl(), server.baseUrl()), clock, log);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        TelnyxWireMock.checkCommands(server);
        if (!malformedReadsOnPurpose) {
            TelnyxWireMock.checkReads(server);
        }
        server.stop();
    }

    /** An {@code events/} webhook, moved onto this test's call. */
    private String apply(String file) {
        String body = Fixtures.bodyText(Fixtures.event(file))
                .replace("v3:dev-call-recerror-0007", CALL)
                .replace("v3:dev-call-busy-0002", CALL)
                .replace("v3:dev-call-0001", CALL);
        TelnyxSpec.checkWebhook(file + " moved onto " + CALL, body);
        WebhookEvent event = WebhookEvent.parse(body.getBytes(StandardCharsets.UTF_8));
        return wiring.callEvents().apply(event).wire();
    }

    private Map<String, Object> runSchedule() {
        return new OutboxDrainHandler(wiring).handleRequest(Map.of(), null);
    }

    private void telnyxLists(String... ids) {
        StringBuilder data = new StringBuilder();
        for (String id : ids) {
            data.append(data.isEmpty() ? "" : ",").append("""
                    {"id": "%s", "record_type": "recording", "call_control_id": "%s", "channels": "dual",
                     "status": "completed", "duration_millis": 105200,
                     "download_urls": {"mp3": "https://stale.example/%s.mp3"}}""".formatted(id, CALL, id));
            server.stubFor(get(urlEqualTo(LIST + "/" + id)).willReturn(aResponse().withStatus(200).withBody("""
                    {"data": {"id": "%s", "record_type": "recording", "call_control_id": "%s", "channels": "dual",
                     "status": "completed", "duration_millis": 105200,
                     "recording_started_at": "2025-11-15T10:30:08.200Z", "recording_ended_at": "2025-11-15T10:31:53.400Z",
                     "download_urls": {"mp3": "https://fresh.example/%s.mp3?X-Amz-Expires=600"}}}"""
                    .formatted(id, CALL, id))));
        }
        server.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("filter[call_control_id]", equalTo(CALL))
                .willReturn(aResponse().withStatus(200).withBody("{\"data\": [" + data + "], \"meta\": {}}")));
        server.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("filter[call_session_id]", equalTo(
                "b08ff4c4-a583-506e-9383-12bab719adf1")).willReturn(aResponse().withStatus(200).withBody("{\"data\": []}")));
        // the call's leg is asked about between its control id and its session
        server.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("filter[call_leg_id]", equalTo(
                "f93ed538-2eb3-5ab9-ab8e-abe772f6f292")).willReturn(aResponse().withStatus(200).withBody("{\"data\": []}")));
    }

    private List<JsonNode> postedRecordings() {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest request : server.findAll(postRequestedFor(urlEqualTo(RECORDINGS)))) {
            bodies.add(read(request.getBodyAsString()));
        }
        return bodies;
    }

    /** The values of one metric across every metric line logged, checking each line is valid EMF. */
    private List<Double> metric(String name) {
        List<Double> values = new ArrayList<>();
        for (String line : log.text().split("\n")) {
            if (!line.startsWith("{\"_aws\"")) {
                continue;
            }
            JsonNode node = read(line);
            JsonNode directive = node.get("_aws").get("CloudWatchMetrics").get(0);
            assertEquals("ColdCallDialer", directive.get("Namespace").asText());
            assertEquals("Stage", directive.get("Dimensions").get(0).get(0).asText());
            assertEquals("dev", node.get("Stage").asText());
            if (directive.get("Metrics").get(0).get("Name").asText().equals(name)) {
                values.add(node.get(name).asDouble());
            }
        }
        return values;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aLostRecordingWebhookIsBackfilledOnceWithAFreshLinkAndTheLateWebhookPostsNothing() {
        telnyxLists(RECORDING_ID);
        assertEquals("recording_started", apply("call-status/call-answered.json"));
        assertEquals("call_log_posted", apply("call-status/call-hangup-completed.json"));
        assertEquals(List.of(800.0), metric("TimeToCallLogMs"));

        // not due before RECONCILE_AFTER_MINUTES (3) after the hang-up
        clock.set(HANGUP.plus(Duration.ofMinutes(2)));
        assertEquals(0, runSchedule().get("recordings_checked"));
        server.verify(0, getRequestedFor(urlPathEqualTo(LIST)));

        clock.set(HANGUP.plus(Duration.ofMinutes(3)).plusSeconds(1));
        Map<String, Object> report = runSchedule();
        assertEquals(1, report.get("recordings_backfilled"));
        List<JsonNode> posted = postedRecordings();
        assertEquals(1, posted.size());
        JsonNode recording = posted.get(0);
        assertEquals(CALL, recording.get("call_sid").asText());
        assertEquals(RECORDING_ID, recording.get("recording_sid").asText());
        assertEquals("https://fresh.example/" + RECORDING_ID + ".mp3?X-Amz-Expires=600",
                recording.get("recording_url").asText());
        assertEquals("completed", recording.get("recording_status").asText());
        assertEquals(105, recording.get("recording_duration_seconds").asInt());
        assertEquals(2, recording.get("recording_channels").asInt());
        assertEquals("telnyx", recording.get("telephony_provider").asText());

        assertEquals("recording_already_posted", apply("recording/call-recording-saved.json"));
        assertEquals(1, postedRecordings().size());
        // settled: never asked about again
        clock.advance(Duration.ofHours(1));
        assertEquals(0, new OutboxDrainHandler(wiring).handleRequest(Map.of("all", true), null).get("recordings_checked"));
        server.verify(1, getRequestedFor(urlPathEqualTo(LIST)));

        assertEquals(List.of(1.0), metric("RecordingsBackfilled"));
        assertEquals(List.of(100.0), metric("RecordingCaptureRate"));
        assertEquals(List.of(), metric("RecordingsMissing"));
        assertEquals(List.of(), metric("TimeToRecordingPostMs"));
    }

    @Test
    void aRecordingDeliveredByItsWebhookIsCapturedWithoutAskingTelnyx() {
        telnyxLists(RECORDING_ID);
        apply("call-status/call-answered.json");
        apply("call-status/call-hangup-completed.json");
        clock.set(Instant.parse("2025-11-15T10:31:54.000Z").plusMillis(1_250));
        assertEquals("recording_posted", apply("recording/call-recording-saved.json"));
        assertEquals(List.of(1_250.0), metric("TimeToRecordingPostMs"));

        clock.set(HANGUP.plus(Duration.ofMinutes(4)));
        Map<String, Object> report = runSchedule();
        assertEquals(1, report.get("recordings_captured"));
        assertEquals(0, report.get("recordings_backfilled"));
        server.verify(0, getRequestedFor(urlPathEqualTo(LIST)));
        assertEquals(1, postedRecordings().size());
        assertEquals(List.of(100.0), metric("RecordingCaptureRate"));
    }

    @Test
    void anAnsweredCallWithNoRecordingAtTelnyxIsCountedMissingWithItsReason() {
        telnyxLists();
        apply("call-status/call-answered.json");
        apply("call-status/call-hangup-completed.json");
        // record_start was accepted, so Telnyx is given time to list the recording: three checks, minutes apart
        int checks = 0;
        Map<String, Object> report;
        do {
            clock.advance(Duration.ofMinutes(3).plusSeconds(1));
            report = runSchedule();
            checks++;
        } while ((Integer) report.get("recordings_missing") == 0 && checks < 10);
        assertEquals(3, checks);
        assertEquals(List.of(1.0), metric("RecordingsMissing"));
        assertEquals(List.of(0.0), metric("RecordingCaptureRate"));
        assertEquals(0, postedRecordings().size());
        String error = List.of(log.text().split("\n")).stream()
                .filter(line -> line.contains("\"level\":\"ERROR\"") && line.contains("has no recording"))
                .findFirst().orElseThrow();
        assertTrue(error.contains("Telnyx accepted record_start but lists no recording"), error);
        assertTrue(error.contains(CALL), error);
        assertEquals("missing", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + CALL + "}",
                "recording_check")).split(" ")[0]);
    }

    @Test
    void aRecordingErrorIsCountedFailedAndNotBackfilled() {
        telnyxLists(RECORDING_ID);
        apply("call-status/call-answered.json");
        assertEquals("recording_error_posted", apply("recording/call-recording-error.json"));
        apply("call-status/call-hangup-completed.json");
        clock.set(HANGUP.plus(Duration.ofMinutes(3)).plusSeconds(1));
        Map<String, Object> report = runSchedule();
        assertEquals(1, report.get("recordings_failed"));
        server.verify(0, getRequestedFor(urlPathEqualTo(LIST)));
        assertEquals(List.of(1.0), metric("RecordingsFailed"));
        // call.recording.error's reason: a dimension of the metric, and on the ERROR line
        assertTrue(log.text().lines().anyMatch(line -> line.contains("\"RecordingsFailed\":1.0")
                && line.contains("\"error_reason\":\"Internal server error\"")), log.text());
        assertTrue(log.text().lines().anyMatch(line -> line.contains("recording failed at Telnyx")
                && line.contains("Internal server error")));
        assertEquals(List.of(0.0), metric("RecordingCaptureRate"));
        assertEquals(List.of("failed"), postedRecordings().stream().map(r -> r.get("recording_status").asText()).toList());
    }

    @Test
    void anUnansweredCallExpectsNoRecording() {
        telnyxLists(RECORDING_ID);
        assertEquals("call_log_posted", apply("call-status/call-hangup-busy.json"));
        clock.advance(Duration.ofHours(1));
        Map<String, Object> report = new OutboxDrainHandler(wiring).handleRequest(Map.of("all", true), null);
        assertEquals(0, report.get("recordings_checked"));
        server.verify(0, getRequestedFor(urlPathEqualTo(LIST)));
        assertEquals(List.of(), metric("RecordingCaptureRate"));
        assertEquals(0, postedRecordings().size());
    }

    @Test
    void whenTelnyxDoesNotAnswerTheCheckWaitsAndBackfillsLater() {
        server.stubFor(get(urlPathEqualTo(LIST)).willReturn(aResponse().withStatus(503)));
        apply("call-status/call-answered.json");
        apply("call-status/call-hangup-completed.json");
        clock.set(HANGUP.plus(Duration.ofMinutes(3)).plusSeconds(1));
        assertEquals(1, runSchedule().get("recordings_waiting"));
        assertEquals(List.of(), metric("RecordingCaptureRate"));

        server.resetMappings();
        server.stubFor(post(urlMatching("/api/v1/.*")).willReturn(aResponse().withStatus(201).withBody("{}")));
        telnyxLists(RECORDING_ID);
        clock.advance(Duration.ofMinutes(16));
        assertEquals(1, runSchedule().get("recordings_backfilled"));
        assertEquals(1, postedRecordings().size());
        assertEquals(List.of(100.0), metric("RecordingCaptureRate"));
    }

    @Test
    void telnyxDataThatIsNotATimeNeitherStopsThePassNorTheOtherChecks() {
        malformedReadsOnPurpose = true;
        String other = "v3:reconcile-call-0002";
        server.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("filter[call_control_id]", equalTo(CALL))
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"data": [{"id": "rec-bad-times", "call_control_id": "%s", "status": "completed"}]}"""
                        .formatted(CALL))));
        server.stubFor(get(urlEqualTo(LIST + "/rec-bad-times")).willReturn(aResponse().withStatus(200).withBody("""
                {"data": {"id": "rec-bad-times", "call_control_id": "%s", "channels": "dual", "status": "completed",
                 "recording_started_at": "yesterday-ish", "recording_ended_at": "+290000000-01-01T00:00:00Z",
                 "download_urls": {"mp3": "https://fresh.example/bad.mp3"}}}""".formatted(CALL))));
        server.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("filter[call_control_id]", equalTo(other))
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"data": [{"id": "rec-good", "call_control_id": "%s", "status": "completed"}]}"""
                        .formatted(other))));
        server.stubFor(get(urlEqualTo(LIST + "/rec-good")).willReturn(aResponse().withStatus(200).withBody("""
                {"data": {"id": "rec-good", "call_control_id": "%s", "channels": "dual", "status": "completed",
                 "duration_millis": 61000, "download_urls": {"mp3": "https://fresh.example/good.mp3"}}}"""
                .formatted(other))));
        for (String call : List.of(CALL, other)) {
            for (String file : List.of("call-status/call-answered.json", "call-status/call-hangup-completed.json")) {
                // another call has its own leg and session too (a shared one would make it the first call's leg)
                String body = Fixtures.bodyText(Fixtures.event(file)).replace("v3:dev-call-0001", call)
                        .replaceFirst("\"id\":\"[^\"]+\"", "\"id\":\"" + java.util.UUID.nameUUIDFromBytes(
                                (call + file).getBytes(StandardCharsets.UTF_8)) + "\"")
                        .replace("f93ed538-2eb3-5ab9-ab8e-abe772f6f292", java.util.UUID.nameUUIDFromBytes(
                                ("leg" + call).getBytes(StandardCharsets.UTF_8)).toString())
                        .replace("b08ff4c4-a583-506e-9383-12bab719adf1", java.util.UUID.nameUUIDFromBytes(
                                ("session" + call).getBytes(StandardCharsets.UTF_8)).toString());
                TelnyxSpec.checkWebhook(file + " moved onto " + call, body);
                wiring.callEvents().apply(WebhookEvent.parse(body.getBytes(StandardCharsets.UTF_8)));
            }
        }
        clock.set(HANGUP.plus(Duration.ofMinutes(3)).plusSeconds(1));
        Map<String, Object> report = runSchedule();
        assertEquals(2, report.get("recordings_checked"), report.toString());
        assertEquals(2, report.get("recordings_backfilled"), report.toString());
        List<JsonNode> posted = postedRecordings();
        assertEquals(2, posted.size());
        for (JsonNode recording : posted) {
            int expected = recording.get("recording_sid").asText().equals("rec-good") ? 61 : 0;
            assertEquals(expected, recording.get("recording_duration_seconds").asInt(), recording.toString());
        }
    }

    @Test
    void aCheckThatThrowsIsRetriedThenDeadLetteredAndTheOthersGoOn() {
        telnyxLists(RECORDING_ID);
        apply("call-status/call-answered.json");
        apply("call-status/call-hangup-completed.json");
        // a check no function could have scheduled: its id breaks the id rule, so every look at it throws
        wiring.recordingChecks().add("v3:bad\u0000id", HANGUP);
        clock.set(HANGUP.plus(Duration.ofMinutes(3)).plusSeconds(1));
        Map<String, Object> first = runSchedule();
        assertEquals(1, first.get("recordings_backfilled"), "the good check settles in the same pass: " + first);
        for (int pass = 2; pass <= 5; pass++) {
            new OutboxDrainHandler(wiring).handleRequest(Map.of("all", true), null);
        }
        assertEquals(Long.valueOf(0), TestRedis.<Long>with(DB, redis -> redis.zcard("cold_call_recording_checks")));
        String letter = TestRedis.with(DB, redis -> redis.lindex("cold_call_dead_letters", 0));
        assertTrue(letter != null && letter.contains("recording_check"), String.valueOf(letter));
        assertTrue(log.text().contains("recording check failed every attempt"));
    }
}
