package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts a call's recording at most once, whoever asks first: the page (start-recording) or the
 * {@code call.answered} webhook. The claim in Redis keeps a second caller from sending a second record_start; the
 * stable {@code command_id} makes Telnyx ignore a repeat that slips through after a lease runs out.
 */
public final class RecordingStarter {
    private final CallStore store;
    private final TelnyxCallControl telnyx;
    private final Clock clock;

    public RecordingStarter(CallStore store, TelnyxCallControl telnyx, Clock clock) {
        this.store = store;
        this.telnyx = telnyx;
        this.clock = clock;
    }

    /**
     * Starts the recording unless it is started, being started, or the call is over.
     *
     * @throws ApiException {@code telnyx_unavailable} / {@code telnyx_rejected}; the claim is given back first
     */
    public StartOutcome start(String callControlId, String toPhone, String fromPhone) {
        Map<String, String> phones = new LinkedHashMap<>();
        if (toPhone != null) {
            phones.put("to_phone", toPhone);
        }
        if (fromPhone != null) {
            phones.put("from_phone", fromPhone);
        }
        store.apply(callControlId, "dialing", phones, Map.of(), clock.instant());
        return start(callControlId);
    }

    /** Starts the recording of a call the store knows (see {@link #start(String, String, String)}). */
    public StartOutcome start(String callControlId) {
        // two rounds: Telnyx may still say "not answered" while our call.answered webhook lands in between
        for (int round = 0; round < 2; round++) {
            String claim = store.claimRecording(callControlId, clock.instant());
            switch (claim) {
                case "ended":
                    return StartOutcome.CALL_ENDED;
                case "started", "requesting":
                    return StartOutcome.ALREADY_STARTED;
                default:
                    break;
            }
            TelnyxCallControl.RecordStart answer;
            try {
                answer = telnyx.recordStart(callControlId);
            } catch (ApiException e) {
                store.settle(callControlId, "recording_state", claim, "failed");
                throw e;
            }
            switch (answer) {
                case ACCEPTED -> {
                    store.settle(callControlId, "recording_state", claim, "started");
                    return StartOutcome.STARTED;
                }
                case CALL_ENDED -> {
                    store.settle(callControlId, "recording_state", claim, "call_ended");
                    return StartOutcome.CALL_ENDED;
                }
                case NOT_ANSWERED_YET -> {
                    if (round == 1) {
                        // Telnyx still says "not answered" although call.answered came: pending until a redelivery
                        store.settle(callControlId, "recording_state", claim, "pending");
                        return StartOutcome.PENDING;
                    }
                    if (store.parkRecording(callControlId, claim).equals("pending")) {
                        return StartOutcome.PENDING;
                    }
                    // answered meanwhile: our claim is still held, give it back and ask Telnyx again
                    store.settle(callControlId, "recording_state", claim, null);
                }
            }
        }
        return StartOutcome.PENDING;
    }
}
