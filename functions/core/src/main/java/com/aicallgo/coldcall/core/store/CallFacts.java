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
 * {@code settledBy} names what ended a call whose hang-up never came (the stale-call sweep); {@code rep} is the
 * person behind the call, as their login or key tells it ({@link Reps}); {@code blocked} names the call gate's rule
 * that refused the call (docs/call-policy.md): such a call is never connected nor recorded, and its log is
 * {@code failed}.
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
        String settledBy,
        String rep,
        String blocked) {

    /** What every event of the browser's own leg tells: its numbers, its ids, when the call started. */
    public static CallFacts ownLeg(CallState.Stage stage, String toPhone, String fromPhone, String callSessionId,
            String callLegId, Instant callStartTime) {
        Builder facts = new Builder(stage).numbers(toPhone, fromPhone);
        facts.callSessionId = callSessionId;
        facts.callLegId = callLegId;
        facts.callStartTime = callStartTime;
        return facts.build();
    }

    /** The page's numbers before any webhook: a call being dialled. */
    public static CallFacts dialing(String toPhone, String fromPhone) {
        return new Builder(CallState.Stage.DIALING).numbers(toPhone, fromPhone).build();
    }

    /** The callee answered at {@code answeredAt} (the browser's leg in the direct flow). */
    public static CallFacts answered(Instant answeredAt) {
        return new Builder(CallState.Stage.ACTIVE).answered(answeredAt).build();
    }

    /** The destination's leg (parked flow) answered: the call's answer, with the numbers that leg tells. */
    public static CallFacts destinationAnswered(String toPhone, String fromPhone, Instant answeredAt) {
        return new Builder(CallState.Stage.ACTIVE).numbers(toPhone, fromPhone).answered(answeredAt).build();
    }

    /** The destination's leg ended (or could not be reached) with these causes; no stage of its own. */
    public static CallFacts destinationEnded(String hangupCause, String sipHangupCause) {
        Builder facts = new Builder(CallState.Stage.NONE);
        facts.destinationHangupCause = hangupCause;
        facts.destinationSipHangupCause = sipHangupCause;
        return facts.build();
    }

    /** The call gate refused the call by {@code rule} (first-wins: the first verdict stands). */
    public static CallFacts blockedBy(String rule) {
        return new Builder(CallState.Stage.NONE).build().withBlocked(rule);
    }

    /**
     * A call whose hang-up never came, ended at {@code end} by {@code settledBy} (learned {@code seenAt}), with the
     * hang-up cause its evidence stands for ({@code null}: none known).
     */
    public static CallFacts settled(Instant end, Instant seenAt, String settledBy, String cause) {
        Builder facts = new Builder(CallState.Stage.ENDED);
        facts.hangupCause = cause;
        facts.endedAt = end;
        facts.hangupAt = end;
        facts.hangupSeenAt = seenAt;
        facts.settledBy = settledBy;
        return facts.build();
    }

    /** These facts with the browser leg's {@code call.initiated}: when it came, and whether the call is parked. */
    public CallFacts withInitiated(Instant at, boolean isParked) {
        return new CallFacts(stage, toPhone, fromPhone, callSessionId, callLegId, callStartTime, at, answeredAt,
                endedAt, hangupAt, hangupSeenAt, hangupCause, hangupSource, sipHangupCause, destinationHangupCause,
                destinationSipHangupCause, isParked, settledBy, rep, blocked);
    }

    /** These facts with the rep behind the call ({@code null} when unknown). */
    public CallFacts withRep(String who) {
        return new CallFacts(stage, toPhone, fromPhone, callSessionId, callLegId, callStartTime, initiatedAt,
                answeredAt, endedAt, hangupAt, hangupSeenAt, hangupCause, hangupSource, sipHangupCause,
                destinationHangupCause, destinationSipHangupCause, parked, settledBy, who, blocked);
    }

    /** These facts with the gate's refusal ({@code null}: not refused). */
    public CallFacts withBlocked(String rule) {
        return new CallFacts(stage, toPhone, fromPhone, callSessionId, callLegId, callStartTime, initiatedAt,
                answeredAt, endedAt, hangupAt, hangupSeenAt, hangupCause, hangupSource, sipHangupCause,
                destinationHangupCause, destinationSipHangupCause, parked, settledBy, rep, rule);
    }

    /**
     * These facts with the browser leg's {@code call.hangup}: when the call ended, when Telnyx sent the hang-up and
     * when we learned of it, and its causes.
     */
    public CallFacts withHangup(Instant end, Instant at, Instant seenAt, String cause, String source, String sipCause) {
        return new CallFacts(stage, toPhone, fromPhone, callSessionId, callLegId, callStartTime, initiatedAt,
                answeredAt, end, at, seenAt, cause, source, sipCause, destinationHangupCause,
                destinationSipHangupCause, parked, settledBy, rep, blocked);
    }

    /** Facts under construction: every one not set is "not told" ({@code null}). */
    private static final class Builder {
        private final CallState.Stage stage;
        private String toPhone;
        private String fromPhone;
        private String callSessionId;
        private String callLegId;
        private Instant callStartTime;
        private Instant initiatedAt;
        private Instant answeredAt;
        private Instant endedAt;
        private Instant hangupAt;
        private Instant hangupSeenAt;
        private String hangupCause;
        private String hangupSource;
        private String sipHangupCause;
        private String destinationHangupCause;
        private String destinationSipHangupCause;
        private Boolean parked;
        private String settledBy;

        private Builder(CallState.Stage stage) {
            this.stage = stage;
        }

        private Builder numbers(String to, String from) {
            toPhone = to;
            fromPhone = from;
            return this;
        }

        private Builder answered(Instant at) {
            answeredAt = at;
            return this;
        }

        private CallFacts build() {
            return new CallFacts(stage, toPhone, fromPhone, callSessionId, callLegId, callStartTime, initiatedAt,
                    answeredAt, endedAt, hangupAt, hangupSeenAt, hangupCause, hangupSource, sipHangupCause,
                    destinationHangupCause, destinationSipHangupCause, parked, settledBy, null, null);
        }
    }

    /** Whether these facts came from the page (whose numbers Telnyx's replace). */
    boolean fromPage() {
        return stage == CallState.Stage.DIALING;
    }
}
