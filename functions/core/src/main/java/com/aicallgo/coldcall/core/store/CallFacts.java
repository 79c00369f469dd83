package com.aicallgo.coldcall.core.store;

import java.time.Instant;

/**
 * Facts about a call as one event or request tells them; {@code null} is "not told". Stored first-wins, so
 * redeliveries and events in any order build the same state, with one exception: the numbers Telnyx's webhooks tell
 * replace the page's (which are only a fallback until a webhook arrives).
 *
 * <p>In the parked flow the browser's leg is connected to the dialled number by a leg Telnyx creates (the
 * destination's leg): its answer is the call's answer, and its hang-up cause, when it ended unanswered, is the
 * call's outcome ({@code destination*}). {@code parked} is set from the browser leg's {@code call.initiated};
 * {@code settledBy} names what ended a call whose hang-up never came (the stale-call sweep).
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
        String sipHangupCause,
        String destinationHangupCause,
        String destinationSipHangupCause,
        Boolean parked,
        String settledBy) {

    /** Facts of the browser's own leg (no destination leg, not told whether parked). */
    public CallFacts(CallState.Stage stage, String toPhone, String fromPhone, String callSessionId, String callLegId,
            Instant callStartTime, Instant initiatedAt, Instant answeredAt, Instant endedAt, Instant hangupAt,
            Instant hangupSeenAt, String hangupCause, String hangupSource, String sipHangupCause) {
        this(stage, toPhone, fromPhone, callSessionId, callLegId, callStartTime, initiatedAt, answeredAt, endedAt,
                hangupAt, hangupSeenAt, hangupCause, hangupSource, sipHangupCause, null, null, null, null);
    }

    /** The page's numbers before any webhook: a call being dialled. */
    public static CallFacts dialing(String toPhone, String fromPhone) {
        return new CallFacts(CallState.Stage.DIALING, toPhone, fromPhone, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    /** Only a stage (and, when given, the destination leg's hang-up): what the destination's leg tells. */
    public static CallFacts destination(CallState.Stage stage, String toPhone, String fromPhone, Instant answeredAt,
            String hangupCause, String sipHangupCause) {
        return new CallFacts(stage, toPhone, fromPhone, null, null, null, null, answeredAt, null, null, null, null, null,
                null, hangupCause, sipHangupCause, null, null);
    }

    /** Whether these facts came from the page (whose numbers Telnyx's replace). */
    boolean fromPage() {
        return stage == CallState.Stage.DIALING;
    }
}
