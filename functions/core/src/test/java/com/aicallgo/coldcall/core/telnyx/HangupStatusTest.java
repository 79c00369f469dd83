package com.aicallgo.coldcall.core.telnyx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HangupStatusTest {
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
        assertEquals(status, HangupStatus.of(answered, cause, sip));
    }

    /** The rule for normal_clearing without an answer: the SIP code decides. */
    @ParameterizedTest
    @CsvSource({
        "486, busy", "600, busy", "603, busy", "408, no-answer", "480, no-answer", "487, canceled",
        "503, failed", "404, failed", "' 486 ', busy", ", failed",
    })
    void normalClearingWithoutAnAnswerFollowsTheSipCode(String sip, String status) {
        assertEquals(status, HangupStatus.of(false, "normal_clearing", sip));
        assertEquals(status, HangupStatus.of(false, "unspecified", sip));
    }

    @ParameterizedTest
    @CsvSource({
        "normal_clearing, 200, true", "normal_clearing, 503, false", "normal_clearing, , false",
        "time_limit, , true", "user_busy, 200, false", ", 200, false",
    })
    void onlyAnAnswerOrTheTimeLimitSaysTheCallTalked(String cause, String sip, boolean talked) {
        assertEquals(talked, HangupStatus.impliesAnswered(cause, sip));
    }
}
