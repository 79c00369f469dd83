package com.aicallgo.coldcall.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.telnyx.ClientState;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TelnyxExamples;
import com.aicallgo.coldcall.core.testing.TelnyxExamples.Leg;
import com.aicallgo.coldcall.core.testing.TelnyxWireMock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parked flow ({@code CALL_FLOW=parked}) from the webhooks' side, with bodies shaped as Telnyx's spec allows
 * ({@link TelnyxExamples}): the browser's parked leg is connected by one transfer (recording from the answer), the
 * destination's leg tells the answer and the outcome, and a destination that never answers ends the browser's leg
 * with that outcome.
 */
class ParkedFlowIT {
    static final int DB = 12;
    static final String CALL_LOGS = "/api/v1/call-logs";
    static final String RECORDINGS = "/api/v1/recordings";
    static final String TRANSFER = "/v2/calls/.*/actions/transfer";
    static final String HANGUP = "/v2/calls/.*/actions/hangup";
    static final String ANSWER = "/v2/calls/.*/actions/answer";
    static final String NOT_ANSWERED = "{\"errors\":[{\"code\":\"90034\",\"title\":\"Call has not been answered\"}]}";
    static final Instant T = Instant.parse("2025-11-15T10:30:00Z");
    static final String CALLER_ID = "+15550000001";

    private final WireMockServer stubs = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = new MutableClock(T.plusSeconds(1));
    /** The browser's leg: parked, its from a SIP URI, as the spec allows. */
    private final Leg browser = Leg.of("v3:parked-browser-0001").withNumbers("sip:agent@example.sip.telnyx.com",
            "+18005551234");
    /** The leg the transfer creates: its own ids, the browser's session, our state. */
    /** The dev environment; its stand-ins' URLs are set once WireMock has its port. */
    private final Map<String, String> env = Fixtures.environment(TestRedis.url(DB), "http://127.0.0.1:9/unset",
            "http://127.0.0.1:9/unset");
    private final ClientState states = Fixtures.clientStates(env);
    private final Leg destination = new Leg("v3:parked-destination-0001", "9a0f7f0e-1b7e-4a57-8f0e-000000000002",
            browser.callSessionId(), "dev-connection-0000", CALLER_ID, "+18005551234",
            states.of(new CallControlId(browser.callControlId()), browser.callSessionId()));
    private Wiring wiring;
    private WebhookHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        stubs.start();
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201)));
        stubs.stubFor(post(RECORDINGS).willReturn(aResponse().withStatus(201)));
        stubs.stubFor(post(urlPathMatching(TRANSFER)).willReturn(ok()));
        stubs.stubFor(post(urlPathMatching(HANGUP)).willReturn(ok()));
        env.put("WEB_BACKEND_URL", stubs.baseUrl());
        env.put("TELNYX_API_BASE", stubs.baseUrl());
        env.put("CALL_FLOW", "parked");
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
        TelnyxWireMock.checkCommands(stubs);
        TelnyxWireMock.checkReads(stubs);
        stubs.stop();
        assertFalse(log.text().contains(env.get("TELNYX_SIP_API_KEY")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"data\":{\"result\":\"ok\"}}");
    }

    private String deliver(String body) throws Exception {
        APIGatewayV2HTTPResponse response = handler.handleRequest(Fixtures.withBody(
                Fixtures.event("call-status/call-initiated.json"), body, clock.instant()), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        return Json.mapper().readTree(response.getBody()).get("outcome").asText();
    }

    private List<JsonNode> commands(String path) throws Exception {
        var found = new java.util.ArrayList<JsonNode>();
        for (var request : stubs.findAll(postRequestedFor(urlPathMatching(path)))) {
            found.add(Json.mapper().readTree(request.getBodyAsString()));
        }
        return found;
    }

    private JsonNode onlyCallLog() throws Exception {
        var requests = stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS)));
        assertEquals(1, requests.size(), "exactly one call log");
        return Json.mapper().readTree(requests.get(0).getBodyAsString());
    }

    private String parked() throws Exception {
        return deliver(TelnyxExamples.specInitiated(browser, "parked", T));
    }

    @Test
    void aParkedCallIsConnectedOnceWithOurCallerIdAndRecordedFromTheAnswer() throws Exception {
        assertEquals("connecting", parked());
        assertEquals("duplicate", deliver(TelnyxExamples.specInitiated(browser, "parked", T)), "a redelivery");
        List<JsonNode> transfers = commands(TRANSFER);
        assertEquals(1, transfers.size(), "one transfer per call");
        assertEquals("/v2/calls/v3%3Aparked-browser-0001/actions/transfer",
                stubs.findAll(postRequestedFor(urlPathMatching(TRANSFER))).get(0).getUrl());
        JsonNode transfer = transfers.get(0);
        assertEquals("+18005551234", transfer.get("to").asText());
        assertEquals(CALLER_ID, transfer.get("from").asText(), "our caller ID, never the browser's SIP URI");
        assertEquals("record-from-answer", transfer.get("record").asText());
        assertEquals("mp3", transfer.get("record_format").asText());
        assertEquals("dual", transfer.get("record_channels").asText());
        assertEquals(30, transfer.get("timeout_secs").asInt());
        assertEquals(browser.callControlId(), states.verify(transfer.get("client_state").asText()).call().value());
        assertEquals(browser.callControlId(), states.verify(transfer.get("target_leg_client_state").asText())
                .call().value());

        clock.set(T.plusSeconds(2));
        assertEquals("recorded", deliver(TelnyxExamples.specInitiated(destination, "bridging", T.plusSeconds(1))));
        clock.set(T.plusSeconds(9));
        assertEquals("answered", deliver(TelnyxExamples.specAnswered(destination, T.plusSeconds(8))));
        // the browser's own answer is not the callee's, and starts no recording of its own
        assertEquals("recorded", deliver(TelnyxExamples.specAnswered(browser, T.plusSeconds(2))));
        clock.set(T.plusSeconds(70));
        // field-minimal: no client_state; its leg, indexed when first seen, names the call
        assertEquals("recorded", deliver(TelnyxExamples.hangupMinimal(destination, "normal_clearing", "callee", "200",
                T.plusSeconds(68))));
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(browser, "normal_clearing", "callee", "200",
                T, T.plusSeconds(68))));
        JsonNode log = onlyCallLog();
        assertEquals("completed", log.get("call_status").asText());
        assertEquals(60, log.get("call_duration_seconds").asInt(), "from the callee's answer");
        assertEquals(T.plusSeconds(8).toString(), log.get("call_start_time").asText());
        assertEquals(CALLER_ID, log.get("caller_phone_number").asText(), "a SIP URI from becomes our caller ID");
        assertEquals("+18005551234", log.get("to_phone_number").asText());
        assertEquals(browser.callControlId(), log.get("twilio_call_sid").asText());
        assertEquals(0, stubs.findAll(postRequestedFor(urlPathMatching("/v2/calls/.*/actions/record_start"))).size(),
                "the transfer asked for the recording: no record_start");
        // the callee hung up first: the browser's leg is hung up too (Telnyx may have done so: 90018 is fine), with
        // no outcome to tell
        assertEquals(1, commands(HANGUP).size());
        assertFalse(commands(HANGUP).get(0).has("custom_headers"));

        // the recording, as the spec has it: no call_control_id, no recording_id, the destination's leg
        stubs.stubFor(get(urlPathEqualTo("/v2/recordings")).withQueryParam("filter[call_leg_id]",
                equalTo(destination.callLegId())).willReturn(aResponse().withStatus(200).withBody("""
                {"data": [{"id": "rec-parked-0001", "record_type": "recording", "call_leg_id": "%s",
                  "call_session_id": "%s", "channels": "dual", "status": "completed",
                  "recording_started_at": "2025-11-15T10:30:08Z", "recording_ended_at": "2025-11-15T10:31:08Z",
                  "download_urls": {"mp3": "https://s3.example/rec-parked-0001.mp3"}}]}"""
                .formatted(destination.callLegId(), destination.callSessionId()))));
        assertEquals("recording_posted", deliver(TelnyxExamples.recordingSavedMinimal(destination,
                T.plusSeconds(8), T.plusSeconds(68), "https://s3.example/hook-0001.mp3", T.plusSeconds(69))));
        var recordings = stubs.findAll(postRequestedFor(urlEqualTo(RECORDINGS)));
        assertEquals(1, recordings.size());
        JsonNode recording = Json.mapper().readTree(recordings.get(0).getBodyAsString());
        assertEquals(browser.callControlId(), recording.get("call_sid").asText(), "attributed by the indexed leg");
        assertEquals("rec-parked-0001", recording.get("recording_sid").asText(), "named by the recordings API");
        assertEquals("https://s3.example/hook-0001.mp3", recording.get("recording_url").asText());
        assertEquals(60, recording.get("recording_duration_seconds").asInt());
    }

    @ParameterizedTest(name = "{0} / SIP {1} -> {2}, the page told {3}")
    @CsvSource({
        "user_busy, 486, busy, busy",
        "timeout, 408, no-answer, no-answer",
        "call_rejected, 603, busy, rejected",
        "not_found, 404, failed, invalid-number",
        "unspecified, 503, failed, failed",
    })
    void aDestinationThatNeverAnswersEndsTheBrowsersLegWithItsOutcome(String cause, String sip, String status,
            String told) throws Exception {
        parked();
        deliver(TelnyxExamples.specInitiated(destination, "bridging", T.plusSeconds(1)));
        clock.set(T.plusSeconds(20));
        String hangup = TelnyxExamples.specHangup(destination, cause, "callee", sip, T, T.plusSeconds(19));
        assertEquals("connect_failed", deliver(hangup));
        assertEquals("duplicate", deliver(hangup));
        List<JsonNode> hangups = commands(HANGUP);
        assertEquals(1, hangups.size(), "the browser's leg is hung up once");
        assertEquals("/v2/calls/v3%3Aparked-browser-0001/actions/hangup",
                stubs.findAll(postRequestedFor(urlPathMatching(HANGUP))).get(0).getUrl());
        JsonNode header = hangups.get(0).get("custom_headers").get(0);
        assertEquals("X-Cold-Call-Outcome", header.get("name").asText());
        assertEquals(told, header.get("value").asText());

        // Telnyx then reports the browser's leg ended by our hang-up
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(browser, "normal_clearing", "caller", "200",
                T, T.plusSeconds(20))));
        JsonNode log = onlyCallLog();
        assertEquals(status, log.get("call_status").asText(), "the destination's outcome, not our hang-up's");
        assertEquals(0, log.get("call_duration_seconds").asInt());
    }

    @Test
    void theDestinationsOutcomeCountsWhicheverHangUpArrivesFirst() throws Exception {
        parked();
        clock.set(T.plusSeconds(31));
        assertEquals("call_log_queued", deliver(TelnyxExamples.specHangup(browser, "normal_clearing", "caller", "200",
                T, T.plusSeconds(31))), "the browser's leg alone cannot tell; the destination's may still come");
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(destination, "timeout", "callee", "408", T,
                T.plusSeconds(30))), "the destination's outcome posts the log that waited for it");
        assertEquals(0, commands(HANGUP).size(), "the browser's leg had ended: nothing to hang up");
        assertEquals("no-answer", onlyCallLog().get("call_status").asText());
        clock.advance(Duration.ofSeconds(61));
        assertEquals(0, wiring.outboxDrain().drain(false, clock.instant().plusSeconds(30)).posted());
    }

    @Test
    void thePagesStartRecordingNeverSendsASecondRecordingInTheParkedFlow() throws Exception {
        // the page may ask before call.initiated is handled: the call's flow is not known yet, and Telnyx lists the
        // call live on our connection (no webhook named it yet)
        stubs.stubFor(get(urlPathEqualTo("/v2/connections/dev-connection-0000/active_calls")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                {"data": [{"call_control_id": "%s", "call_leg_id": "%s", "call_session_id": "%s",
                  "call_duration": 1, "record_type": "call"}], "meta": {"total_items": 1}}"""
                .formatted(browser.callControlId(), browser.callLegId(), browser.callSessionId()))));
        assertEquals(com.aicallgo.coldcall.core.calls.StartOutcome.PENDING,
                wiring.recordingStarter().start(new CallControlId(browser.callControlId()), "+18005551234", CALLER_ID));
        assertEquals("connecting", parked());
        assertEquals("started", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + browser.callControlId()
                + "}", "recording_state")), "the transfer records from the answer");
        assertEquals(com.aicallgo.coldcall.core.calls.StartOutcome.ALREADY_STARTED,
                wiring.recordingStarter().start(new CallControlId(browser.callControlId()), "+18005551234", CALLER_ID));
        clock.set(T.plusSeconds(9));
        deliver(TelnyxExamples.specAnswered(destination, T.plusSeconds(8)));
        deliver(TelnyxExamples.specAnswered(browser, T.plusSeconds(8)));
        assertEquals(0, stubs.findAll(postRequestedFor(urlPathMatching("/v2/calls/.*/actions/record_start"))).size());
    }

    /** Every command sent, in the order WireMock received them: its action and body. */
    private List<Map.Entry<String, JsonNode>> commandsInOrder() throws Exception {
        // WireMock lists what it served newest first
        var events = new java.util.ArrayList<>(stubs.getAllServeEvents());
        java.util.Collections.reverse(events);
        var sent = new java.util.ArrayList<Map.Entry<String, JsonNode>>();
        for (var event : events) {
            String url = event.getRequest().getUrl();
            if (url.contains("/actions/")) {
                sent.add(Map.entry(url.substring(url.lastIndexOf('/') + 1),
                        Json.mapper().readTree(event.getRequest().getBodyAsString())));
            }
        }
        return sent;
    }

    @Test
    void aTransferRefusedAsNotAnsweredAnswersTheParkedLegAndConnectsOnceMore() throws Exception {
        stubs.stubFor(post(urlPathMatching(TRANSFER)).inScenario("parked").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                        .withBody(NOT_ANSWERED)).willSetStateTo("refused once"));
        stubs.stubFor(post(urlPathMatching(ANSWER)).willReturn(ok()));
        String initiated = TelnyxExamples.specInitiated(browser, "parked", T);
        assertEquals("connecting", deliver(initiated));

        List<Map.Entry<String, JsonNode>> sent = commandsInOrder();
        assertEquals(List.of("transfer", "answer", "transfer"), sent.stream().map(Map.Entry::getKey).toList());
        assertEquals("/v2/calls/v3%3Aparked-browser-0001/actions/answer",
                stubs.findAll(postRequestedFor(urlPathMatching(ANSWER))).get(0).getUrl(), "the browser's leg");
        JsonNode answer = sent.get(1).getValue();
        assertTrue(answer.get("command_id").asText().startsWith("answer-"));
        assertEquals(browser.callControlId(), states.verify(answer.get("client_state").asText()).call().value());
        JsonNode first = ((com.fasterxml.jackson.databind.node.ObjectNode) sent.get(0).getValue().deepCopy())
                .without(List.of("command_id", "client_state", "target_leg_client_state"));
        JsonNode again = ((com.fasterxml.jackson.databind.node.ObjectNode) sent.get(2).getValue().deepCopy())
                .without(List.of("command_id", "client_state", "target_leg_client_state"));
        assertEquals(first, again, "the same connect: number, caller ID, timeout, recording");
        assertNotEquals(sent.get(0).getValue().get("command_id"), sent.get(2).getValue().get("command_id"),
                "a new attempt, which Telnyx runs");
        assertEquals("started", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + browser.callControlId()
                + "}", "recording_state")), "the transfer that took records from the answer");
        assertEquals(0, commands(HANGUP).size());

        assertEquals("duplicate", deliver(initiated), "a redelivery doubles nothing");
        assertEquals(3, commandsInOrder().size());
    }

    @Test
    void aTransferRefusedAsNotAnsweredAlsoAfterTheAnswerEndsTheCallAsFailed() throws Exception {
        stubs.stubFor(post(urlPathMatching(TRANSFER)).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json").withBody(NOT_ANSWERED)));
        stubs.stubFor(post(urlPathMatching(ANSWER)).willReturn(ok()));
        String initiated = TelnyxExamples.specInitiated(browser, "parked", T);
        assertEquals("connect_failed", deliver(initiated));

        List<Map.Entry<String, JsonNode>> sent = commandsInOrder();
        assertEquals(List.of("transfer", "answer", "transfer", "hangup"), sent.stream().map(Map.Entry::getKey).toList(),
                "connected once more, then ended: never left ringing");
        JsonNode header = sent.get(3).getValue().get("custom_headers").get(0);
        assertEquals("X-Cold-Call-Outcome", header.get("name").asText());
        assertEquals("failed", header.get("value").asText());
        String error = log.text().lines().filter(line -> line.contains("\"ERROR\"")).findFirst().orElse("");
        assertTrue(error.contains("refused to connect the parked call as not answered")
                && error.contains(browser.callControlId()), log.text());

        assertEquals("duplicate", deliver(initiated));
        assertEquals(4, commandsInOrder().size(), "a redelivery doubles nothing");
        clock.set(T.plusSeconds(2));
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(browser, "normal_clearing", "caller", "200",
                T, T.plusSeconds(1))));
        assertEquals("failed", onlyCallLog().get("call_status").asText());
    }

    @Test
    void theDestinationsHangupBeforeItsAnswerStillLogsACompletedCallWithItsDuration() throws Exception {
        assertEquals("connecting", parked());
        deliver(TelnyxExamples.specInitiated(destination, "bridging", T.plusSeconds(1)));
        // the callee answered at +8, talked, hung up at +11; Telnyx delivers the hang-up first
        clock.set(T.plusSeconds(12));
        assertEquals("recorded", deliver(TelnyxExamples.specHangup(destination, "normal_clearing", "callee",
                "unspecified", T, T.plusSeconds(11))), "it may have talked: no outcome told");
        assertEquals(1, commands(HANGUP).size(), "the browser's leg is hung up");
        assertFalse(commands(HANGUP).get(0).has("custom_headers"), "no outcome: the answer may be on its way");
        assertEquals("call_log_queued", deliver(TelnyxExamples.specHangup(browser, "normal_clearing", "caller", "200",
                T, T.plusSeconds(11))), "a short wait for the answer");
        assertEquals(0, stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS))).size());

        clock.set(T.plusSeconds(13));
        assertEquals("call_log_posted", deliver(TelnyxExamples.specAnswered(destination, T.plusSeconds(8))));
        JsonNode log = onlyCallLog();
        assertEquals("completed", log.get("call_status").asText());
        assertEquals(3, log.get("call_duration_seconds").asInt());
        assertEquals(T.plusSeconds(8).toString(), log.get("call_start_time").asText());
        assertEquals(1L, (long) TestRedis.with(DB, redis -> redis.zcard("cold_call_recording_checks")),
                "its recording is checked");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(0, wiring.outboxDrain().drain(false, clock.instant().plusSeconds(30)).posted(), "logged once");
    }

    @Test
    void aDestinationHangupNothingDecidesWaitsOnlyBriefly() throws Exception {
        assertEquals("connecting", parked());
        clock.set(T.plusSeconds(12));
        deliver(TelnyxExamples.specHangup(destination, "normal_clearing", "callee", "unspecified", T,
                T.plusSeconds(11)));
        assertEquals("call_log_queued", deliver(TelnyxExamples.specHangup(browser, "normal_clearing", "caller", "200",
                T, T.plusSeconds(11))));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(0, wiring.outboxDrain().drain(false, clock.instant().plusSeconds(30)).posted());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, wiring.outboxDrain().drain(false, clock.instant().plusSeconds(30)).posted(),
                "ANSWER_WAIT_SECONDS (3 s) after the hang-up, not a minute");
        assertEquals("failed", onlyCallLog().get("call_status").asText());
    }

    @Test
    void aTabClosedWhileTheDestinationRingsIsCanceledAtOnce() throws Exception {
        assertEquals("connecting", parked());
        deliver(TelnyxExamples.specInitiated(destination, "bridging", T.plusSeconds(1)));
        clock.set(T.plusSeconds(6));
        assertEquals("call_log_queued", deliver(TelnyxExamples.specHangup(browser, "normal_clearing", "caller",
                "unspecified", T, T.plusSeconds(5))), "the destination's outcome is on its way");
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(destination, "originator_cancel", "caller",
                "487", T, T.plusSeconds(5))));
        assertEquals("canceled", onlyCallLog().get("call_status").asText());
    }

    @Test
    void aCancelBeforeTheAnswerIsCanceled() throws Exception {
        parked();
        clock.set(T.plusSeconds(6));
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(browser, "originator_cancel", "caller", "487",
                T, T.plusSeconds(5))));
        assertEquals("canceled", onlyCallLog().get("call_status").asText());
    }

    /** Delivers call.initiated (parked) and answers with the status the handler gave. */
    private int deliverStatus(String body) {
        return handler.handleRequest(Fixtures.withBody(Fixtures.event("call-status/call-initiated.json"), body,
                clock.instant()), null).getStatusCode();
    }

    private List<String> transferCommandIds() throws Exception {
        return commands(TRANSFER).stream().map(c -> c.get("command_id").asText()).toList();
    }

    @Test
    void telnyxNotAnsweringTheTransferAsksForTheEventAgainAndTheRedeliverySendsTheSameCommand() throws Exception {
        stubs.stubFor(post(urlPathMatching(TRANSFER)).inScenario("down").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)));
        String initiated = TelnyxExamples.specInitiated(browser, "parked", T);
        assertEquals(503, deliverStatus(initiated), "a verified event is never refused: deliver again");
        List<String> first = transferCommandIds();
        assertTrue(first.size() >= 1);
        assertEquals(1, first.stream().distinct().count(), "one attempt's retries keep its command id");

        stubs.stubFor(post(urlPathMatching(TRANSFER)).inScenario("down").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(ok()));
        clock.advance(Duration.ofSeconds(20));
        assertEquals("connecting", deliver(initiated));
        List<String> all = transferCommandIds();
        assertTrue(all.size() > first.size());
        assertEquals(List.of(first.get(0)), all.stream().distinct().toList(),
                "inside Telnyx's de-duplication window the redelivery repeats the same command id");
        assertEquals(0, stubs.findAll(getRequestedFor(urlPathMatching("/v2/calls/[^/]*"))).size(),
                "inside the window no call status is needed");
    }

    @Test
    void aTransferTelnyxTookButAnsweredAfterOurDeadlineIsRepeatedWithTheSameCommandId() throws Exception {
        // Telnyx takes the transfer but answers after the webhook's deadline: we cannot tell it took
        stubs.stubFor(post(urlPathMatching(TRANSFER)).inScenario("slow").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(ok().withFixedDelay(3_000)));
        String initiated = TelnyxExamples.specInitiated(browser, "parked", T);
        assertEquals(503, deliverStatus(initiated), "no answer in time: deliver again");
        stubs.stubFor(post(urlPathMatching(TRANSFER)).inScenario("slow").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(ok()));
        clock.advance(Duration.ofSeconds(5));
        assertEquals("connecting", deliver(initiated));
        List<String> ids = transferCommandIds();
        assertTrue(ids.size() >= 2, "the redelivery sent the command again: " + ids);
        assertEquals(1, ids.stream().distinct().count(), "with the command id Telnyx took: it runs it once");
        assertEquals("duplicate", deliver(initiated));
        assertEquals(ids.size(), transferCommandIds().size(), "a connect that took is never sent again");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "alive, carrying our command's state | 200 | true  | true  | connect_already_sent | 0 | carries our command's state",
        "alive, no state of ours            | 200 | true  | false | connecting           | 1 | -",
        "ended                              | 200 | false | false | connect_already_sent | 0 | reports the call ended",
        "gone                               | 404 | false | false | connect_already_sent | 0 | no longer knows the call",
        "gone, 422 90018 (already ended)    | 422 | false | false | connect_already_sent | 0 | no longer knows the call",
    })
    void pastTheWindowTheCallStatusIsAskedBeforeTheConnectGoesAgain(String name, int status, boolean alive,
            boolean ourState, String outcome, int sentAgain, String why) throws Exception {
        stubs.stubFor(post(urlPathMatching(TRANSFER)).inScenario("down").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)));
        String initiated = TelnyxExamples.specInitiated(browser, "parked", T);
        assertEquals(503, deliverStatus(initiated));
        List<String> first = transferCommandIds();
        stubs.stubFor(post(urlPathMatching(TRANSFER)).inScenario("down").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(ok()));
        String data = "{\"call_control_id\":\"%s\",\"call_leg_id\":\"%s\",\"call_session_id\":\"%s\",%s"
                .formatted(browser.callControlId(), browser.callLegId(), browser.callSessionId(),
                        ourState ? "\"client_state\":\"" + states.of(new CallControlId(browser.callControlId()))
                                + "\"," : "")
                + "\"is_alive\":" + alive + ",\"call_duration\":61,\"start_time\":\"" + T + "\","
                + (alive ? "" : "\"end_time\":\"" + T.plusSeconds(61) + "\",") + "\"record_type\":\"call\"}";
        stubs.stubFor(get(urlEqualTo("/v2/calls/v3%3Aparked-browser-0001")).willReturn(status == 200
                ? aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"data\":" + data + "}")
                : aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(status == 404
                        ? "{\"errors\":[{\"code\":\"90015\",\"title\":\"Invalid Call Control ID\"}]}"
                        : "{\"errors\":[{\"code\":\"90018\",\"title\":\"Call has already ended\"}]}")));

        clock.advance(Duration.ofSeconds(61));
        assertEquals(outcome, deliver(initiated));
        assertEquals(1, stubs.findAll(getRequestedFor(urlPathMatching("/v2/calls/[^/]*"))).size(),
                "past the window the call status is asked first");
        List<String> all = transferCommandIds();
        assertEquals(first.size() + sentAgain, all.size());
        if (sentAgain > 0) {
            assertNotEquals(first.get(0), all.get(all.size() - 1), "past the window a new attempt, a new id");
        } else {
            assertTrue(log.text().contains("connect sent before and not sent again: ")
                    && log.text().contains(why), log.text());
        }
        assertEquals("duplicate", deliver(initiated));
        assertEquals(first.size() + sentAgain, transferCommandIds().size(), "settled either way");
    }

    @Test
    void aDestinationLegIsAttributedOnlyByOurSignedStateBoundToTheBrowsersSession() throws Exception {
        assertEquals("connecting", parked());
        clock.set(T.plusSeconds(20));
        // a state naming the browser's call, but unsigned (as the SDK's newCall could set it), or signed for
        // another session: the destination-shaped leg is its own, unknown call, and the browser's is untouched
        String forged = java.util.Base64.getEncoder().encodeToString(("{\"cold_call\":\"" + browser.callControlId()
                + "\",\"session\":\"" + browser.callSessionId() + "\",\"mac\":\"AAAA\"}").getBytes());
        Leg stranger = new Leg("v3:stranger-0001", "9a0f7f0e-1b7e-4a57-8f0e-00000000dead",
                "9a0f7f0e-1b7e-4a57-8f0e-00000000beef", "dev-connection-0000", CALLER_ID, "+18005551234", forged);
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(stranger, "user_busy", "callee", "486", T,
                T.plusSeconds(19))), "the event's own call is logged");
        assertEquals("v3:stranger-0001", onlyCallLog().get("twilio_call_sid").asText());
        // the destination's own signed state, copied onto a call of another session
        Leg replayed = stranger.withClientState(destination.clientState());
        deliver(TelnyxExamples.specHangup(new Leg("v3:stranger-0002", "9a0f7f0e-1b7e-4a57-8f0e-00000000dea2",
                replayed.callSessionId(), replayed.connectionId(), replayed.from(), replayed.to(),
                replayed.clientState()), "user_busy", "callee", "486", T, T.plusSeconds(19)));
        assertEquals(0, commands(HANGUP).size(), "the browser's call is never hung up by another call's events");
        assertTrue(log.text().contains("client_state does not verify"), "the forged state is logged");
        assertTrue(log.text().contains("client_state names a call of another session"), "the replay is logged");

        // the real destination leg, with our signed state: attributed, and ends the browser's leg with its outcome
        assertEquals("connect_failed", deliver(TelnyxExamples.specHangup(destination, "user_busy", "callee", "486", T,
                T.plusSeconds(19))));
        assertEquals(1, commands(HANGUP).size());
        assertEquals("/v2/calls/v3%3Aparked-browser-0001/actions/hangup",
                stubs.findAll(postRequestedFor(urlPathMatching(HANGUP))).get(0).getUrl());
    }

    @Test
    void aDialledNumberTelnyxCannotReachIsNeverSentAndTheBrowserIsTold() throws Exception {
        Leg odd = Leg.of("v3:parked-odd-0001").withNumbers(CALLER_ID, "sip:nobody@example.com");
        // a SIP address on a domain not Telnyx's is not a phone number: the call gate refuses it
        assertEquals("call_blocked", deliver(TelnyxExamples.specInitiated(odd, "parked", T)));
        assertEquals(0, commands(TRANSFER).size());
        assertEquals("blocked", commands(HANGUP).get(0).get("custom_headers").get(0).get("value").asText());
        clock.set(T.plusSeconds(3));
        deliver(TelnyxExamples.specHangup(odd, "normal_clearing", "caller", "200", T, T.plusSeconds(2)));
        assertEquals("failed", onlyCallLog().get("call_status").asText());
    }

    @Test
    void aParkedCallWhileTheFlowIsDirectIsAcknowledgedAndSaysWhatToSet() throws Exception {
        env.put("CALL_FLOW", "direct");
        build();
        assertEquals("parked_not_connected", parked());
        assertEquals(0, commands(TRANSFER).size());
        assertTrue(log.text().contains("set CALL_FLOW=parked"));
    }
}
