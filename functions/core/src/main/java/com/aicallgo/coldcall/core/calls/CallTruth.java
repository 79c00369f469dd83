package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.Ids;
import com.aicallgo.coldcall.core.policy.CallGate;
import com.aicallgo.coldcall.core.policy.Verdict;
import com.aicallgo.coldcall.core.secrets.Keyring;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.telnyx.CallEnding;
import com.aicallgo.coldcall.core.webbackend.CallLog;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

/**
 * The server's truth about one call, for the page ({@code GET /calls/{id}}, docs/contracts.md): where it is, and once
 * its call log is built ({@code final}) how it ended, by the same {@link CallLogBuilder} the call log comes from.
 * Also the page's report that the call ended ({@code POST /calls/{id}/ended}), a hint {@link EndEvidence} checks.
 */
public final class CallTruth {
    /** The answer of both routes; every field is written, {@code null} included. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record View(
            String callControlId,
            String stage,
            @JsonProperty("final") boolean settled,
            boolean logged,
            String ending,
            String callStatus,
            Long talkSeconds,
            String reason,
            String detail,
            Recording recording) {
    }

    /** The call's recording: its state, and {@code call.recording.error}'s reason when it is {@code error}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Recording(String state, String reason) {
    }

    /** A call the caller may see, as Redis knows it now. */
    /** The custom SIP header the page names its call in, on the INVITE (Telnyx hands it to call.initiated). */
    public static final String PAGE_CALL_HEADER = "X-Cold-Call-Page-Id";

    public record Found(CallControlId callControlId, CallState call) {
    }

    private final Calls calls;
    private final CallLogBuilder logs;
    private final CallGate gate;
    private final EndEvidence evidence;
    private final Clock clock;

    public CallTruth(Calls calls, CallLogBuilder logs, CallGate gate, EndEvidence evidence, Clock clock) {
        this.calls = calls;
        this.logs = logs;
        this.gate = gate;
        this.evidence = evidence;
        this.clock = clock;
    }

    /**
     * The call {@code id} names for {@code rep}: its call control id, else the browser leg's call leg id, else its call
     * session id, else the page's own id for it ({@value #PAGE_CALL_HEADER}), through the indexes the webhooks keep.
     *
     * @throws Failure {@code invalid_request} for an id no call can have; {@code unknown_call} for one that names no
     *     call of ours, or a call of another rep (a key of the shared rep sees every call)
     */
    public Found find(String id, String rep) {
        if (!Ids.valid(id)) {
            throw Failure.invalid("id", Ids.RULE);
        }
        CallControlId direct = CallControlId.parse(id);
        CallControlId call = direct != null && calls.known(direct) ? direct : calls.callOfLeg(id);
        if (call == null) {
            call = calls.callOfSession(id);
        }
        if (call == null) {
            call = calls.callOfPage(id);
        }
        // a call we do not act on (an inbound call, another connection's) is nobody's to see
        CallState state = call == null || calls.ignored(call) != null ? null : calls.read(call);
        if (state == null || state.empty() || !visible(state.facts().rep(), rep)) {
            throw new Failure(ErrorCode.UNKNOWN_CALL, "No call of yours has this id",
                    call == null ? "no call has this id" : state == null || state.empty() ? "the call's state is gone"
                            : "the call is another rep's");
        }
        return new Found(call, state);
    }

    private static boolean visible(String callRep, String rep) {
        return Keyring.SHARED.equals(rep) || callRep == null || callRep.equals(rep) || Keyring.SHARED.equals(callRep)
                || CallGate.UNKNOWN_REP.equals(callRep);
    }

    /** The page reports the call ended: checked with Telnyx, acted on; returns what it led to. */
    public String reportEnded(Found found, EndEvidence.Why why) {
        return evidence.pageReport(found.callControlId(), found.call(), why);
    }

    /** The call's truth as Redis knows it now. */
    public View view(CallControlId callControlId) {
        return view(callControlId, calls.read(callControlId));
    }

    /** The truth of {@code call} as of now. */
    public View view(CallControlId callControlId, CallState call) {
        CallFacts facts = call.facts();
        String stage = call.ended() ? "ended" : facts.answeredAt() != null ? "active" : "ringing";
        Instant ready = logs.readyAt(call);
        boolean settled = ready != null && !ready.isAfter(clock.instant());
        CallEnding ending = settled ? logs.ending(call) : null;
        String reason = null;
        if (ending == CallEnding.BLOCKED) {
            Verdict.Blocked refusal = gate.refusal(facts.blocked(), facts.toPhone());
            ending = refusal.limited() ? CallEnding.LIMITED : CallEnding.BLOCKED;
            reason = refusal.reason();
        }
        CallLog log = settled ? logs.build(callControlId, call) : null;
        CallState.Recording recording = call.recording();
        return new View(
                callControlId.value(),
                stage,
                settled,
                call.sending(Deliverable.CALL_LOG).mark() == CallState.Mark.DONE,
                ending == null ? null : ending.wire(),
                log == null ? null : log.callStatus(),
                log == null ? null : log.callDurationSeconds(),
                reason,
                call.ended() ? detail(facts) : null,
                new Recording(recording.name().toLowerCase(Locale.ROOT),
                        recording == CallState.Recording.ERROR ? call.recordingErrorReason() : null));
    }

    /** The hang-up's codes, for the page's details line: {@code normal_clearing, SIP 487}. */
    private static String detail(CallFacts facts) {
        boolean destination = facts.destinationHangupCause() != null;
        String cause = destination ? facts.destinationHangupCause() : facts.hangupCause();
        String sip = destination ? facts.destinationSipHangupCause() : facts.sipHangupCause();
        // Telnyx says "unspecified" when there was no SIP answer: nothing to show
        boolean noSip = sip == null || sip.isBlank() || "unspecified".equalsIgnoreCase(sip.trim());
        String text = (cause == null ? "" : cause) + (noSip ? "" : (cause == null ? "" : ", ") + "SIP " + sip.trim());
        if (text.isEmpty()) {
            return facts.settledBy() == null ? null : "settled by " + facts.settledBy();
        }
        return text.length() > 120 ? text.substring(0, 120) : text;
    }
}
