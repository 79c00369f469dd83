package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Schedule;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import com.aicallgo.coldcall.core.telnyx.TelnyxFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Evidence that a call ended other than its {@code call.hangup}, each confirmed with Telnyx's call status
 * ({@code GET /v2/calls/{id}}) before anything is done, then settled through {@link Settlement}:
 * <ul>
 * <li>the page's report ({@code POST /calls/{id}/ended}): a call Telnyx has alive is hung up, whatever the reason:
 *     the page no longer shows it (it lets go of a call whose signalling it lost, and releases the microphone), and
 *     a call the rep cannot see must not live on; the stale check is brought forward. A call Telnyx reports ended or
 *     no longer knows is settled now ({@code page_report});
 * <li>a recording event for a call with no hang-up: Telnyx records until the call ends, so a saved (or failed)
 *     recording says the call is over; settled now ({@code recording_event}), ended when the recording ended.
 * </ul>
 * An unanswered call reported ended waits up to {@link #HANGUP_GRACE} for its own hang-up first, whose causes say
 * more (busy, no answer) than the report does.
 */
public final class EndEvidence {
    /** What the page says happened to its call. */
    public enum Why {
        HUNG_UP, LOST, PAGE_CLOSED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The reason for a wire name, or {@code null}. */
        public static Why of(String wire) {
            for (Why why : values()) {
                if (why.wire().equals(wire)) {
                    return why;
                }
            }
            return null;
        }
    }

    /** {@code settled_by} of a call the page reported ended. */
    public static final String PAGE_REPORT = "page_report";
    /** {@code settled_by} of a call a recording event showed ended. */
    public static final String RECORDING_EVENT = "recording_event";
    /** How long an unanswered call reported ended waits for its own hang-up (polled in Redis). */
    static final Duration HANGUP_GRACE = Duration.ofMillis(1_000);
    /** A call still up after a report is asked about again this soon (by the stale sweep, every minute). */
    static final Duration QUICK_RECHECK = Duration.ofSeconds(30);

    private final Calls calls;
    private final Schedule staleChecks;
    private final TelnyxCallControl telnyx;
    private final Settlement settlement;
    private final Clock clock;
    private final JsonLog log;

    public EndEvidence(Calls calls, Schedule staleChecks, TelnyxCallControl telnyx, Settlement settlement, Clock clock,
            JsonLog log) {
        this.calls = calls;
        this.staleChecks = staleChecks;
        this.telnyx = telnyx;
        this.settlement = settlement;
        this.clock = clock;
        this.log = log;
    }

    /** The page reports its call ended; returns what the report led to (for the request's log line). */
    public String pageReport(CallControlId callControlId, CallState call, Why why) {
        if (call.ended()) {
            return "already_ended";
        }
        TelnyxCallControl.Status status = status(callControlId, PAGE_REPORT);
        if (status == null) {
            return "telnyx_unavailable";
        }
        if (status instanceof TelnyxCallControl.Status.Known known && known.alive()) {
            staleChecks.move(callControlId.value(), clock.instant().plus(QUICK_RECHECK));
            try {
                telnyx.hangup(callControlId, callControlId, null, TelnyxCallControl.Attempt.forEvent(PAGE_REPORT),
                        null);
            } catch (TelnyxFailure e) {
                log.warn("Telnyx did not take the hang-up the page asked for", Map.of(
                        "call_control_id", callControlId, "detail", String.valueOf(e.detail())));
                return "hangup_failed";
            }
            return "hangup_sent";
        }
        if (!call.answered()) {
            CallState later = awaitHangup(callControlId);
            if (later.ended() || later.empty()) {
                return "hangup_came";
            }
            call = later;
        }
        Instant told = endTime(status);
        // Telnyx took a record_start for it (the page asks at the answer): it talked, whatever webhook is late
        boolean recorded = call.recordingStartedAt() != null || call.recording() == CallState.Recording.STARTED
                || call.recording() == CallState.Recording.SAVED;
        String cause = call.answered() ? null : recorded ? "normal_clearing"
                : why == Why.LOST ? null : "originator_cancel";
        boolean ours = settlement.settle(callControlId, call, new Settlement.Evidence(PAGE_REPORT,
                "the page reported the call " + why.wire() + " and " + describe(status), told != null ? told
                        : clock.instant(), told != null ? "telnyx" : "now", cause),
                "call settled on the page's report: its hang-up never came");
        return ours ? "settled" : "already_ended";
    }

    /**
     * A recording event came for a call that has no hang-up: Telnyx says whether it ended; if so it is settled now,
     * ended when the recording ended ({@code recordingEndedAt}), else when Telnyx says, else now.
     */
    public void recording(CallControlId callControlId, CallState call, Instant recordingEndedAt) {
        CallState.Stage stage = call.facts().stage();
        if (call.ended() || stage != CallState.Stage.INITIATED && stage != CallState.Stage.ACTIVE) {
            return; // ended, or no call event named it yet: nothing to settle from
        }
        TelnyxCallControl.Status status = status(callControlId, RECORDING_EVENT);
        if (status == null) {
            return;
        }
        if (status instanceof TelnyxCallControl.Status.Known known && known.alive()) {
            staleChecks.move(callControlId.value(), clock.instant().plus(QUICK_RECHECK));
            return;
        }
        Instant told = endTime(status);
        Instant end = recordingEndedAt != null ? recordingEndedAt : told != null ? told : clock.instant();
        // Telnyx records only an answered call: the call talked and ended as such a call does. Whose call.answered
        // has not come yet (webhooks come in any order) is answered by CallState's rule and its log waits for the
        // answer as after any such hang-up (CallLogBuilder.readyAt)
        settlement.settle(callControlId, call, new Settlement.Evidence(RECORDING_EVENT,
                "a recording event came with no hang-up and " + describe(status), end,
                recordingEndedAt != null ? "recording" : told != null ? "telnyx" : "now", "normal_clearing"),
                "call settled on its recording event: its hang-up never came");
    }

    /** Telnyx's call status, or {@code null} (logged) when it does not answer: the stale sweep asks later. */
    private TelnyxCallControl.Status status(CallControlId callControlId, String evidence) {
        try {
            return telnyx.status(callControlId);
        } catch (TelnyxFailure e) {
            if (e.code() != ErrorCode.TELNYX_UNAVAILABLE) {
                throw e;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("call_control_id", callControlId);
            fields.put("evidence", evidence);
            fields.put("detail", String.valueOf(e.detail()));
            log.warn("call status API unavailable: the evidence that the call ended is left to the stale sweep",
                    fields);
            staleChecks.move(callControlId.value(), clock.instant().plus(QUICK_RECHECK));
            return null;
        }
    }

    /** The call's state once its hang-up came, or after {@link #HANGUP_GRACE}. */
    private CallState awaitHangup(CallControlId callControlId) {
        long until = System.nanoTime() + HANGUP_GRACE.toNanos();
        CallState call = calls.read(callControlId);
        while (!call.ended() && !call.empty() && System.nanoTime() < until) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            call = calls.read(callControlId);
        }
        return call;
    }

    private static Instant endTime(TelnyxCallControl.Status status) {
        return status instanceof TelnyxCallControl.Status.Known known
                ? RecordingReconciler.instant(known.endTime()) : null;
    }

    private static String describe(TelnyxCallControl.Status status) {
        return switch (status) {
            case TelnyxCallControl.Status.Known known -> "Telnyx reports it ended";
            case TelnyxCallControl.Status.Gone gone -> "Telnyx no longer knows it (" + gone.detail() + ")";
        };
    }
}
