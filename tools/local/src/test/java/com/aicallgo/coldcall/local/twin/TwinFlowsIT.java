package com.aicallgo.coldcall.local.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The twin on its own, through its real sockets: a signalling client in place of the page's SDK, a webhook receiver
 * in place of the runner's route, Call Control commands as the backend sends them. What Telnyx's spec and guides say
 * of each flow is what these check: the parked leg waits for a command, a transfer makes leg B (its own ids, A's
 * session, the target leg's state), a failed transfer ends only B, recording from answer is B's.
 */
class TwinFlowsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONNECTION = "dev-connection-0000";
    private static final String CALLER = "+15550000001";

    private HttpServer receiver;
    private final List<JsonNode> webhooks = new ArrayList<>();
    private Twin twin;
    private VertoClient page;

    @BeforeEach
    void receiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            synchronized (webhooks) {
                webhooks.add(body.path("data"));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() throws IOException {
        if (page != null) {
            page.socket().abort();
        }
        if (twin != null) {
            twin.close();
        }
        receiver.stop(0);
    }

    private void start(Twin.Flow flow, Duration linkTtl) throws Exception {
        start(flow, linkTtl, Switches.TELNYX);
    }

    private void start(Twin.Flow flow, Duration linkTtl, Switches switches) throws Exception {
        twin = Twin.start(new Twin.Settings("127.0.0.1", "http://127.0.0.1:9/_local/telnyx",
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhook"), null, "user", "secret",
                CONNECTION, flow, linkTtl, false, switches));
        page = login(Map.of("login", "user", "passwd", "secret"));
    }

    /** A new page socket, logged in with {@code params}. */
    private VertoClient login(Map<String, Object> params) throws Exception {
        return VertoClient.login(twin.signallingUrl(), params);
    }

    private Twin.Answer patch(String json) throws IOException {
        return twin.patchSwitches(JSON.readTree(json));
    }

    /** Where the first webhook of {@code type} matching {@code which} stands in the order of arrival. */
    private int position(String type, Predicate<JsonNode> which) throws InterruptedException {
        webhook(type, which);
        synchronized (webhooks) {
            for (int i = 0; i < webhooks.size(); i++) {
                if (webhooks.get(i).path("event_type").asText().equals(type) && which.test(webhooks.get(i))) {
                    return i;
                }
            }
        }
        throw new AssertionError("unreachable");
    }

    /** Places a call from the "page" and returns leg A's call control id, from its call.initiated. */
    private String dial(String number) throws Exception {
        page.send("telnyx_rtc.invite", Map.of("sdp", VertoClient.OFFER, "dialogParams",
                Map.of("callID", UUID.randomUUID().toString(), "destination_number", number, "caller_id_number", CALLER)));
        return webhook("call.initiated", e -> e.path("payload").path("to").asText().equals(number))
                .path("payload").path("call_control_id").asText();
    }

    private Twin.Answer command(String id, String action, Map<String, Object> body) {
        return twin.command(id, action, JSON.valueToTree(body));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Object> transferTo(String number, String commandId) {
        return Map.of("to", number, "from", CALLER, "timeout_secs", 30, "record", "record-from-answer",
                "record_format", "mp3", "record_channels", "dual", "client_state", base64("call-a"),
                "target_leg_client_state", base64("call-b"), "command_id", commandId);
    }

    @Test
    void aParkedCallWaitsForATransferWhoseLegBIsAnsweredBridgedAndRecorded() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10));
        String a = dial("+12025550100");
        JsonNode initiated = webhook("call.initiated", legOf(a));
        assertEquals("parked", initiated.path("payload").path("state").asText());
        assertEquals("outgoing", initiated.path("payload").path("direction").asText());
        assertEquals(CONNECTION, initiated.path("payload").path("connection_id").asText());
        assertEquals(CALLER, initiated.path("payload").path("from").asText());
        page.await(m -> m.path("method").asText().equals("telnyx_rtc.ringing"));
        Thread.sleep(Twin.ANSWER_AFTER_MS + 500);
        assertEquals(1, count(e -> true), "a parked call waits for a command: " + webhooks);
        assertTrue(page.messages("telnyx_rtc.answer").isEmpty(), "the page keeps ringing");

        assertEquals(200, command(a, "transfer", transferTo("+12025550100", "t-1")).status());
        JsonNode bInitiated = webhook("call.initiated", e -> !e.path("payload").path("call_control_id").asText().equals(a));
        String b = bInitiated.path("payload").path("call_control_id").asText();
        assertEquals("bridging", bInitiated.path("payload").path("state").asText());
        assertEquals(initiated.path("payload").path("call_session_id"), bInitiated.path("payload").path("call_session_id"));
        assertNotEquals(initiated.path("payload").path("call_leg_id"), bInitiated.path("payload").path("call_leg_id"));
        assertEquals(base64("call-b"), bInitiated.path("payload").path("client_state").asText());

        JsonNode bAnswered = webhook("call.answered", legOf(b));
        assertEquals(base64("call-b"), bAnswered.path("payload").path("client_state").asText());
        assertEquals(base64("call-a"), webhook("call.answered", legOf(a)).path("payload").path("client_state").asText());
        webhook("call.bridged", legOf(a));
        webhook("call.bridged", legOf(b));
        JsonNode answer = page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer"));
        assertEquals(a, answer.path("params").path("telnyx_call_control_id").asText(), "the page's ids stay leg A's");

        Thread.sleep(1_200);
        page.send("telnyx_rtc.bye", Map.of("cause", "NORMAL_CLEARING", "causeCode", 16, "dialogParams",
                Map.of("callID", answer.path("params").path("callID").asText())));
        assertEquals("normal_clearing", webhook("call.hangup", legOf(a)).path("payload").path("hangup_cause").asText());
        JsonNode bHangup = webhook("call.hangup", legOf(b));
        assertEquals("normal_clearing", bHangup.path("payload").path("hangup_cause").asText());
        assertTrue(bHangup.path("payload").path("sip_hangup_cause").isTextual());
        JsonNode saved = webhook("call.recording.saved", e -> true).path("payload");
        assertEquals(bInitiated.path("payload").path("call_leg_id"), saved.path("call_leg_id"), "the recording is leg B's");
        assertEquals(b, saved.path("call_control_id").asText());
        assertEquals("dual", saved.path("channels").asText());
        String recordingId = saved.path("recording_id").asText();
        assertEquals(1, count(e -> e.path("event_type").asText().equals("call.recording.saved")), "only B records");

        for (String filter : List.of("call_control_id", "call_leg_id", "call_session_id")) {
            List<Map<String, Object>> listed = twin.listRecordings(Map.of(filter, saved.path(filter).asText()));
            assertEquals(1, listed.size(), filter);
            assertEquals(recordingId, listed.get(0).get("id"));
            assertEquals("completed", listed.get(0).get("status"));
        }
        assertTrue(twin.listRecordings(Map.of("call_control_id", a)).isEmpty(), "leg A recorded nothing");

        JsonNode status = JSON.readTree(twin.callStatus(a).body()).path("data");
        assertFalse(status.path("is_alive").asBoolean(true));
        assertTrue(status.path("end_time").isTextual());
        assertEquals("call", status.path("record_type").asText());
    }

    @Test
    void aFailedTransferEndsOnlyLegBAndTheHangupOfACarriesTheOutcomeToThePage() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10));
        String a = dial("+12025550101");
        assertEquals(200, command(a, "transfer", transferTo("+12025550101", "t-busy")).status());
        JsonNode bHangup = webhook("call.hangup", e -> !e.path("payload").path("call_control_id").asText().equals(a));
        assertEquals("user_busy", bHangup.path("payload").path("hangup_cause").asText());
        assertEquals("486", bHangup.path("payload").path("sip_hangup_cause").asText());
        Thread.sleep(300);
        assertEquals(0, count(e -> e.path("event_type").asText().equals("call.hangup") && legOf(a).test(e)),
                "leg A stays up after a failed transfer");
        assertTrue(JSON.readTree(twin.callStatus(a).body()).path("data").path("is_alive").asBoolean());
        assertTrue(page.messages("telnyx_rtc.bye").isEmpty());

        Map<String, Object> hangup = Map.of("client_state", base64("call-a-end"), "command_id", "h-1",
                "custom_headers", List.of(Map.of("name", "X-Cold-Call-Outcome", "value", "busy")));
        assertEquals(200, command(a, "hangup", hangup).status());
        JsonNode bye = page.await(m -> m.path("method").asText().equals("telnyx_rtc.bye"));
        assertEquals("NORMAL_CLEARING", bye.path("params").path("cause").asText());
        assertEquals("X-Cold-Call-Outcome", bye.path("params").path("dialogParams").path("custom_headers").get(0).path("name").asText());
        assertEquals("busy", bye.path("params").path("dialogParams").path("custom_headers").get(0).path("value").asText());
        JsonNode aHangup = webhook("call.hangup", legOf(a));
        assertEquals(base64("call-a-end"), aHangup.path("payload").path("client_state").asText());
        assertEquals(422, command(a, "hangup", Map.of("command_id", "h-2")).status(), "90018 once ended");
        assertEquals(200, command(a, "hangup", hangup).status(), "a repeated command_id is ignored with 200");
        Thread.sleep(Twin.RECORDING_AFTER_HANGUP_MS + 300);
        assertEquals(0, count(e -> e.path("event_type").asText().startsWith("call.recording")), "nothing recorded");
    }

    @Test
    void eachFailureOfATransferHasItsSpecCauseAndSipCode() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10));
        Map<String, String[]> expected = Map.of("+12025550103", new String[] {"call_rejected", "603"},
                "+12025550108", new String[] {"not_found", "404"}, "+12025550102", new String[] {"timeout", "480"});
        for (Map.Entry<String, String[]> number : expected.entrySet()) {
            String a = dial(number.getKey());
            command(a, "transfer", transferTo(number.getKey(), "t-" + number.getKey()));
            JsonNode hangup = webhook("call.hangup", e -> e.path("payload").path("to").asText().equals(number.getKey()));
            assertNotEquals(a, hangup.path("payload").path("call_control_id").asText(), "leg B ends, not A");
            assertEquals(number.getValue()[0], hangup.path("payload").path("hangup_cause").asText(), number.getKey());
            assertEquals(number.getValue()[1], hangup.path("payload").path("sip_hangup_cause").asText(), number.getKey());
        }
    }

    @Test
    void aRepeatedCommandIdIsIgnoredAndTheCommandsAreChecked() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10));
        String a = dial("+12025550100");
        assertEquals(422, command(a, "transfer", Map.of("to", "+12025550100", "client_state", "not base64!",
                "command_id", "bad-1")).status());
        assertTrue(command(a, "transfer", Map.of("to", "+12025550100", "record", "always", "command_id", "bad-2"))
                .body().contains("10032"));
        assertEquals(200, command(a, "transfer", transferTo("+12025550100", "same")).status());
        assertEquals(200, command(a, "transfer", transferTo("+12025550100", "same")).status());
        webhook("call.answered", e -> !legOf(a).test(e));
        Thread.sleep(500);
        assertEquals(2, count(e -> e.path("event_type").asText().equals("call.initiated")), "one leg B only");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> calls = (List<Map<String, Object>>) twin.journal().get("calls");
        assertEquals(2, ((List<?>) calls.get(0).get("legs")).size());
        assertTrue(calls.get(0).get("steps").toString().contains("duplicate command ignored"));
    }

    @Test
    void theCallStatusApiKnowsOnlyItsCallsAndALostHangupStillEndsTheCall() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10));
        Twin.Answer unknown = twin.callStatus("v3:never-seen");
        assertEquals(422, unknown.status(), "Telnyx documents 200 and 422 for the call status");
        assertTrue(unknown.body().contains("\"90015\""), unknown.body());
        String a = dial("+12025550106");
        command(a, "transfer", transferTo("+12025550106", "t-lost"));
        webhook("call.answered", legOf(a));
        assertTrue(JSON.readTree(twin.callStatus(a).body()).path("data").path("is_alive").asBoolean());
        JsonNode answer = page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer"));
        page.send("telnyx_rtc.bye", Map.of("cause", "NORMAL_CLEARING", "causeCode", 16, "dialogParams",
                Map.of("callID", answer.path("params").path("callID").asText())));
        webhook("call.recording.saved", e -> true);
        assertEquals(0, count(e -> e.path("event_type").asText().equals("call.hangup")), "no hang-up is delivered");
        JsonNode status = JSON.readTree(twin.callStatus(a).body()).path("data");
        assertFalse(status.path("is_alive").asBoolean(true), "the call status API says it ended all the same");
        assertTrue(Instant.parse(status.path("end_time").asText()).isBefore(Instant.now().plusSeconds(1)));
    }

    @Test
    void aSpecMinimalRecordingEventHasNeitherCallControlIdNorRecordingIdAndItsLinksExpire() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofSeconds(2));
        String a = dial("+12025550109");
        command(a, "transfer", transferTo("+12025550109", "t-min"));
        JsonNode answer = page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer"));
        Thread.sleep(600);
        page.send("telnyx_rtc.bye", Map.of("cause", "NORMAL_CLEARING", "causeCode", 16, "dialogParams",
                Map.of("callID", answer.path("params").path("callID").asText())));
        JsonNode saved = webhook("call.recording.saved", e -> true).path("payload");
        assertFalse(saved.has("call_control_id"), saved.toString());
        assertFalse(saved.has("recording_id"), saved.toString());
        for (String field : List.of("call_leg_id", "call_session_id", "client_state", "channels", "recording_started_at",
                "recording_ended_at", "recording_urls", "public_recording_urls")) {
            assertTrue(saved.has(field), field + " in " + saved);
        }
        String link = saved.path("recording_urls").path("mp3").asText();
        Recordings.Download fresh = twin.recordings().download(file(link), query(link), Instant.now());
        assertTrue(fresh instanceof Recordings.File, "a new link works: " + fresh);
        Recordings.Download late = twin.recordings().download(file(link), query(link), Instant.now().plusSeconds(3));
        assertEquals(403, ((Recordings.Refused) late).status(), "an expired link is refused");
        Recordings.Download forged = twin.recordings().download(file(link),
                Map.of("expires", Long.toString(Instant.now().plusSeconds(3600).getEpochSecond()),
                        "signature", query(link).get("signature")), Instant.now());
        assertEquals(403, ((Recordings.Refused) forged).status(), "a link whose expiry was moved is refused");

        List<Map<String, Object>> listed = twin.listRecordings(Map.of("call_leg_id", saved.path("call_leg_id").asText()));
        assertEquals(1, listed.size());
        String relisted = ((Map<?, ?>) listed.get(0).get("download_urls")).get("mp3").toString();
        assertNotEquals(link, relisted, "each read mints a new link");
        assertNotNull(listed.get(0).get("call_control_id"), "the recordings API names the leg's call control id");
        Recordings.Download later = twin.recordings().download(file(relisted), query(relisted), Instant.now());
        assertTrue(later instanceof Recordings.File);
        assertNull(listed.get(0).get("public_recording_urls"), "no public URLs unless the account has them");
    }

    @Test
    void theDirectFlowBridgesAtOnceAndAnInvalidNumberEndsTheBrowsersCall() throws Exception {
        start(Twin.Flow.DIRECT, Duration.ofMinutes(10));
        String a = dial("+12025550108");
        assertEquals("bridging", webhook("call.initiated", legOf(a)).path("payload").path("state").asText());
        JsonNode bye = page.await(m -> m.path("method").asText().equals("telnyx_rtc.bye"));
        assertEquals("UNALLOCATED_NUMBER", bye.path("params").path("cause").asText());
        assertEquals(404, bye.path("params").path("sipCode").asInt());
        JsonNode hangup = webhook("call.hangup", legOf(a));
        assertEquals("not_found", hangup.path("payload").path("hangup_cause").asText());
        assertEquals("404", hangup.path("payload").path("sip_hangup_cause").asText());
        assertEquals(422, command(a, "transfer", transferTo("+12025550100", "t-direct")).status());
    }

    @Test
    void theCallControlIdReachesThePageWithTheAnswerUnlessTheEarlySwitchIsOn() throws Exception {
        start(Twin.Flow.DIRECT, Duration.ofMinutes(10));
        String a = dial("+12025550100");
        JsonNode ringing = page.await(m -> m.path("method").asText().equals("telnyx_rtc.ringing")).path("params");
        assertFalse(ringing.has("telnyx_call_control_id"), "as Telnyx: no call control id while ringing: " + ringing);
        JsonNode initiated = webhook("call.initiated", legOf(a)).path("payload");
        assertEquals(initiated.path("call_leg_id").asText(), ringing.path("telnyx_leg_id").asText());
        assertEquals(initiated.path("call_session_id").asText(), ringing.path("telnyx_session_id").asText());
        JsonNode answer = page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer")).path("params");
        assertEquals(a, answer.path("telnyx_call_control_id").asText(), "the answer brings it");

        assertEquals(200, patch("{\"early_call_id\": true}").status());
        String b = dial("+12025550199"); // another number: dial() finds a call by its number
        JsonNode early = page.await(m -> m.path("method").asText().equals("telnyx_rtc.ringing")
                && m.path("params").has("telnyx_call_control_id")).path("params");
        assertEquals(b, early.path("telnyx_call_control_id").asText());
        assertEquals(400, patch("{\"early_call_id\": \"yes\"}").status());
        assertTrue(twin.switches().earlyCallId(), "a refused patch changes nothing");
        assertTrue(twin.resetSwitches().body().contains("\"early_call_id\":false"));
    }

    @Test
    void theDirectFlowReportsTheBridgeAndEveryAnsweredHangupCarriesQualityStats() throws Exception {
        start(Twin.Flow.DIRECT, Duration.ofMinutes(10));
        String a = dial("+12025550104");
        webhook("call.answered", legOf(a));
        JsonNode bridged = webhook("call.bridged", legOf(a)).path("payload");
        assertEquals("bridged", bridged.path("state").asText());
        assertEquals("+12025550104", bridged.path("to").asText());
        JsonNode hangup = webhook("call.hangup", legOf(a)).path("payload");
        assertEquals("callee", hangup.path("hangup_source").asText());
        com.aicallgo.coldcall.core.telnyx.CallQualityStats stats =
                com.aicallgo.coldcall.core.telnyx.CallQualityStats.parse(hangup.path("call_quality_stats"));
        assertEquals(List.of(), stats.rejected(), "our backend takes every figure: " + hangup);
        assertTrue(stats.inboundMos() >= 4.0 && stats.inboundMos() <= 4.5, "MOS " + stats.inboundMos());
        // 4 s of talk at 50 packets a second
        assertTrue(stats.inboundPackets() + stats.inboundSkippedPackets() >= 190, "packets " + stats.inboundPackets());
        assertTrue(stats.inboundLossPercent() < 1.0 && stats.outboundLossPercent() < 1.0);

        String busy = dial("+12025550101");
        JsonNode unanswered = webhook("call.hangup", legOf(busy)).path("payload");
        assertFalse(unanswered.has("call_quality_stats"), "no media, no figures: " + unanswered);
        assertEquals(0, count(e -> e.path("event_type").asText().equals("call.bridged") && legOf(busy).test(e)));
    }

    @Test
    void unknownAndEndedCallsAnswer422WithTelnyxsCodes() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10));
        for (String action : List.of("hangup", "transfer", "answer", "record_start")) {
            Twin.Answer unknown = command("v3:never-seen", action, Map.of());
            assertEquals(422, unknown.status(), action);
            assertTrue(unknown.body().contains("\"90015\""), unknown.body());
        }
        assertTrue(twin.callStatus("v3:never-seen").body().contains("\"90015\""));
        String a = dial("+12025550100");
        assertEquals(200, command(a, "hangup", Map.of()).status());
        webhook("call.hangup", legOf(a));
        for (String action : List.of("hangup", "transfer", "answer", "record_start")) {
            Twin.Answer ended = command(a, action, transferTo("+12025550100", "after-" + action));
            assertEquals(422, ended.status(), action);
            assertTrue(ended.body().contains("\"90018\""), action + ": " + ended.body());
        }
        JsonNode status = JSON.readTree(twin.callStatus(a).body()).path("data");
        assertFalse(status.path("is_alive").asBoolean(true), "kept for 10 minutes after the end");
        Twin.Answer gone = twin.callStatus(a, Instant.now().plus(Leg.STATUS_KEPT_FOR).plusSeconds(1));
        assertEquals(422, gone.status());
        assertTrue(gone.body().contains("\"90018\""), "after 10 minutes: " + gone.body());
    }

    @Test
    void untilAnsweredRefusesTheTransferOfAParkedLegUntilTheAnswerCommandAnswersThePage() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10), Switches.of(Map.of("TWIN_TRANSFER_REFUSED", "until_answered")));
        String a = dial("+12025550100");
        Twin.Answer refused = command(a, "transfer", transferTo("+12025550100", "t-early"));
        assertEquals(422, refused.status());
        assertTrue(refused.body().contains("\"90034\""), refused.body());
        assertTrue(page.messages("telnyx_rtc.answer").isEmpty());

        assertEquals(200, command(a, "answer", Map.of("client_state", base64("answered"), "command_id", "ans-1")).status());
        JsonNode answer = page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer")).path("params");
        assertEquals(a, answer.path("telnyx_call_control_id").asText(), "the page's call turns active, with its id");
        assertEquals(base64("answered"), webhook("call.answered", legOf(a)).path("payload").path("client_state").asText());

        assertEquals(200, command(a, "transfer", transferTo("+12025550100", "t-late")).status());
        String b = webhook("call.answered", e -> !legOf(a).test(e)).path("payload").path("call_control_id").asText();
        webhook("call.bridged", legOf(a));
        webhook("call.bridged", legOf(b));
        Thread.sleep(300);
        assertEquals(1, page.messages("telnyx_rtc.answer").size(), "the page is answered once");
        assertEquals(1, count(e -> e.path("event_type").asText().equals("call.answered") && legOf(a).test(e)));

        assertEquals(200, patch("{\"transfer_refused\": \"always\"}").status());
        String c = dial("+12025550199"); // another number: dial() finds a call by its number
        command(c, "answer", Map.of());
        webhook("call.answered", legOf(c));
        assertTrue(command(c, "transfer", transferTo("+12025550100", "t-always")).body().contains("\"90034\""),
                "always: refused even when answered");
        assertEquals(200, patch("{\"transfer_refused\": \"never\"}").status());
        assertEquals(200, command(c, "transfer", transferTo("+12025550199", "t-never")).status());
    }

    @Test
    void number0110DeliversTheHangupBeforeTheAnswerOfTheFarLegInBothFlows() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10));
        String a = dial("+12025550110");
        command(a, "transfer", transferTo("+12025550110", "t-0110"));
        Predicate<JsonNode> legB = e -> !legOf(a).test(e);
        JsonNode bHangup = webhook("call.hangup", legB).path("payload");
        assertEquals("callee", bHangup.path("hangup_source").asText());
        assertTrue(position("call.hangup", legB) < position("call.answered", legB), "B's hang-up first: " + webhooks);
        assertTrue(Duration.between(Instant.parse(bHangup.path("start_time").asText()),
                Instant.parse(bHangup.path("end_time").asText())).toMillis() >= Twin.TALKS_BEFORE_HANGUP_MS);
        twin.close();

        webhooks.clear();
        start(Twin.Flow.DIRECT, Duration.ofMinutes(10));
        String direct = dial("+12025550110");
        page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer"));
        assertTrue(position("call.hangup", legOf(direct)) < position("call.answered", legOf(direct)),
                "the browser leg's hang-up first: " + webhooks);
        assertTrue(position("call.bridged", legOf(direct)) < position("call.hangup", legOf(direct)));
    }

    @Test
    void endsHangsUpTheCallsOfADroppedPageSocketAtOnce() throws Exception {
        start(Twin.Flow.DIRECT, Duration.ofMinutes(10), Switches.of(Map.of("TWIN_SIGNALLING_LOSS", "ends")));
        String a = dial("+12025550100");
        webhook("call.answered", legOf(a));
        page.socket().abort(); // the tab crashed: no BYE, no close frame
        JsonNode hangup = webhook("call.hangup", legOf(a)).path("payload");
        assertEquals("unspecified", hangup.path("hangup_cause").asText());
        assertEquals("unknown", hangup.path("hangup_source").asText());
        assertTrue(hangup.path("call_quality_stats").isObject());
    }

    @Test
    void survivesKeepsTheCallForTheGapAndAReconnectLoginWithTheSessionReattachesIt() throws Exception {
        start(Twin.Flow.DIRECT, Duration.ofMinutes(10));
        String sessid = page.await(m -> m.path("result").has("sessid")).path("result").path("sessid").asText();
        String a = dial("+12025550100");
        JsonNode answer = page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer")).path("params");
        String callId = answer.path("callID").asText();
        assertTrue(JSON.readTree(twin.cutSignalling(2_000).body()).path("sockets_cut").asInt() >= 1);
        assertTrue(page.closed(), "the page's SDK sees its socket close");
        java.util.concurrent.CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.CompletionException.class, () -> new VertoClient(URI.create(twin.signallingUrl())),
                "an outage refuses new sockets");
        assertNotNull(refused.getCause());
        Thread.sleep(2_100);
        assertEquals(0, count(e -> e.path("event_type").asText().equals("call.hangup")), "the call stays up");
        assertTrue(JSON.readTree(twin.callStatus(a).body()).path("data").path("is_alive").asBoolean());

        page = login(Map.of("login", "user", "passwd", "secret", "sessid", sessid, "reconnection", true));
        JsonNode ready = page.await(m -> m.path("method").asText().equals("telnyx_rtc.clientReady")).path("params");
        assertEquals(callId, ready.path("reattached_sessions").get(0).asText());
        JsonNode attach = page.await(m -> m.path("method").asText().equals("telnyx_rtc.attach")).path("params");
        assertEquals(callId, attach.path("callID").asText());
        assertEquals(a, attach.path("telnyx_call_control_id").asText());
        assertTrue(attach.path("sdp").asText().contains("a=setup:actpass"), "a new offer");
        // the SDK answers the attach with its new peer connection's SDP, as telnyx_rtc.attach
        page.send("telnyx_rtc.attach", Map.of("sessid", sessid, "sdp", VertoClient.OFFER, "dialogParams", Map.of("callID", callId)));
        page.await(m -> m.path("result").path("message").asText().equals("CALL ATTACHED"));
        page.send("telnyx_rtc.bye", Map.of("cause", "NORMAL_CLEARING", "causeCode", 16, "dialogParams",
                Map.of("callID", callId)));
        JsonNode hangup = webhook("call.hangup", legOf(a)).path("payload");
        assertEquals("normal_clearing", hangup.path("hangup_cause").asText(), "hung up by the page after the reattach");
        assertEquals("caller", hangup.path("hangup_source").asText());
    }

    @Test
    void survivesEndsTheCallWhenThePageDoesNotComeBackInTime() throws Exception {
        start(Twin.Flow.PARKED, Duration.ofMinutes(10), Switches.of(Map.of("TWIN_SIGNALLING_GAP_MS", "800")));
        String a = dial("+12025550100");
        page.socket().sendClose(WebSocket.NORMAL_CLOSURE, "tab closed").join(); // closed without the SDK's unload BYE
        Thread.sleep(400);
        assertEquals(0, count(e -> e.path("event_type").asText().equals("call.hangup")), "up during the gap");
        page = login(Map.of("login", "user", "passwd", "secret")); // a new page: a new session, nothing reattached
        JsonNode hangup = webhook("call.hangup", legOf(a)).path("payload");
        assertEquals("unspecified", hangup.path("hangup_cause").asText());
        assertEquals("unknown", hangup.path("hangup_source").asText());
        assertFalse(hangup.has("call_quality_stats"), "never answered");
        assertTrue(page.messages("telnyx_rtc.attach").isEmpty());
    }

    // ---- helpers ----

    private static Predicate<JsonNode> legOf(String callControlId) {
        return e -> e.path("payload").path("call_control_id").asText().equals(callControlId);
    }

    private long count(Predicate<JsonNode> which) {
        synchronized (webhooks) {
            return webhooks.stream().filter(which).count();
        }
    }

    private JsonNode webhook(String type, Predicate<JsonNode> which) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            synchronized (webhooks) {
                for (JsonNode event : webhooks) {
                    if (event.path("event_type").asText().equals(type) && which.test(event)) {
                        return event;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + type + " webhook; got " + webhooks);
    }

    private static String file(String link) {
        String path = URI.create(link).getPath();
        return path.substring(path.indexOf("/recordings/") + "/recordings/".length());
    }

    private static Map<String, String> query(String link) {
        Map<String, String> query = new java.util.LinkedHashMap<>();
        for (String pair : URI.create(link).getRawQuery().split("&")) {
            query.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        return query;
    }
}
