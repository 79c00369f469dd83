package com.aicallgo.coldcall.core.telnyx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallEndingTest {
    @ParameterizedTest
    @CsvSource({
        "true, normal_clearing, 200, completed",
        "true, user_busy, 486, completed",
        "true, originator_cancel, 487, completed",
        "false, user_busy, 486, busy",
        "false, timeout, 408, no-answer",
        "false, no_answer, 480, no-answer",
        "false, call_rejected, 603, busy",
        "false, originator_cancel, 487, canceled",
        "false, not_found, 404, failed",
        "false, unspecified, , failed",
        "false, , , failed",
        "false, USER_BUSY, , busy",
    })
    void mapsTheContractTable(boolean answered, String cause, String sip, String status) {
        assertEquals(status, CallEnding.of(answered, cause, sip).callStatus());
    }

    /** The rule for normal_clearing without an answer: the SIP code decides. */
    @ParameterizedTest
    @CsvSource({
        "486, busy", "600, busy", "603, busy", "408, no-answer", "480, no-answer", "487, canceled",
        "503, failed", "404, failed", "' 486 ', busy", ", failed",
    })
    void normalClearingWithoutAnAnswerFollowsTheSipCode(String sip, String status) {
        assertEquals(status, CallEnding.of(false, "normal_clearing", sip).callStatus());
        assertEquals(status, CallEnding.of(false, "unspecified", sip).callStatus());
    }

    /** What a hang-up says about an answer that has not come: only where the facts do not decide, UNKNOWN. */
    @ParameterizedTest(name = "{0} {1} SIP {2} recorded {3} -> {4}")
    @CsvSource({
        // cause, source, SIP, recording (true accepted, false refused as not answered, blank none), talked
        "normal_clearing, callee, 200, , YES",
        "normal_clearing, caller, 200, , YES",
        "time_limit, unknown, unspecified, , YES",
        "normal_clearing, callee, 487, , NO",
        "normal_clearing, callee, 486, true, NO",
        "normal_clearing, callee, 480, , NO",
        "normal_clearing, callee, 408, , NO",
        "normal_clearing, callee, 404, , NO",
        "normal_clearing, callee, 603, , NO",
        "normal_clearing, callee, 503, , NO",
        "normal_clearing, callee, unspecified, true, YES",
        "normal_clearing, callee, unspecified, false, NO",
        // the browser's leg hung up before any answer: a tab closed while it rang
        "normal_clearing, caller, unspecified, , NO",
        "NORMAL_CLEARING, ' caller ', , , NO",
        "normal_clearing, caller, unspecified, true, YES",
        // nothing decides: the answer may be on its way
        "normal_clearing, callee, unspecified, , UNKNOWN",
        "normal_clearing, unknown, , , UNKNOWN",
        "normal_clearing, , , , UNKNOWN",
        "user_busy, callee, 200, true, NO",
        ", , 200, , NO",
        "originator_cancel, caller, 487, , NO",
    })
    void theHangupSaysWhetherTheCallTalked(String cause, String source, String sip, Boolean recorded, String talked) {
        assertEquals(CallEnding.Talk.valueOf(talked), CallEnding.talked(cause, source, sip, recorded));
    }

    /** A call the browser's leg ended with normal_clearing and no SIP code before any answer was canceled. */
    @ParameterizedTest
    @CsvSource({
        "caller, unspecified, canceled", "caller, , canceled", "caller, 486, busy", "callee, unspecified, failed",
        "unknown, , failed", ", , failed",
    })
    void aHangupByTheCallerBeforeTheAnswerIsCanceled(String source, String sip, String ending) {
        assertEquals(ending, CallEnding.of(false, "normal_clearing", source, sip).wire());
        assertEquals("completed", CallEnding.of(true, "normal_clearing", source, sip).wire());
    }

    /** What the page is told of a parked call's destination that never answered (the outcome header's value). */
    @ParameterizedTest
    @CsvSource({
        "user_busy, 486, busy", "call_rejected, 603, rejected", "normal_clearing, 603, busy",
        "normal_clearing, 600, busy", "timeout, , no-answer", "no_answer, 480, no-answer",
        "unspecified, 480, no-answer", "originator_cancel, 487, canceled", "NOT_FOUND, 404, invalid-number",
        "normal_clearing, 404, failed", "unspecified, , failed", "time_limit, , failed",
    })
    void theDestinationsEndingNamesThePagesOutcome(String cause, String sip, String outcome) {
        assertEquals(outcome, CallEnding.of(false, cause, sip).wire());
    }

    /** The page's table (its words) and this enum (the Web Backend's status) are one vocabulary. */
    @Test
    void thePagesTableHasEveryEndingWithItsCallStatus() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("static-dialer"))) {
            dir = dir.getParent();
        }
        JsonNode table = Json.mapper().readTree(dir.resolve("static-dialer/src/call-endings.json").toFile());
        assertEquals(TelnyxCallControl.OUTCOME_HEADER, table.get("header").asText());
        Set<String> keys = new TreeSet<>();
        table.get("endings").fieldNames().forEachRemaining(keys::add);
        assertEquals(Arrays.stream(CallEnding.values()).map(CallEnding::wire).collect(Collectors.toCollection(TreeSet::new)),
                keys);
        for (CallEnding ending : CallEnding.values()) {
            assertEquals(ending.callStatus(), table.get("endings").get(ending.wire()).get("call_status").asText(),
                    ending.wire());
        }
    }
}
