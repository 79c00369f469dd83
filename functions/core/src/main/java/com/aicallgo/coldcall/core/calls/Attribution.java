package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.telnyx.ClientState;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;

/**
 * Which of our calls an event belongs to (keyed by the browser leg's call control id), and whether it is about the
 * browser's own leg or a leg Telnyx created for the call (the destination's, in the parked flow). An event names its
 * call by {@code call_control_id}, unless its {@code client_state} (which every command we send carries), or else its
 * leg or session id as we indexed them when seen ({@link CallStore#index}), names another of our calls: then it is
 * that call's other leg. Without a call control id: by client state, then leg, then session.
 *
 * @param call the browser leg's call control id
 * @param ownLeg whether the event is about that leg itself
 */
public record Attribution(String call, boolean ownLeg) {

    /** The event's call, or {@code null} when nothing we know names one. */
    public static Attribution of(WebhookEvent event, CallStore store) {
        WebhookEvent.Payload payload = event.payload();
        String controlId = event.callControlId();
        String stated = ClientState.callOf(payload.clientState());
        String call = stated != null ? stated : indexed(payload, store);
        if (controlId != null) {
            return call == null || call.equals(controlId)
                    ? new Attribution(controlId, true)
                    : new Attribution(call, false);
        }
        return call == null ? null : new Attribution(call, true);
    }

    /** The call the event's leg, else its session, was indexed for. */
    private static String indexed(WebhookEvent.Payload payload, CallStore store) {
        String byLeg = store.callOfLeg(payload.callLegId());
        return byLeg != null ? byLeg : store.callOfSession(payload.callSessionId());
    }
}
