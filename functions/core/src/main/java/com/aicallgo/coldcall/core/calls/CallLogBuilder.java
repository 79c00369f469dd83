package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.telnyx.CallEnding;
import com.aicallgo.coldcall.core.webbackend.CallLog;
import com.aicallgo.coldcall.core.webbackend.Outgoing;
import java.time.Duration;
import java.time.Instant;

/**
 * Builds a call's log from what Redis knows about it (never from the event at hand), so redeliveries and events
 * in any order give the same log. A call whose {@code call.answered} has not come and whose hang-up does not say
 * it did not talk ({@link CallEnding#talked}) is not ready until {@code answerWait} after its hang-up (after we
 * learned of it): Telnyx may still deliver the answer, and with it the talk's duration. After that,
 * {@link CallEnding}'s rule decides. In the parked flow the destination leg's hang-up cause, when it ended
 * unanswered, is the call's outcome.
 *
 * <p>The numbers are posted as E.164 only ({@link Outgoing#number}): the caller's, else our own caller ID; the
 * dialled one, else its SIP user part when short and printable, else {@code unknown}. Every other field is ours or
 * a checked id, so no text an event carried reaches the Web Backend unbounded.
 */
public final class CallLogBuilder {
    private final String businessId;
    private final String callerNumber;
    private final Duration answerWait;

    /** @param callerNumber our caller ID ({@code TELNYX_SIP_PHONE_NUMBER}): the caller's number when none is told */
    public CallLogBuilder(String businessId, String callerNumber, Duration answerWait) {
        this.businessId = businessId;
        this.callerNumber = callerNumber;
        this.answerWait = answerWait;
    }

    /**
     * When the log can be built; {@code null} when the call has not ended. At once when its answer came or its
     * hang-up says it did not talk ({@link CallState#hangupSays}); else {@code answerWait} after the hang-up (a few
     * seconds: an answer on its way, which gives a talked call its duration, posts the log as it lands).
     */
    public Instant readyAt(CallState call) {
        if (!call.ended()) {
            return null;
        }
        CallFacts facts = call.facts();
        if (facts.blocked() != null || facts.answeredAt() != null || call.hangupSays() == CallEnding.Talk.NO) {
            return Instant.MIN;
        }
        return call.hungUp().plus(answerWait);
    }

    /** The log as of {@code now}; call only when {@link #readyAt} is not after {@code now}. */
    public CallLog build(CallControlId callControlId, CallState call) {
        CallFacts facts = call.facts();
        Instant answeredAt = facts.answeredAt();
        boolean answered = answeredAt != null;
        if (!answered && call.answered()) {
            // the answer never came: the recording's start is the best answer time, else when the call started
            answered = true;
            answeredAt = call.recordingStartedAt() != null ? call.recordingStartedAt() : facts.callStartTime();
        }
        Instant end = facts.endedAt();
        Instant start = answered ? answeredAt : first(facts.callStartTime(), facts.initiatedAt(), end);
        long duration = answered ? Math.max(0, Math.round(Duration.between(answeredAt, end).toMillis() / 1000.0)) : 0;
        if (businessId == null) {
            throw new ConfigException("COLD_CALL_BUSINESS_ID is required and not set");
        }
        return new CallLog(
                businessId,
                Outgoing.number(facts.fromPhone(), false, callerNumber),
                Outgoing.number(facts.toPhone(), true, null),
                "OUTBOUND",
                start.toString(),
                end.toString(),
                duration,
                ending(call).callStatus(),
                callControlId.value());
    }

    /**
     * How the call ended, by the one rule its log's {@code call_status} comes from ({@code null} before it ended):
     * final once {@link #readyAt} is not after now. A call the gate refused is {@link CallEnding#BLOCKED} here.
     */
    public CallEnding ending(CallState call) {
        if (!call.ended()) {
            return null;
        }
        CallFacts facts = call.facts();
        boolean answered = call.answered();
        return facts.blocked() != null ? CallEnding.BLOCKED
                : facts.destinationHangupCause() != null
                ? CallEnding.of(answered, facts.destinationHangupCause(), facts.destinationSipHangupCause())
                : CallEnding.of(answered, facts.hangupCause(), facts.hangupSource(), facts.sipHangupCause());
    }

    private static Instant first(Instant... candidates) {
        for (Instant candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        throw new IllegalStateException("no time known for the call");
    }
}
