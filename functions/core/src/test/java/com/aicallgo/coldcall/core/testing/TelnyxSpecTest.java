package com.aicallgo.coldcall.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The facts can fail: each kind of violation is caught and named by its JSON path. */
class TelnyxSpecTest {
    private static final Instant START = Instant.parse("2025-11-15T10:30:00Z");
    private static final TelnyxExamples.Leg LEG = TelnyxExamples.Leg.dev();

    private static String busy() {
        return TelnyxExamples.specHangup(LEG, "user_busy", "callee", "486", START, START.plusSeconds(5));
    }

    private static void assertViolation(List<String> violations, String path, String words) {
        assertTrue(violations.stream().anyMatch(v -> v.startsWith(path + ":") && v.contains(words)),
                "expected a violation at " + path + " saying '" + words + "', got " + violations);
    }

    @Test
    void aSpecShapedHangupPasses() {
        assertEquals(List.of(), TelnyxSpec.webhookViolations(busy()));
    }

    @Test
    void aKnownFieldOfTheWrongTypeFailsNamingItsPath() {
        List<String> violations = TelnyxSpec.webhookViolations(busy().replace("\"sip_hangup_cause\":\"486\"",
                "\"sip_hangup_cause\":486"));
        assertViolation(violations, "$.data.payload.sip_hangup_cause", "expected a SIP response code");
        assertViolation(TelnyxSpec.webhookViolations(busy().replace("\"mos\":\"4.50\"", "\"mos\":4.5")),
                "$.data.payload.call_quality_stats.inbound.mos", "expected a string");
    }

    @Test
    void aQ850CauseWhereTheSpecSaysSipCodeFails() {
        assertViolation(TelnyxSpec.webhookViolations(busy().replace("\"486\"", "\"17\"")),
                "$.data.payload.sip_hangup_cause", "is not a SIP response code");
    }

    @Test
    void aValueOutsideItsEnumFails() {
        assertViolation(TelnyxSpec.webhookViolations(busy().replace("\"callee\"", "\"both\"")),
                "$.data.payload.hangup_source", "is not one of [callee, caller, unknown]");
        String initiated = TelnyxExamples.specInitiated(LEG, "parked", START);
        assertViolation(TelnyxSpec.webhookViolations(initiated.replace("\"parked\"", "\"ringing\"")),
                "$.data.payload.state", "is not one of [bridging, parked]");
    }

    @Test
    void aMissingRequiredEnvelopeFieldFails() {
        String noId = busy().replaceFirst("\"id\":\"[^\"]+\",", "");
        assertViolation(TelnyxSpec.webhookViolations(noId), "$.data.id", "missing");
        assertViolation(TelnyxSpec.webhookViolations(busy().replace("\"occurred_at\"", "\"occured_at\"")),
                "$.data.occurred_at", "missing");
    }

    @Test
    void formatsAreChecked() {
        assertViolation(TelnyxSpec.webhookViolations(busy().replaceFirst("\"id\":\"[^\"]+\"", "\"id\":\"evt-1\"")),
                "$.data.id", "not a UUID");
        assertViolation(TelnyxSpec.webhookViolations(busy().replace("2025-11-15T10:30:00Z", "2025-11-15 10:30:00")),
                "$.data.payload.start_time", "date-time");
    }

    @Test
    void unknownFieldsAreAllowedOnWebhooksAndNullWhereTelnyxSendsIt() {
        String extra = busy().replace("\"state\":\"hangup\"", "\"state\":\"hangup\",\"brand_new_field\":{\"x\":1}");
        assertEquals(List.of(), TelnyxSpec.webhookViolations(extra));
        String nulls = busy().replaceFirst("\"call_quality_stats\":\\{.*?\\}\\}", "\"call_quality_stats\":null");
        assertTrue(nulls.contains("\"call_quality_stats\":null"), nulls);
        assertEquals(List.of(), TelnyxSpec.webhookViolations(nulls));
        assertViolation(TelnyxSpec.webhookViolations(busy().replace("\"callee\"", "null")),
                "$.data.payload.hangup_source", "null");
    }

    @Test
    void checkWebhookFailsAsAnAssertionNamingWhereTheBodyCameFrom() {
        AssertionError error = assertThrows(AssertionError.class,
                () -> TelnyxSpec.checkWebhook("events/x.json", busy().replace("\"user_busy\"", "\"busy\"")));
        assertTrue(error.getMessage().contains("events/x.json"), error.getMessage());
        assertTrue(error.getMessage().contains("$.data.payload.hangup_cause"), error.getMessage());
    }

    @Test
    void everyExampleAndMinimalVariantMatchesTheSpec() {
        Instant at = START.plusSeconds(8);
        String url = "https://example.com/rec.mp3";
        List<String> bodies = List.of(
                TelnyxExamples.specInitiated(LEG, "bridging", START), TelnyxExamples.specInitiated(LEG, "parked", START),
                TelnyxExamples.specAnswered(LEG, at), TelnyxExamples.specBridged(LEG, at), busy(),
                TelnyxExamples.specRecordingSaved(LEG, at, at.plusSeconds(60), url, "https://example.com/pub.mp3", at),
                TelnyxExamples.specRecordingError(LEG, "Internal server error", at),
                TelnyxExamples.initiatedMinimal(LEG, "parked", START), TelnyxExamples.answeredMinimal(LEG, at),
                TelnyxExamples.bridgedMinimal(LEG, at), TelnyxExamples.hangupMinimal(LEG, "timeout", "unknown", "480", at),
                TelnyxExamples.recordingSavedMinimal(LEG, at, at.plusSeconds(60), url, at),
                TelnyxExamples.recordingErrorMinimal(LEG, "Unsupported backend", at),
                TelnyxExamples.withMeta(TelnyxExamples.answeredMinimal(LEG, at), 2, "https://example.com/hook"));
        for (String body : bodies) {
            assertEquals(List.of(), TelnyxSpec.webhookViolations(body), body);
        }
        String minimal = TelnyxExamples.recordingSavedMinimal(LEG, at, at.plusSeconds(60), url, at);
        assertTrue(!minimal.contains("call_control_id") && !minimal.contains("recording_id"), minimal);
    }

    @Test
    void recordStartAsWeSendItPassesAndItsRequiredFieldsAreRequired() {
        String path = "/v2/calls/v3%3Adev-call-0001/actions/record_start";
        assertEquals(List.of(), TelnyxSpec.commandViolations("POST", path,
                "{\"format\":\"mp3\",\"channels\":\"dual\",\"command_id\":\"record-start-1\"}"));
        List<String> violations = TelnyxSpec.commandViolations("POST", path, "{\"format\":\"ogg\"}");
        assertViolation(violations, "actions/record_start $.channels", "missing");
        assertViolation(violations, "actions/record_start $.format", "is not one of [mp3, wav]");
    }

    @Test
    void commandsRejectUnknownFieldsBadBase64AndOutOfRangeNumbers() {
        String path = "/v2/calls/v3:x/actions/transfer";
        assertEquals(List.of(), TelnyxSpec.commandViolations("POST", path, """
                {"to":"+18005551234","from":"+15550000001","timeout_secs":30,"record":"record-from-answer",
                 "record_format":"mp3","record_channels":"dual","client_state":"eyJjIjoxfQ==",
                 "target_leg_client_state":"eyJjIjoxfQ==","command_id":"c-1"}"""));
        List<String> violations = TelnyxSpec.commandViolations("POST", path, """
                {"to":"+18005551234","timeout_secs":601,"record":"record-always","record_chanels":"dual",
                 "client_state":"not base64!","from":15550000001}""");
        assertViolation(violations, "actions/transfer $.timeout_secs", "outside 5..600");
        assertViolation(violations, "actions/transfer $.record", "is not one of [record-from-answer]");
        assertViolation(violations, "actions/transfer $.record_chanels", "not a field of TransferCallRequest");
        assertViolation(violations, "actions/transfer $.client_state", "Base-64");
        assertViolation(violations, "actions/transfer $.from", "expected a string");
        assertViolation(TelnyxSpec.commandViolations("POST", path, "{}"), "actions/transfer $.to", "missing");
    }

    @Test
    void hangupDialAndAnActionWithoutFactsAreChecked() {
        assertEquals(List.of(), TelnyxSpec.commandViolations("POST", "/v2/calls/v3:x/actions/hangup",
                "{\"command_id\":\"h-1\",\"custom_headers\":[{\"name\":\"X-Reason\",\"value\":\"busy\"}]}"));
        assertViolation(TelnyxSpec.commandViolations("POST", "/v2/calls/v3:x/actions/hangup",
                "{\"custom_headers\":[{\"name\":\"X-Reason\"}]}"), "actions/hangup $.custom_headers[0].value", "missing");
        assertEquals(List.of(), TelnyxSpec.commandViolations("POST", "/v2/calls", """
                {"connection_id":"c","from":"+15550000001","to":"+18005551234","link_to":"v3:a",
                 "bridge_on_answer":true,"park_after_unbridge":"self","timeout_secs":30}"""));
        assertViolation(TelnyxSpec.commandViolations("POST", "/v2/calls", "{\"to\":\"+18005551234\"}"),
                "dial $.connection_id", "missing");
        assertTrue(TelnyxSpec.commandViolations("POST", "/v2/calls/v3:x/actions/speak", "{}").get(0)
                .contains("no TelnyxSpec facts for the action speak"));
    }

    @Test
    void readsAreCheckedAgainstTheResponseSchemas() {
        assertEquals(List.of(), TelnyxSpec.readViolations("/v2/calls/v3:x", """
                {"data":{"call_control_id":"v3:x","call_leg_id":"l","call_session_id":"s","is_alive":false,
                 "record_type":"call","call_duration":50,"start_time":"2025-11-15T10:30:00Z",
                 "end_time":"2025-11-15T10:31:00Z","client_state":null}}"""));
        List<String> violations = TelnyxSpec.readViolations("/v2/calls/v3:x",
                "{\"data\":{\"call_control_id\":\"v3:x\",\"is_alive\":\"false\",\"record_type\":\"call\"}}");
        assertViolation(violations, "CallStatusResponse $.data.is_alive", "expected a boolean");
        assertViolation(violations, "CallStatusResponse $.data.call_leg_id", "missing");
        assertEquals(List.of(), TelnyxSpec.readViolations("/v2/recordings?filter%5Bcall_session_id%5D=s", """
                {"data":[{"id":"r","call_session_id":"s","channels":"dual","status":"completed",
                 "download_urls":{"mp3":"https://x/r.mp3"},"record_type":"recording","source":"call"}],
                 "meta":{"page_number":1,"page_size":50,"total_pages":1,"total_results":1}}"""));
        assertViolation(TelnyxSpec.readViolations("/v2/recordings/r", "{\"data\":{\"status\":\"saved\"}}"),
                "GetRecordingResponse $.data.status", "is not one of [completed]");
    }
}
