package com.aicallgo.coldcall.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RecordingStatusTest {
    @Test
    void theSpellingsAreTheStoredAndPostedOnes() {
        // Redis holds these in result:<recording>, and the Web Backend reads them as recording_status
        assertEquals("completed", RecordingStatus.of(true).wire());
        assertEquals("failed", RecordingStatus.of(false).wire());
    }
}
