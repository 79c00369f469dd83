package com.aicallgo.coldcall.core.store;

import java.time.Instant;

/**
 * Facts about a call as one event or request tells them; {@code null} is "not told". Stored first-wins, so
 * redeliveries and events in any order build the same state.
 */
public record CallFacts(
        CallState.Stage stage,
        String toPhone,
        String fromPhone,
        String callSessionId,
        String callLegId,
        Instant callStartTime,
        Instant initiatedAt,
        Instant answeredAt,
        Instant endedAt,
        Instant hangupAt,
        Instant hangupSeenAt,
        String hangupCause,
        String hangupSource,
        String sipHangupCause) {

    /** The page's numbers before any webhook: a call being dialled. */
    public static CallFacts dialing(String toPhone, String fromPhone) {
        return new CallFacts(CallState.Stage.DIALING, toPhone, fromPhone, null, null, null, null, null, null, null, null,
                null, null, null);
    }
}
