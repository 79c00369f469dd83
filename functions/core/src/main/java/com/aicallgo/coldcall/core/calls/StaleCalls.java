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
import java.util.Map;

/**
 * Calls whose hang-up never came. Each call is scheduled for a check {@code STALE_CALL_AFTER_MINUTES} after it was
 * initiated (a little over the longest call Telnyx allows); if it has not ended by then, Telnyx's call status API
 * ({@code GET /v2/calls/{id}}) is asked. A call Telnyx still has is asked about again later; one it reports ended,
 * or no longer knows, is settled as if its hang-up had come: {@code settled_by: stale_sweep} on the call, the end
 * time Telnyx gives (else the last time we know of), its call log, and its recording check. Each settled call is a
 * WARN line and a {@code StaleCallsSettled} metric.
 *
 * <p>No call is dropped silently. A call Telnyx still reports alive {@link CallLimit#maxCall} after it started is
 * settled all the same ({@code settled_by: max_duration}, ended now, its call log posted: {@code completed} if it was
 * answered, else {@code failed}), with a WARN line and a {@code CallsOverMaxDuration} metric, and Telnyx is asked to
 * hang it up so that it stops costing money. Until then each check keeps the call's state alive past the next check.
 * A call whose state is gone before it was settled (it expired, or was deleted) cannot get a call log: it is put in
 * the dead-letter list with an ERROR line and a {@code DeadLetters} metric.
 */
public final class StaleCalls {
    /** What one call's check found. */
    public enum Outcome {
        /** Its state was gone before it was settled: dead-lettered. */
        LOST,
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
    public record Report(int checked, int settled, int alive, int waiting, int lost) {
    }

    /** A call Telnyx still has up is asked about again after this. */
    static final Duration ALIVE_RECHECK = Duration.ofMinutes(30);
    /** A call status API that does not answer is asked again after this. */
    static final Duration UNAVAILABLE_RECHECK = Duration.ofMinutes(5);
    /** A call still up keeps its state at least this long past its next check. */
    static final Duration KEEP_MARGIN = Duration.ofDays(1);
    /** What {@code settled_by} says of a call ended for being up past {@code MAX_CALL_MINUTES}. */
    public static final String MAX_DURATION = "max_duration";

    private final Calls calls;
    private final Schedule checks;
    private final TelnyxCallControl telnyx;
    private final Clock clock;
    private final JsonLog log;
    private final int page;
    private final CallLimit limit;
    private final Settlement settlement;

    public StaleCalls(Calls calls, Schedule checks, TelnyxCallControl telnyx, Settlement settlement, Clock clock,
            JsonLog log, int page, CallLimit limit) {
        this.limit = limit;
        this.settlement = settlement;
        this.calls = calls;
        this.checks = checks;
        this.telnyx = telnyx;
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
                counts[Outcome.ALIVE.ordinal()], counts[Outcome.WAITING.ordinal()], counts[Outcome.LOST.ordinal()]);
        if (report.checked() > 0) {
            log.info("stale calls checked", Map.of("checked", report.checked(), "settled", report.settled(),
                    "alive", report.alive(), "waiting", report.waiting(), "lost", report.lost()));
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
        if (call.empty()) {
            return lost(callControlId);
        }
        if (call.ended()) {
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
            Instant due = clock.instant().plus(UNAVAILABLE_RECHECK);
            checks.move(callControlId.value(), due);
            calls.keep(callControlId, UNAVAILABLE_RECHECK.plus(KEEP_MARGIN));
            log.warn("call status API unavailable; checking the stale call again later", Map.of(
                    "call_control_id", callControlId, "detail", String.valueOf(e.detail())));
            return Outcome.WAITING;
        }
        Instant now = clock.instant();
        CallFacts facts = call.facts();
        Instant end;
        String why;
        String settledBy = "stale_sweep";
        switch (status) {
            case TelnyxCallControl.Status.Known known when known.alive() -> {
                Instant started = last(facts.initiatedAt(), facts.callStartTime(), facts.answeredAt(), Instant.EPOCH);
                Instant over = started.plus(limit.maxCall());
                if (now.isBefore(over)) {
                    Instant next = min(now.plus(ALIVE_RECHECK), over);
                    checks.move(callControlId.value(), next);
                    calls.keep(callControlId, Duration.between(now, next).plus(KEEP_MARGIN));
                    return Outcome.ALIVE;
                }
                end = now;
                why = "Telnyx still reports the call alive " + limit.maxCall().toMinutes()
                        + " min (MAX_CALL_MINUTES) after it started";
                settledBy = MAX_DURATION;
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
        boolean told = end != null;
        if (end == null) {
            end = last(facts.answeredAt(), facts.initiatedAt(), facts.callStartTime(), now);
        }
        boolean over = settledBy.equals(MAX_DURATION);
        Settlement.Evidence evidence = new Settlement.Evidence(settledBy, why, end,
                over ? "now" : told ? "telnyx" : "last known event", null);
        boolean ours = settlement.settle(callControlId, call, evidence, over
                ? "call up past MAX_CALL_MINUTES settled: its call log is posted and Telnyx is asked to hang it up"
                : "stale call settled: its hang-up never came");
        if (over && ours) {
            log.metric("CallsOverMaxDuration", "Count", 1, Map.of("call_control_id", callControlId,
                    "settled_by", settledBy, "ended_at", end.toString()));
            hangUp(callControlId);
        }
        return Outcome.SETTLED;
    }

    /**
     * Asks Telnyx to end a call up past the maximum, once per settlement (one command id); a failure is logged and
     * left: the call is settled either way, and Telnyx's own time limit ends it at the latest.
     */
    private void hangUp(CallControlId callControlId) {
        try {
            TelnyxCallControl.Answer answer = telnyx.hangup(callControlId, callControlId, null,
                    TelnyxCallControl.Attempt.forEvent(MAX_DURATION), null);
            log.info("hang-up of a call up past MAX_CALL_MINUTES sent", Map.of("call_control_id", callControlId,
                    "answer", answer.name().toLowerCase(java.util.Locale.ROOT)));
        } catch (Failure e) {
            log.warn("Telnyx did not take the hang-up of a call up past MAX_CALL_MINUTES", Map.of(
                    "call_control_id", callControlId, "detail", String.valueOf(e.detail())));
        }
    }

    /**
     * A scheduled call with no state: it was never settled (a settled call's check is dropped), so nothing can post
     * its call log any more. A person looks at it in the dead-letter list.
     */
    private Outcome lost(CallControlId callControlId) {
        DeadLetter letter = new DeadLetter(callControlId.value(), "call_log",
                "the call's state expired before it was settled: no call log can be built", 1, clock.instant());
        checks.deadLetter(callControlId.value(), letter.json());
        Map<String, Object> fields = letter.fields();
        log.error("stale call lost its state before it was settled: it is in the dead-letter list", fields);
        log.metric("DeadLetters", "Count", 1, fields);
        return Outcome.LOST;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
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
