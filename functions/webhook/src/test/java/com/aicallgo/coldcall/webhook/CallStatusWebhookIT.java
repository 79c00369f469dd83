package com.aicallgo.coldcall.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.calls.RecordingStarter;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TelnyxWireMock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallStatusWebhookIT {
    static final int DB = 3;
    static final String CALL_LOGS = "/api/v1/call-logs";
    static final String RECORD_START = "/v2/calls/.*/actions/record_start";

    private final WireMockServer stubs = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = MutableClock.now();
    private Map<String, String> env;
    private Wiring wiring;
    private WebhookHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        stubs.start();
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201).withBody("{\"id\":1}")));
        stubs.stubFor(post(urlPathMatching(RECORD_START)).willReturn(okJson("{\"data\":{\"result\":\"ok\"}}")));
        env = Fixtures.environment(TestRedis.url(DB), stubs.baseUrl(), stubs.baseUrl());
        build();
    }

    private void build() {
        if (wiring != null) {
            wiring.redis().close();
        }
        wiring = Fixtures.wiring("CallStatusWebhookFunction", env, clock, log);
        handler = new WebhookHandler(wiring);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        // every record_start (or other command) sent, and every Telnyx read stubbed, is as Telnyx's spec has it
        TelnyxWireMock.checkCommands(stubs);
        TelnyxWireMock.checkReads(stubs);
        stubs.stop();
        String logged = log.text();
        for (String key : List.of("TELNYX_SIP_API_KEY", "TELNYX_SIP_PASSWORD", "INTERNAL_API_KEY", "WEB_BACKEND_API_KEY")) {
            assertFalse(logged.contains(env.get(key)), key + " leaked into the log");
        }
        assertTrue(logged.lines().allMatch(line -> line.startsWith("{") && line.endsWith("}")), "JSON lines only");
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder okJson(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private APIGatewayV2HTTPResponse deliver(String file) {
        return handler.handleRequest(Fixtures.signed(Fixtures.event(file), clock.instant()), null);
    }

    private APIGatewayV2HTTPResponse deliver(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(Fixtures.signed(event, clock.instant()), null);
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return Json.mapper().readTree(response.getBody());
    }

    private com.aicallgo.coldcall.core.calls.OutboxDrain.Report drain() {
        return wiring.outboxDrain().drain(false, clock.instant().plusSeconds(30));
    }

    private int callLogs() {
        return stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS))).size();
    }

    private JsonNode onlyCallLog() throws Exception {
        var requests = stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS)));
        assertEquals(1, requests.size(), "exactly one call log");
        return Json.mapper().readTree(requests.get(0).getBodyAsString());
    }

    @Test
    void answeredThenHungUpPostsOneCompletedCallLogWithTheContractFields() throws Exception {
        assertEquals(200, deliver("call-status/call-initiated.json").getStatusCode());
        assertEquals(200, deliver("call-status/call-answered.json").getStatusCode());
        APIGatewayV2HTTPResponse response = deliver("call-status/call-hangup-completed.json");
        assertEquals(200, response.getStatusCode());
        assertEquals("call_log_posted", body(response).get("outcome").asText());
        stubs.verify(postRequestedFor(urlEqualTo(CALL_LOGS))
                .withHeader("X-API-Key", equalTo(env.get("WEB_BACKEND_API_KEY")))
                .withRequestBody(equalToJson("""
                        {"business_id": "dev-business-0001", "caller_phone_number": "+15550000001",
                         "to_phone_number": "+18005551234", "call_direction": "OUTBOUND",
                         "call_start_time": "2025-11-15T10:30:08Z", "call_end_time": "2025-11-15T10:31:53.400Z",
                         "call_duration_seconds": 105, "call_status": "completed",
                         "twilio_call_sid": "v3:dev-call-0001"}""")));
        assertEquals(1, callLogs());
        Map<String, String> state = TestRedis.with(DB, redis -> redis.hgetall("cold_call_status:{v3:dev-call-0001}"));
        for (String field : List.of("call_control_id", "state", "to_phone", "from_phone", "call_start_time", "updated_at")) {
            assertTrue(state.containsKey(field), "Redis keeps " + field);
        }
        assertEquals("ended", state.get("state"));
        assertEquals("done", state.get("call_log"));
    }

    @ParameterizedTest
    @CsvSource({
        "call-hangup-busy.json, v3:dev-call-busy-0002, busy, 2025-11-15T10:30:00Z",
        "call-hangup-no-answer.json, v3:dev-call-noanswer-0003, no-answer, 2025-11-15T10:30:00Z",
        "call-hangup-rejected.json, v3:dev-call-rejected-0004, busy, 2025-11-15T10:30:00Z",
        "call-hangup-canceled.json, v3:dev-call-canceled-0005, canceled, 2025-11-15T10:30:00Z",
        "call-hangup-failed.json, v3:dev-call-failed-0006, failed, 2025-11-15T10:30:00Z",
    })
    void everyUnansweredRowOfTheStatusTable(String file, String callControlId, String status, String initiatedAt)
            throws Exception {
        // initiated first or not, an unanswered call's log starts at Telnyx's start_time
        APIGatewayV2HTTPEvent initiated = Fixtures.event("call-status/call-initiated.json");
        Fixtures.withBody(initiated, Fixtures.bodyText(initiated).replace("v3:dev-call-0001", callControlId)
                .replace("0b3c1a36-1111-4c57-9a0e-000000000001", java.util.UUID.nameUUIDFromBytes(
                        callControlId.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()), clock.instant());
        assertEquals(200, deliver(initiated).getStatusCode());
        assertEquals(200, deliver("call-status/" + file).getStatusCode());
        JsonNode log = onlyCallLog();
        assertEquals(status, log.get("call_status").asText());
        assertEquals(0, log.get("call_duration_seconds").asInt());
        assertEquals(initiatedAt, log.get("call_start_time").asText());
        assertEquals(callControlId, log.get("twilio_call_sid").asText());
        assertTrue(stubs.findAll(postRequestedFor(urlPathMatching(RECORD_START))).isEmpty(), "no recording for an unanswered call");
    }

    /**
     * The busy hang-up with these payload fields replaced (as JSON carries them), signed without the spec check: a
     * value outside the spec's enums must not get further than one inside them.
     */
    private APIGatewayV2HTTPResponse deliverBusyHangupWith(Map<String, String> fields) throws Exception {
        APIGatewayV2HTTPEvent event = Fixtures.event("call-status/call-hangup-busy.json");
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(Fixtures.bodyText(event));
        var payload = (com.fasterxml.jackson.databind.node.ObjectNode) tree.path("data").path("payload");
        fields.forEach(payload::put);
        return handler.handleRequest(Fixtures.withBodyUnchecked(event, Json.mapper().writeValueAsString(tree),
                clock.instant()), null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "64 KB to       | to   | LONG_TO                              | to_phone_number     | unknown",
        "CR/LF to       | to   | +18005551234\\r\\nX-Injected: 1       | to_phone_number     | unknown",
        "SIP URI to     | to   | sip:+18005559876@sip.telnyx.com      | to_phone_number     | +18005559876",
        "SIP login from | from | sip:gencred5Xk@sip.telnyx.com        | caller_phone_number | +15550000001",
        "SIP URI from   | from | sip:+14155550100@sip.telnyx.com      | caller_phone_number | +14155550100",
        "digits from    | from | 4155550100                           | caller_phone_number | +15550000001",
    })
    void theWebBackendGetsOnlyE164OrAMarkerForTheNumbersAnEventTold(String name, String field, String value,
            String posted, String expected) throws Exception {
        String told = value.equals("LONG_TO") ? "+1" + "9".repeat(65_536)
                : value.replace("\\r", "\r").replace("\\n", "\n");
        APIGatewayV2HTTPResponse response = deliverBusyHangupWith(Map.of(field, told));
        assertEquals(200, response.getStatusCode(), response.getBody());
        JsonNode log = onlyCallLog();
        assertEquals(expected, log.get(posted).asText());
        assertEquals("busy", log.get("call_status").asText());
        for (String number : List.of("caller_phone_number", "to_phone_number")) {
            String text = log.get(number).asText();
            assertTrue(text.equals("unknown") || text.matches("\\+[0-9]{8,15}"), number + ": " + text);
        }
    }

    @Test
    void controlCharactersInTheHangupCausesNeverReachTheWebBackend() throws Exception {
        String hostile = "user_busy\u0000\u001b[31m\r\nX-Injected: 1" + "x".repeat(10_000);
        APIGatewayV2HTTPResponse response = deliverBusyHangupWith(Map.of("hangup_cause", hostile,
                "sip_hangup_cause", hostile, "hangup_source", hostile));
        assertEquals(200, response.getStatusCode(), response.getBody());
        var requests = stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS)));
        assertEquals(1, requests.size());
        String body = requests.get(0).getBodyAsString();
        assertTrue(body.length() < 600, "bounded: " + body.length() + " chars");
        assertFalse(body.contains("X-Injected") || body.contains("\\u0000") || body.contains("xxxx"), body);
        assertEquals("failed", Json.mapper().readTree(body).get("call_status").asText(), "an unknown cause fails");
    }

    @Test
    void neverAnsweredCallWithoutInitiatedStartsAtTheCallsStartTime() throws Exception {
        assertEquals(200, deliver("call-status/call-hangup-busy.json").getStatusCode());
        JsonNode log = onlyCallLog();
        assertEquals("2025-11-15T10:30:00Z", log.get("call_start_time").asText());
        assertEquals("2025-11-15T10:30:05Z", log.get("call_end_time").asText());
    }

    @Test
    void redeliveredHangupPostsOneCallLog() throws Exception {
        deliver("call-status/call-answered.json");
        assertEquals(200, deliver("call-status/call-hangup-completed.json").getStatusCode());
        APIGatewayV2HTTPEvent again = Fixtures.event("call-status/call-hangup-completed.json");
        Fixtures.withBody(again, Fixtures.bodyText(again).replace("\"attempt\":1", "\"attempt\":2"), clock.instant());
        clock.advance(Duration.ofSeconds(30));
        APIGatewayV2HTTPResponse response = deliver(again);
        assertEquals(200, response.getStatusCode());
        assertEquals("duplicate", body(response).get("outcome").asText());
        assertEquals(1, callLogs());
    }

    @Test
    void redeliveredAnswerDoesNotStartASecondRecordingOrMoveTheAnswerTime() throws Exception {
        deliver("call-status/call-answered.json");
        APIGatewayV2HTTPEvent again = Fixtures.event("call-status/call-answered.json");
        Fixtures.withBody(again, Fixtures.bodyText(again).replace("2025-11-15T10:30:08.000000Z", "2025-11-15T10:30:20Z")
                .replace("000000000002", "000000000099"), clock.instant());
        deliver(again);
        assertEquals(1, stubs.findAll(postRequestedFor(urlPathMatching(RECORD_START))).size());
        deliver("call-status/call-hangup-completed.json");
        assertEquals(105, onlyCallLog().get("call_duration_seconds").asInt(), "the first answer time wins");
    }

    @Test
    void answeredStartsADualMp3RecordingWithAStableCommandId() throws Exception {
        APIGatewayV2HTTPResponse response = deliver("call-status/call-answered.json");
        assertEquals("recording_started", body(response).get("outcome").asText());
        var requests = stubs.findAll(postRequestedFor(urlPathMatching(RECORD_START)));
        assertEquals(1, requests.size());
        assertEquals("/v2/calls/v3%3Adev-call-0001/actions/record_start", requests.get(0).getUrl());
        assertEquals("Bearer " + env.get("TELNYX_SIP_API_KEY"), requests.get(0).getHeader("Authorization"));
        JsonNode command = Json.mapper().readTree(requests.get(0).getBodyAsString());
        assertEquals("mp3", command.get("format").asText());
        assertEquals("dual", command.get("channels").asText());
        assertTrue(command.get("command_id").asText().startsWith("record_start-"));
        assertEquals("v3:dev-call-0001", Fixtures.clientStates(env).verify(
                command.get("client_state").asText()).call().value(), "every command names its call in a signed state");
        assertEquals(1, TelnyxWireMock.checkCommands(stubs), "the record_start was checked against its schema");
    }

    @Test
    void telnyxsNumbersReplaceThePagesAndASipUriFromBecomesOurCallerId() throws Exception {
        // the page spoke first (start-recording), with numbers of its own
        liveOnOurConnection();
        wiring.recordingStarter().start(new CallControlId("v3:dev-call-0001"), "+19990001111", "+19990002222");
        // and the browser's leg shows a SIP URI as its from, on every event
        for (String file : List.of("call-initiated.json", "call-answered.json", "call-hangup-completed.json")) {
            APIGatewayV2HTTPEvent event = Fixtures.event("call-status/" + file);
            Fixtures.withBody(event, Fixtures.bodyText(event).replace("\"from\":\"+15550000001\"",
                    "\"from\":\"sip:agent-7@example.sip.telnyx.com\""), clock.instant());
            assertEquals(200, deliver(event).getStatusCode());
        }
        JsonNode log = onlyCallLog();
        assertEquals("+18005551234", log.get("to_phone_number").asText(), "Telnyx's dialled number, not the page's");
        assertEquals("+15550000001", log.get("caller_phone_number").asText());
        assertEquals("+15550000001", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{v3:dev-call-0001}",
                "from_phone")), "a SIP URI is replaced by TELNYX_SIP_PHONE_NUMBER");
    }

    @Test
    void withAutoRecordOffAnAnswerStartsOnlyAPendingRecording() throws Exception {
        env.put("AUTO_RECORD", "false");
        build();
        assertEquals("answered", body(deliver("call-status/call-answered.json")).get("outcome").asText());
        assertTrue(stubs.findAll(postRequestedFor(urlPathMatching(RECORD_START))).isEmpty());

        TestRedis.with(DB, redis -> redis.hset("cold_call_status:{v3:dev-call-busy-0002}", "recording_state", "pending"));
        APIGatewayV2HTTPEvent answered = Fixtures.event("call-status/call-answered.json");
        // another call: its own control id, leg and session (a shared leg id would make it the first call's other leg)
        Fixtures.withBody(answered, Fixtures.bodyText(answered).replace("v3:dev-call-0001", "v3:dev-call-busy-0002")
                .replace("000000000002", "000000000077").replace("f93ed538-2eb3", "f93ed538-2eb4")
                .replace("b08ff4c4-a583", "b08ff4c4-a584"), clock.instant());
        assertEquals("recording_started", body(deliver(answered)).get("outcome").asText());
    }

    @Test
    void hangupBeforeAnswerWaitsForTheAnswerThenLogsTheRightDuration() throws Exception {
        clock.set(Instant.parse("2025-11-15T10:31:55Z"));
        APIGatewayV2HTTPResponse early = deliver("call-status/call-hangup-completed.json");
        assertEquals(200, early.getStatusCode(), "the outbox waits for the answer, not Telnyx's redelivery");
        assertEquals("call_log_queued", body(early).get("outcome").asText());
        assertEquals(0, callLogs());

        APIGatewayV2HTTPResponse answered = deliver("call-status/call-answered.json");
        assertEquals(200, answered.getStatusCode());
        assertEquals("call_log_posted", body(answered).get("outcome").asText());
        assertTrue(stubs.findAll(postRequestedFor(urlPathMatching(RECORD_START))).isEmpty(), "no recording after the end");

        clock.advance(Duration.ofSeconds(120));
        assertEquals(0, drain().posted(), "the deferred entry finds the log delivered");
        assertEquals(200, deliver("call-status/call-hangup-completed.json").getStatusCode());
        JsonNode log = onlyCallLog();
        assertEquals("completed", log.get("call_status").asText());
        assertEquals(105, log.get("call_duration_seconds").asInt());
        assertEquals("2025-11-15T10:30:08Z", log.get("call_start_time").asText());
        assertEquals(0, drain().backlog());
    }

    @Test
    void aHangupDeliveredLateStillWaitsForItsAnswer() throws Exception {
        // Telnyx delivers the hang-up ten minutes after it happened (a redelivery backlog); its answer comes later
        clock.set(Instant.parse("2025-11-15T10:41:53Z"));
        assertEquals("call_log_queued", body(deliver("call-status/call-hangup-completed.json")).get("outcome").asText());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(0, drain().posted(), "the answer wait counts from when the hang-up arrived");
        assertEquals("call_log_posted", body(deliver("call-status/call-answered.json")).get("outcome").asText());
        JsonNode log = onlyCallLog();
        assertEquals("2025-11-15T10:30:08Z", log.get("call_start_time").asText());
        assertEquals(105, log.get("call_duration_seconds").asInt());
    }

    @Test
    void answerNeverSeenStillLogsACompletedCallAfterTheWait() throws Exception {
        clock.set(Instant.parse("2025-11-15T10:31:55Z"));
        // normal_clearing with SIP 200: the call talked, though its call.answered never came
        APIGatewayV2HTTPEvent hangup = Fixtures.event("call-status/call-hangup-completed.json");
        Fixtures.withBody(hangup, Fixtures.bodyText(hangup).replaceAll("\"sip_hangup_cause\":\"[0-9]+\"",
                "\"sip_hangup_cause\":\"200\""), clock.instant());
        assertEquals("call_log_queued", body(deliver(hangup)).get("outcome").asText(), "its answer gives its time");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(0, drain().posted(), "not due before the answer wait (ANSWER_WAIT_SECONDS, 3 s) is over");
        assertEquals(0, callLogs());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, drain().posted());
        JsonNode log = onlyCallLog();
        assertEquals("completed", log.get("call_status").asText());
        assertEquals("2025-11-15T10:30:00Z", log.get("call_start_time").asText(), "best known: when the call started");
        assertEquals(113, log.get("call_duration_seconds").asInt());
        assertEquals(0, drain().backlog());
    }

    @Test
    void webBackendFailureQueuesTheLogAndTheDrainPostsItOnce() throws Exception {
        stubs.stubFor(post(CALL_LOGS).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
        stubs.stubFor(post(CALL_LOGS).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(201)));
        deliver("call-status/call-answered.json");
        APIGatewayV2HTTPResponse failed = deliver("call-status/call-hangup-completed.json");
        assertEquals(200, failed.getStatusCode(), "Telnyx gets a 2xx: the outbox owns the record now");
        assertEquals("call_log_queued", body(failed).get("outcome").asText());

        assertEquals("duplicate", body(deliver("call-status/call-hangup-completed.json")).get("outcome").asText());
        clock.advance(Duration.ofMinutes(30));
        var report = drain();
        assertEquals(1, report.posted());
        assertEquals(0, report.backlog());
        clock.advance(Duration.ofMinutes(30));
        assertEquals(0, wiring.outboxDrain().drain(true, clock.instant().plusSeconds(30)).posted());
        assertEquals(200, deliver("call-status/call-answered.json").getStatusCode());
        assertEquals(2, callLogs(), "one failed attempt, one success, nothing after it");
    }

    @Test
    void theDrainRetriesWithBackoffUntilTheWebBackendTakesIt() throws Exception {
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(503)));
        assertEquals("call_log_queued", body(deliver("call-status/call-hangup-busy.json")).get("outcome").asText());
        assertEquals(0, drain().posted(), "not due yet");
        assertEquals(1, callLogs());
        clock.advance(Duration.ofSeconds(11));
        var second = drain();
        assertEquals(1, second.requeued());
        assertEquals(2, callLogs());
        clock.advance(Duration.ofSeconds(5));
        drain();
        assertEquals(2, callLogs(), "the second retry waits longer than the first");
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201)));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(1, drain().posted());
        clock.advance(Duration.ofHours(1));
        var after = wiring.outboxDrain().drain(true, clock.instant().plusSeconds(30));
        assertEquals(0, after.posted());
        assertEquals(0, after.backlog());
        assertEquals(3, callLogs());
        assertEquals("busy", Json.mapper().readTree(stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS))).get(2)
                .getBodyAsString()).get("call_status").asText());
    }

    @Test
    void aRecordTooOldForTheOutboxGoesToTheDeadLetterListWithAMetric() throws Exception {
        env.put("OUTBOX_MAX_AGE_HOURS", "1");
        build();
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(500)));
        deliver("call-status/call-hangup-busy.json");
        clock.advance(Duration.ofMinutes(61));
        var report = drain();
        assertEquals(1, report.deadLettered());
        assertEquals(0, report.backlog());
        assertEquals(1, report.deadLetters());
        String letter = TestRedis.with(DB, redis -> redis.lindex("cold_call_dead_letters", 0));
        assertEquals("v3:dev-call-busy-0002", Json.mapper().readTree(letter).get("call_control_id").asText());
        JsonNode metric = log.text().lines().map(line -> {
            try {
                return Json.mapper().readTree(line);
            } catch (Exception e) {
                throw new AssertionError(line, e);
            }
        }).filter(line -> line.has("_aws") && line.has("DeadLetters")).findFirst().orElseThrow();
        assertEquals(1, metric.get("DeadLetters").asInt());
        assertEquals("DeadLetters", metric.get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").get(0).get("Name").asText());
        assertEquals("ColdCallDialer", metric.get("_aws").get("CloudWatchMetrics").get(0).get("Namespace").asText());
        assertTrue(log.text().contains("\"level\":\"ERROR\""));
        clock.advance(Duration.ofMinutes(5));
        assertEquals(200, deliver("call-status/call-hangup-busy.json").getStatusCode());
        assertEquals(2, callLogs(), "a dead record is not posted again by a late redelivery");
    }

    @Test
    void aWebBackendThatAlreadyHasTheLogAnswering409IsDelivered() throws Exception {
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(409)));
        assertEquals(200, deliver("call-status/call-hangup-busy.json").getStatusCode());
        assertEquals(200, deliver("call-status/call-hangup-busy.json").getStatusCode());
        assertEquals(1, callLogs());
    }

    @Test
    void aSilentWebBackendIsCutOffBeforeTelnyxGivesUp() throws Exception {
        // the Web Backend would take it, but only after 3 s: "queued" shows the post was cut off at
        // WEB_BACKEND_TIMEOUT_MS (no wall-clock assertion: a loaded CI machine must not make this flaky)
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201).withFixedDelay(3_000)));
        APIGatewayV2HTTPResponse response = deliver("call-status/call-hangup-busy.json");
        assertEquals(200, response.getStatusCode());
        assertEquals("call_log_queued", body(response).get("outcome").asText());
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertEquals("duplicate", body(deliver("call-status/call-hangup-busy.json")).get("outcome").asText(),
                "once queued, a redelivery has nothing to do: the outbox owns the record");
    }

    /** Telnyx lists the events files' call live on our connection: start-recording may ask before any webhook. */
    private void liveOnOurConnection() {
        stubs.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(
                "/v2/connections/dev-connection-0000/active_calls?page%5Bsize%5D=250")).willReturn(okJson("""
                {"data": [{"call_control_id": "v3:dev-call-0001", "call_leg_id": "f93ed538-2eb3-5ab9-ab8e-abe772f6f292",
                  "call_session_id": "b08ff4c4-a583-506e-9383-12bab719adf1", "call_duration": 3,
                  "record_type": "call"}], "meta": {"total_items": 1}}""")));
    }

    @Test
    void startRecordingRacingTheAnswerSendsOneRecordStart() throws Exception {
        liveOnOurConnection();
        stubs.stubFor(post(urlPathMatching(RECORD_START)).willReturn(okJson("{\"data\":{\"result\":\"ok\"}}").withFixedDelay(150)));
        RecordingStarter starter = wiring.recordingStarter();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Object>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(() -> starter.start(new CallControlId("v3:dev-call-0001"), "+18005551234", "+15550000001"));
                tasks.add(() -> deliver("call-status/call-answered.json").getStatusCode());
            }
            for (Future<Object> result : pool.invokeAll(tasks)) {
                Object value = result.get();
                if (value instanceof Integer status) {
                    assertEquals(200, status);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, stubs.findAll(postRequestedFor(urlPathMatching(RECORD_START))).size());
        assertEquals("started", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{v3:dev-call-0001}", "recording_state")));
    }

    @Test
    void aRecordingPendingBeforeTheAnswerIsStartedByTheAnswer() throws Exception {
        liveOnOurConnection();
        stubs.stubFor(post(urlPathMatching(RECORD_START)).inScenario("answer").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(422).withBody(
                        "{\"errors\":[{\"code\":\"90034\",\"title\":\"Call not answered yet\"}]}")).willSetStateTo("answered"));
        stubs.stubFor(post(urlPathMatching(RECORD_START)).inScenario("answer").whenScenarioStateIs("answered")
                .willReturn(okJson("{\"data\":{\"result\":\"ok\"}}")));
        assertEquals(com.aicallgo.coldcall.core.calls.StartOutcome.PENDING,
                wiring.recordingStarter().start(new CallControlId("v3:dev-call-0001"), "+18005551234", "+15550000001"));
        assertEquals("recording_started", body(deliver("call-status/call-answered.json")).get("outcome").asText());
        assertEquals(2, stubs.findAll(postRequestedFor(urlPathMatching(RECORD_START))).size());
    }

    @Test
    void normalClearingWithoutAnAnswerOrARecordingIsNotACompletedCall() throws Exception {
        clock.set(Instant.parse("2025-11-15T10:31:55Z"));
        APIGatewayV2HTTPEvent hangup = Fixtures.event("call-status/call-hangup-completed.json");
        Fixtures.withBody(hangup, Fixtures.bodyText(hangup).replaceAll("\"sip_hangup_cause\":\"[0-9]+\"",
                "\"sip_hangup_cause\":\"503\""), clock.instant());
        assertEquals("call_log_posted", body(deliver(hangup)).get("outcome").asText(),
                "a SIP final response other than 200 says it never talked: no wait");
        assertEquals("failed", onlyCallLog().get("call_status").asText());
        assertEquals(0, onlyCallLog().get("call_duration_seconds").asInt());
    }

    /** The direct call's hang-up with these facts instead of the fixture's (which says callee, SIP 200). */
    private APIGatewayV2HTTPEvent hangup(String source, String sip) {
        APIGatewayV2HTTPEvent hangup = Fixtures.event("call-status/call-hangup-completed.json");
        return Fixtures.withBody(hangup, Fixtures.bodyText(hangup).replace("\"hangup_source\":\"callee\"",
                "\"hangup_source\":\"" + source + "\"").replaceAll("\"sip_hangup_cause\":\"[0-9]+\"",
                "\"sip_hangup_cause\":\"" + sip + "\""), clock.instant());
    }

    /** Telnyx's recordings API lists no recording of the call, by any of its ids. */
    private void telnyxListsNoRecording() {
        stubs.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v2/recordings"))
                .willReturn(okJson("{\"data\": [], \"meta\": {}}")));
    }

    @Test
    void aTabClosedWhileItRingsIsOneCanceledCallLogAtOnce() throws Exception {
        clock.set(Instant.parse("2025-11-15T10:31:54Z"));
        assertEquals(200, deliver("call-status/call-initiated.json").getStatusCode());
        // the browser's leg ended by its own side, normal_clearing, no SIP code, no answer
        APIGatewayV2HTTPEvent closed = hangup("caller", "unspecified");
        // Telnyx ended the call 400 ms before it sent the hang-up
        Fixtures.withBody(closed, Fixtures.bodyText(closed).replace("\"end_time\":\"2025-11-15T10:31:53.400000Z\"",
                "\"end_time\":\"2025-11-15T10:31:53.000000Z\""), clock.instant());
        APIGatewayV2HTTPResponse response = deliver(closed);
        assertEquals("call_log_posted", body(response).get("outcome").asText(), "no wait: nothing can talk now");
        JsonNode log = onlyCallLog();
        assertEquals("canceled", log.get("call_status").asText());
        assertEquals(0, log.get("call_duration_seconds").asInt());
        assertEquals(0L, (long) TestRedis.with(DB, redis -> redis.zcard("cold_call_recording_checks")), "no recording due");
        assertEquals(List.of(1000.0), timeToCallLog(), "measured from the call's end (end_time), not the event's time");
    }

    /** The TimeToCallLogMs values logged so far. */
    private List<Double> timeToCallLog() throws Exception {
        List<Double> values = new ArrayList<>();
        for (String line : log.text().lines().toList()) {
            JsonNode node = Json.mapper().readTree(line);
            if (node.has("TimeToCallLogMs")) {
                values.add(node.get("TimeToCallLogMs").asDouble());
            }
        }
        return values;
    }

    @Test
    void theOwnLegsHangupBeforeItsAnswerWaitsBrieflyThenLogsTheTalk() throws Exception {
        clock.set(Instant.parse("2025-11-15T10:31:54Z"));
        // the callee hung up after talking; Telnyx delivers the hang-up (no SIP code) before the answer
        assertEquals("call_log_queued", body(deliver(hangup("callee", "unspecified"))).get("outcome").asText());
        clock.advance(Duration.ofSeconds(1));
        assertEquals("call_log_posted", body(deliver("call-status/call-answered.json")).get("outcome").asText());
        JsonNode log = onlyCallLog();
        assertEquals("completed", log.get("call_status").asText());
        assertEquals(105, log.get("call_duration_seconds").asInt());
        assertTrue(stubs.findAll(postRequestedFor(urlPathMatching(RECORD_START))).isEmpty(), "no recording after the end");
        assertEquals("call_ended", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{v3:dev-call-0001}",
                "recording_state")), "nothing could record it: the check is told why");
        assertEquals(List.of(1600.0), timeToCallLog(), "the wait counts: from the call's end");

        telnyxListsNoRecording();
        clock.advance(Duration.ofMinutes(4));
        wiring.recordingReconciler().reconcile(false, clock.instant().plusSeconds(30));
        assertFalse(log().contains("\"ERROR\""), log());
        assertTrue(log().contains("answered call ended before Telnyx could record it"), log());
    }

    @Test
    void aCancelAtTheInstantOfTheAnswerRaisesNoRecordingError() throws Exception {
        // the page cancels as the callee answers: record_start reaches Telnyx after the call ended
        stubs.stubFor(post(urlPathMatching(RECORD_START)).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"code\":\"90018\",\"title\":\"Call has already ended\"}]}")));
        clock.set(Instant.parse("2025-11-15T10:30:09Z"));
        assertEquals("recording_call_ended", body(deliver("call-status/call-answered.json")).get("outcome").asText());
        APIGatewayV2HTTPEvent hangup = Fixtures.event("call-status/call-hangup-completed.json");
        Fixtures.withBody(hangup, Fixtures.bodyText(hangup).replace("\"hangup_source\":\"callee\"",
                "\"hangup_source\":\"caller\"").replace("2025-11-15T10:31:53.400000Z", "2025-11-15T10:30:08.500000Z"),
                clock.instant());
        assertEquals("call_log_posted", body(deliver(hangup)).get("outcome").asText());
        assertEquals("completed", onlyCallLog().get("call_status").asText());

        telnyxListsNoRecording();
        clock.advance(Duration.ofMinutes(4));
        wiring.recordingReconciler().reconcile(false, clock.instant().plusSeconds(30));
        String logged = log();
        assertFalse(logged.contains("\"ERROR\""), logged);
        assertFalse(logged.contains("AUTO_RECORD"), "nothing blames AUTO_RECORD: " + logged);
        assertTrue(logged.contains("Telnyx had ended it when record_start was sent"), logged);
    }

    private String log() {
        return log.text();
    }

    @Test
    void recordingEventsSentToTheConnectionUrlReachTheWebBackendOnce() throws Exception {
        clock.set(Instant.parse("2025-11-15T10:31:56Z"));
        // record_start takes no webhook URL: Telnyx sends the recording events where the call's events go
        stubs.stubFor(post("/api/v1/recordings").willReturn(aResponse().withStatus(201).withBody("{}")));
        APIGatewayV2HTTPResponse saved = deliver("recording/call-recording-saved.json");
        assertEquals(200, saved.getStatusCode());
        assertEquals("recording_posted", body(saved).get("outcome").asText());
        assertEquals("duplicate", body(deliver("recording/call-recording-saved.json")).get("outcome").asText());
        var posted = stubs.findAll(postRequestedFor(urlEqualTo("/api/v1/recordings")));
        assertEquals(1, posted.size());
        JsonNode recording = Json.mapper().readTree(posted.get(0).getBodyAsString());
        assertEquals("7d4b1f52-4c1e-4a8e-9f43-2b8e6d1a0001", recording.get("recording_sid").asText());
        assertEquals("completed", recording.get("recording_status").asText());
    }

    @Test
    void unknownEventTypesAre200AndIgnored() throws Exception {
        APIGatewayV2HTTPEvent event = Fixtures.event("call-status/call-initiated.json");
        Fixtures.withBody(event, Fixtures.bodyText(event).replace("call.initiated", "call.bridged")
                .replace("\"state\":\"bridging\"", "\"state\":\"bridged\""), clock.instant());
        APIGatewayV2HTTPResponse response = deliver(event);
        assertEquals(200, response.getStatusCode());
        assertEquals("ignored", body(response).get("outcome").asText());
        assertTrue(TestRedis.with(DB, redis -> redis.keys("*")).isEmpty(), "nothing stored");
        assertTrue(log.text().contains("\"event_type\":\"call.bridged\""));
    }

    @Test
    void badSignaturesAre401AndChangeNothing() throws Exception {
        APIGatewayV2HTTPEvent tampered = Fixtures.signed(Fixtures.event("call-status/call-hangup-busy.json"), clock.instant());
        tampered.setBody(tampered.getBody().replace("user_busy", "normal_clearing"));
        assertEquals(401, handler.handleRequest(tampered, null).getStatusCode());

        APIGatewayV2HTTPEvent stale = Fixtures.signed(Fixtures.event("call-status/call-hangup-busy.json"),
                clock.instant().minusSeconds(301));
        APIGatewayV2HTTPResponse response = handler.handleRequest(stale, null);
        assertEquals(401, response.getStatusCode());
        assertEquals("invalid_signature", body(response).get("error").asText());

        APIGatewayV2HTTPEvent unsigned = Fixtures.event("call-status/call-hangup-busy.json");
        unsigned.setHeaders(Map.of("content-type", "application/json"));
        assertEquals(401, handler.handleRequest(unsigned, null).getStatusCode());
        assertEquals(0, callLogs());
        assertTrue(TestRedis.with(DB, redis -> redis.keys("*")).isEmpty());
    }

    @Test
    void aBase64BodyIsVerifiedOnItsDecodedBytes() throws Exception {
        APIGatewayV2HTTPEvent event = Fixtures.event("call-status/call-hangup-busy.json");
        event.setBody(java.util.Base64.getEncoder().encodeToString(event.getBody().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        event.setIsBase64Encoded(true);
        assertEquals(200, deliver(event).getStatusCode());
        assertEquals(1, callLogs());
    }

    @Test
    void aVerifiedEventNamingNoneOfOurCallsIsAcknowledgedAndLogged() throws Exception {
        for (String payload : List.of("{}", "{\"call_leg_id\":\"leg-unknown\",\"call_session_id\":\"s-unknown\"}",
                "{\"client_state\":\"bm90IG91cnM=\"}")) {
            String body = "{\"data\":{\"record_type\":\"event\",\"event_type\":\"call.hangup\",\"id\":\""
                    + java.util.UUID.nameUUIDFromBytes(payload.getBytes()) + "\",\"occurred_at\":\"2025-11-15T10:30:00Z\","
                    + "\"payload\":" + payload + "}}";
            APIGatewayV2HTTPResponse response = deliver(Fixtures.withBody(
                    Fixtures.event("call-status/call-hangup-busy.json"), body, clock.instant()));
            assertEquals(200, response.getStatusCode(), body);
            assertEquals("unattributed", body(response).get("outcome").asText());
        }
        assertTrue(log.text().contains("unattributed"), "each one is a WARN line with its ids");
        assertTrue(log.text().contains("leg-unknown"));
        assertEquals(0, callLogs());
    }

    @Test
    void malformedWebhooksAre400() throws Exception {
        for (String body : List.of("{", "[]", "{\"data\":{\"event_type\":\"call.hangup\"}}",
                "{\"data\":{\"event_type\":\"call.hangup\",\"id\":\"x\",\"occurred_at\":\"yesterday\",\"payload\":{}}}")) {
            APIGatewayV2HTTPEvent event = Fixtures.withBodyUnchecked(Fixtures.event("call-status/call-hangup-busy.json"),
                    body, clock.instant());
            APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
            assertEquals(400, response.getStatusCode(), body);
            assertEquals("invalid_request", body(response).get("error").asText());
        }
    }

    @Test
    void snapStartPrimingTouchesNoOutsideServiceAndRedisComesBackAfterRestore() throws Exception {
        handler.priming().beforeCheckpoint(null);
        assertTrue(stubs.getAllServeEvents().isEmpty(), "priming called neither Telnyx nor the Web Backend");
        assertTrue(TestRedis.with(DB, redis -> redis.keys("*")).isEmpty(), "priming stored nothing");
        assertTrue(log.text().contains("\"request_id\":\"snapstart-priming\""), log.text());
        // the HTTP path was primed against the in-process loopback answer, not skipped with a warning
        assertFalse(log.text().contains("http priming failed"), log.text());
        handler.priming().afterRestore(null);
        assertEquals(200, deliver("call-status/call-hangup-busy.json").getStatusCode());
        assertEquals(1, callLogs());
    }

    @Test
    void redisDownAnswers503SoTelnyxRedelivers() throws Exception {
        env.put("REDIS_URL", "redis://127.0.0.1:1");
        build();
        APIGatewayV2HTTPResponse response = deliver("call-status/call-hangup-busy.json");
        assertEquals(503, response.getStatusCode());
        assertEquals("store_unavailable", body(response).get("error").asText());
        assertFalse(response.getBody().contains("Exception"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"start_time\":\"2025-11-15T10:30:00.000000Z\" | \"start_time\":\"-290000000-01-01T00:00:00Z\" | data.payload.start_time",
        "\"end_time\":\"2025-11-15T10:31:53.400000Z\" | \"end_time\":\"+290000000-01-01T00:00:00Z\" | data.payload.end_time",
        "\"occurred_at\":\"2025-11-15T10:31:53.400000Z\" | \"occurred_at\":\"1999-12-31T23:59:59Z\" | data.occurred_at",
    })
    void anAbsurdEventTimeIsA400NamingTheFieldAndStoresNothing(String from, String to, String field) throws Exception {
        APIGatewayV2HTTPEvent event = Fixtures.event("call-status/call-hangup-completed.json");
        String original = Fixtures.bodyText(event);
        assertTrue(original.contains(from), "the fixture has " + from);
        APIGatewayV2HTTPResponse response = handler.handleRequest(
                Fixtures.withBodyUnchecked(event, original.replace(from, to), clock.instant()), null);
        assertEquals(400, response.getStatusCode(), response.getBody());
        assertEquals("invalid_request", body(response).get("error").asText());
        assertTrue(body(response).get("fields").has(field), response.getBody());
        assertEquals(0L, (long) TestRedis.with(DB, redis -> redis.exists("cold_call_status:{v3:dev-call-0001}")));
        assertEquals(0, callLogs());
    }

    @Test
    void twoIdsThatARedisClientWouldWriteAsOneKeyAreNeverMerged() throws Exception {
        APIGatewayV2HTTPEvent first = Fixtures.event("call-status/call-hangup-busy.json");
        String text = Fixtures.bodyText(first);
        APIGatewayV2HTTPResponse surrogate = handler.handleRequest(Fixtures.withBodyUnchecked(first,
                text.replace("v3:dev-call-busy-0002", "v3:dev-call-busy-0002\\ud800"), clock.instant()), null);
        assertEquals(400, surrogate.getStatusCode(), surrogate.getBody());
        assertTrue(body(surrogate).get("fields").has("data.payload.call_control_id"), surrogate.getBody());
        APIGatewayV2HTTPResponse question = handler.handleRequest(Fixtures.withBody(
                Fixtures.event("call-status/call-hangup-busy.json"),
                text.replace("v3:dev-call-busy-0002", "v3:dev-call-busy-0002?").replace("\"id\":\"0", "\"id\":\"f"),
                clock.instant()), null);
        assertEquals(200, question.getStatusCode(), question.getBody());
        assertEquals("call_log_posted", body(question).get("outcome").asText());
        assertEquals(1, callLogs());
    }
}
