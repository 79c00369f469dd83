package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.RecordingClaim;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import com.aicallgo.coldcall.core.telnyx.TelnyxFailure;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import java.time.Clock;

/**
 * Starts a call's recording at most once, whoever asks first: the page (start-recording) or the
 * {@code call.answered} webhook. The claim in Redis keeps a second caller from sending a second record_start; each
 * claim is one attempt with its own {@code command_id}, kept by that attempt's retries.
 */
public final class RecordingStarter {
    private final Calls store;
    private final TelnyxCallControl telnyx;
    private final Clock clock;
    private final Budget budget;
    private final boolean parkedFlow;
    private final String connectionId;

    /**
     * @param parkedFlow {@code CALL_FLOW=parked}: a parked call's recording rides on its connect command
     * @param connectionId our SIP connection ({@code TELNYX_SIP_CONNECTION_ID}): a call no webhook named yet is
     *     recorded only when Telnyx lists it live there ({@code null}: only calls a webhook named)
     */
    public RecordingStarter(Calls store, TelnyxCallControl telnyx, Clock clock, Budget budget, boolean parkedFlow,
            String connectionId) {
        this.budget = budget;
        this.parkedFlow = parkedFlow;
        this.connectionId = connectionId;
        this.store = store;
        this.telnyx = telnyx;
        this.clock = clock;
    }

    /**
     * Starts the recording unless it is started, being started, or the call is over; the page's numbers are kept
     * unless the call's webhooks told them first.
     *
     * @throws TelnyxFailure when Telnyx does not answer or refuses; the claim is given back first
     */
    public StartOutcome start(CallControlId callControlId, String toPhone, String fromPhone) {
        return start(callControlId, toPhone, fromPhone, null);
    }

    /** The same, for the page of {@code rep} (the person whose key asked; {@code null} when unknown): first wins. */
    public StartOutcome start(CallControlId callControlId, String toPhone, String fromPhone, String rep) {
        if (!ours(callControlId)) {
            return StartOutcome.UNKNOWN_CALL;
        }
        CallState call = store.record(callControlId, CallFacts.dialing(toPhone, fromPhone).withRep(rep),
                clock.instant());
        if (call.facts().blocked() != null) {
            return StartOutcome.BLOCKED;
        }
        if (parkedFlow && !Boolean.FALSE.equals(call.facts().parked())) {
            // the transfer that connects a parked call records from the answer: a record_start of the page's own
            // would make a second recording; until the flow of this call is known, it waits as pending (the answer
            // starts it if the call turns out not parked)
            if (call.ended()) {
                return StartOutcome.CALL_ENDED;
            }
            CallState.Recording state = store.markRecording(callControlId, CallState.Recording.PENDING, clock.instant())
                    .recording();
            return state == CallState.Recording.STARTED || state == CallState.Recording.SAVED
                    ? StartOutcome.ALREADY_STARTED : StartOutcome.PENDING;
        }
        return start(callControlId);
    }

    /**
     * Whether the call is one of ours: a webhook named it (its hash holds what only Telnyx tells: a stage past
     * dialing, a leg or session id), or, before its first webhook lands, Telnyx lists it live on our connection. The
     * page's own request proves nothing: any id it names would otherwise be recorded with our Telnyx key.
     */
    private boolean ours(CallControlId callControlId) {
        CallState known = store.read(callControlId);
        CallFacts facts = known.facts();
        if (facts.stage().compareTo(CallState.Stage.INITIATED) >= 0 || facts.callSessionId() != null
                || facts.callLegId() != null) {
            return true;
        }
        return connectionId != null && budget.within(Deadline.in(Deadlines.CLAIM_HOLD),
                () -> telnyx.activeOn(connectionId, callControlId));
    }

    /** Starts the recording of a call the store knows (see {@link #start(CallControlId, String, String)}). */
    public StartOutcome start(CallControlId callControlId) {
        // two rounds: Telnyx may still say "not answered" while our call.answered webhook lands in between
        for (int round = 0; round < 2; round++) {
            RecordingClaim.Claimed claim;
            switch (store.claimRecording(callControlId, clock.instant())) {
                case RecordingClaim.Blocked blocked -> {
                    return StartOutcome.BLOCKED;
                }
                case RecordingClaim.CallEnded ended -> {
                    return StartOutcome.CALL_ENDED;
                }
                case RecordingClaim.AlreadyStarted started -> {
                    return StartOutcome.ALREADY_STARTED;
                }
                case RecordingClaim.Claimed claimed -> claim = claimed;
            }
            // record_start with its retries, and recording its answer, end by the claim's hold (inside its lease)
            RecordingClaim.Claimed held = claim;
            TelnyxCallControl.Answer answer = budget.within(Deadline.in(Deadlines.CLAIM_HOLD), () -> {
                try {
                    // ends early enough to record Telnyx's answer in Redis before the deadline; each claim is a new
                    // attempt, so its command id is new (a retry of this attempt keeps it)
                    return telnyx.recordStart(callControlId, TelnyxCallControl.Attempt.next(),
                            budget.invocation().minus(Deadlines.SETTLE_RESERVE));
                } catch (TelnyxFailure e) {
                    store.settleRecording(callControlId, held, CallState.Recording.FAILED);
                    throw e;
                }
            });
            switch (answer) {
                case ACCEPTED -> {
                    store.settleRecording(callControlId, claim, CallState.Recording.STARTED);
                    return StartOutcome.STARTED;
                }
                case CALL_ENDED -> {
                    store.settleRecording(callControlId, claim, CallState.Recording.CALL_ENDED);
                    return StartOutcome.CALL_ENDED;
                }
                case NOT_ANSWERED_YET -> {
                    if (round == 1) {
                        // Telnyx still says "not answered" although call.answered came: pending until a redelivery
                        store.settleRecording(callControlId, claim, CallState.Recording.PENDING);
                        return StartOutcome.PENDING;
                    }
                    if (store.parkRecording(callControlId, claim)) {
                        return StartOutcome.PENDING;
                    }
                    // answered meanwhile: our claim is still held, give it back and ask Telnyx again
                    store.settleRecording(callControlId, claim, CallState.Recording.NONE);
                }
            }
        }
        return StartOutcome.PENDING;
    }
}
