package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.store.CallRecord;
import com.aicallgo.coldcall.core.telnyx.HangupStatus;
import com.aicallgo.coldcall.core.webbackend.CallLog;
import java.time.Duration;
import java.time.Instant;

/**
 * Builds a call's log from what Redis knows about it (never from the event at hand), so redeliveries and events
 * in any order give the same log. A call that ended with a "talked" cause but whose {@code call.answered} has not
 * come yet is not ready until {@code answerWait} after its hang-up (after we learned of it): Telnyx may still
 * deliver the answer.
 */
public final class CallLogBuilder {
    private final String businessId;
    private final Duration answerWait;

    public CallLogBuilder(String businessId, Duration answerWait) {
        this.businessId = businessId;
        this.answerWait = answerWait;
    }

    /** When the log can be built; {@code null} when the call has not ended. */
    public Instant readyAt(CallRecord call) {
        if (!call.has("ended_at")) {
            return null;
        }
        if (call.has("answered_at") || !HangupStatus.impliesAnswered(call.get("hangup_cause"))) {
            return Instant.MIN;
        }
        return hungUp(call).plus(answerWait);
    }

    /** The later of the hang-up's Telnyx time and when we learned of it: what waits after a hang-up count from. */
    public static Instant hungUp(CallRecord call) {
        Instant occurred = call.time("hangup_at");
        Instant seen = call.time("hangup_seen_at");
        return seen == null || seen.isBefore(occurred) ? occurred : seen;
    }

    /** Whether the call was answered: its {@code call.answered} came, or its hang-up cause says it talked. */
    public static boolean answered(CallRecord call) {
        return call.has("answered_at") || HangupStatus.impliesAnswered(call.get("hangup_cause"));
    }

    /** The log as of {@code now}; call only when {@link #readyAt} is not after {@code now}. */
    public CallLog build(String callControlId, CallRecord call) {
        Instant answeredAt = call.time("answered_at");
        String cause = call.get("hangup_cause");
        boolean answered = answeredAt != null;
        if (!answered && HangupStatus.impliesAnswered(cause)) {
            // the answer never came: the recording's start is the best answer time, else when the call started
            answered = true;
            answeredAt = call.has("recording_started_at") ? call.time("recording_started_at") : call.time("call_start_time");
        }
        Instant end = call.time("ended_at");
        // start_time rides on every call event, so the log does not depend on whether call.initiated came first
        Instant start = answered ? answeredAt : first(call.time("call_start_time"), call.time("initiated_at"), end);
        long duration = answered ? Math.max(0, Math.round(Duration.between(answeredAt, end).toMillis() / 1000.0)) : 0;
        if (businessId == null) {
            throw new ConfigException("COLD_CALL_BUSINESS_ID is required and not set");
        }
        return new CallLog(
                businessId,
                call.get("from_phone"),
                call.get("to_phone"),
                "OUTBOUND",
                start.toString(),
                end.toString(),
                duration,
                HangupStatus.of(answered, cause),
                callControlId);
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
