package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Schedule;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import com.aicallgo.coldcall.core.time.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calls whose hang-up never came. Each call is scheduled for a check {@code STALE_CALL_AFTER_MINUTES} after it was
 * initiated (a little over the longest call Telnyx allows); if it has not ended by then, Telnyx's call status API
 * ({@code GET /v2/calls/{id}}) is asked. A call Telnyx still has is asked about again later; one it reports ended,
 * or no longer knows, is settled as if its hang-up had come: {@code settled_by: stale_sweep} on the call, the end
 * time Telnyx gives (else the last time we know of), its call log, and its recording check. Each settled call is a
 * WARN line and a {@code StaleCallsSettled} metric.
 */
public final class StaleCalls {
    /** What one call's check found. */
    public enum Outcome {
        /** It had ended meanwhile (its hang-up came): nothing to do. */
        ENDED_BEFORE,
        /** Telnyx still has it up: asked about again later. */
        ALIVE,
        /** Settled with its call log. */
        SETTLED,
        /** Telnyx did not answer: asked about again later. */
        WAITING
    }

    /** What one sweep did. */
    public record Report(int checked, int settled, int alive, int waiting) {
    }

    /** A call Telnyx still has up is asked about again after this. */
    static final Duration ALIVE_RECHECK = Duration.ofMinutes(30);
    /** A call status API that does not answer is asked again after this. */
    static final Duration UNAVAILABLE_RECHECK = Duration.ofMinutes(5);

    private final Calls calls;
    private final Schedule checks;
    private final TelnyxCallControl telnyx;
    private final CallTracker tracker;
    private final Clock clock;
    private final JsonLog log;
    private final int page;

    public StaleCalls(Calls calls, Schedule checks, TelnyxCallControl telnyx, CallTracker tracker, Clock clock,
            JsonLog log, int page) {
        this.calls = calls;
        this.checks = checks;
        this.telnyx = telnyx;
        this.tracker = tracker;
        this.clock = clock;
        this.log = log;
        this.page = page;
    }

    /** One sweep over the calls due, until none is left or {@code deadline}. */
    public Report sweep(Deadline deadline) {
        int[] counts = new int[Outcome.values().length];
        Pass.each(deadline, handled -> checks.due(clock.instant(), page + handled),
                member -> counts[Isolation.handle(member, m -> check(Isolation.callOf(m)), this::failed).ordinal()]++);
        Report report = new Report(Arrays.stream(counts).sum(), counts[Outcome.SETTLED.ordinal()],
                counts[Outcome.ALIVE.ordinal()], counts[Outcome.WAITING.ordinal()]);
        if (report.checked() > 0) {
            log.info("stale calls checked", Map.of("checked", report.checked(), "settled", report.settled(),
                    "alive", report.alive(), "waiting", report.waiting()));
        }
        return report;
    }

    /** A check that threw is not counted: it is asked about again later, as when Telnyx does not answer. */
    private Outcome failed(String member, String reason) {
        Instant due = clock.instant().plus(UNAVAILABLE_RECHECK);
        checks.move(member, due);
        log.warn("stale call check failed; checking again later", Map.of("call_control_id", member,
                "reason", reason, "retry_at", due.toString()));
        return Outcome.WAITING;
    }

    /** Checks one call. */
    public Outcome check(CallControlId callControlId) {
        CallState call = calls.read(callControlId);
        if (call.empty() || call.ended()) {
            checks.drop(callControlId.value());
            return Outcome.ENDED_BEFORE;
        }
        TelnyxCallControl.Status status;
        try {
            status = telnyx.status(callControlId);
        } catch (Failure e) {
            if (e.code() != ErrorCode.TELNYX_UNAVAILABLE) {
                throw e;
            }
            checks.move(callControlId.value(), clock.instant().plus(UNAVAILABLE_RECHECK));
            log.warn("call status API unavailable; checking the stale call again later", Map.of(
                    "call_control_id", callControlId, "detail", String.valueOf(e.detail())));
            return Outcome.WAITING;
        }
        Instant end;
        String why;
        switch (status) {
            case TelnyxCallControl.Status.Known known when known.alive() -> {
                checks.move(callControlId.value(), clock.instant().plus(ALIVE_RECHECK));
                return Outcome.ALIVE;
            }
            case TelnyxCallControl.Status.Known known -> {
                end = RecordingReconciler.instant(known.endTime());
                why = "Telnyx reports the call ended";
            }
            case TelnyxCallControl.Status.Gone gone -> {
                end = null;
                why = "Telnyx no longer knows the call (" + gone.detail() + ")";
            }
        }
        Instant now = clock.instant();
        CallFacts facts = call.facts();
        boolean told = end != null;
        if (end == null) {
            end = last(facts.answeredAt(), facts.initiatedAt(), facts.callStartTime(), now);
        }
        CallState settled = calls.record(callControlId, CallFacts.settled(end, now, "stale_sweep"), now);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", callControlId);
        fields.put("reason", why);
        fields.put("ended_at", end.toString());
        fields.put("end_time_from", told ? "telnyx" : "last known event");
        fields.put("answered", facts.answeredAt() != null);
        log.warn("stale call settled: its hang-up never came", fields);
        log.metric("StaleCallsSettled", "Count", 1, fields);
        tracker.postCallLog(callControlId, settled);
        return Outcome.SETTLED;
    }

    private static Instant last(Instant... candidates) {
        for (Instant candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        throw new IllegalStateException("unreachable");
    }
}
