package com.aicallgo.coldcall.core.telnyx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HangupStatusTest {
    @ParameterizedTest
    @CsvSource({
        "true, normal_clearing, completed",
        "true, user_busy, completed",
        "true, originator_cancel, completed",
        "false, user_busy, busy",
        "false, timeout, no-answer",
        "false, no_answer, no-answer",
        "false, call_rejected, busy",
        "false, originator_cancel, canceled",
        "false, not_found, failed",
        "false, unspecified, failed",
        "false, , failed",
        "false, USER_BUSY, busy",
    })
    void mapsTheContractTable(boolean answered, String cause, String status) {
        assertEquals(status, HangupStatus.of(answered, cause));
    }
}
