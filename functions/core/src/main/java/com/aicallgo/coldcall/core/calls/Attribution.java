package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.telnyx.ClientState;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;

/**
 * Which of our calls an event belongs to (keyed by the browser leg's call control id), and whether it is about the
 * browser's own leg or a leg Telnyx created for the call (the destination's, in the parked flow). An event names its
 * call by {@code call_control_id}, unless its {@code client_state} (which every command we send carries), or else its
 * leg or session id as we indexed them when seen ({@link Calls#index}), names another of our calls: then it is
 * that call's other leg. Without a call control id: by client state, then leg, then session.
 *
 * @param call the browser leg's call control id
 * @param ownLeg whether the event is about that leg itself
 * @param indexed whether the event's leg (and so its session, indexed with it) already names {@code call}: a call
 *     event then need not index them again
 */
public record Attribution(CallControlId call, boolean ownLeg, boolean indexed) {

    /** The event's call, or {@code null} when nothing we know names one. */
    public static Attribution of(WebhookEvent event, Calls store) {
        WebhookEvent.Payload payload = event.payload();
        CallControlId controlId = event.callControlId();
        CallControlId stated = ClientState.callOf(payload.clientState());
        CallControlId byLeg = stated != null ? null : store.callOfLeg(payload.callLegId());
        CallControlId call = stated != null ? stated : byLeg != null ? byLeg
                : store.callOfSession(payload.callSessionId());
        if (call == null) {
            return controlId == null ? null : new Attribution(controlId, true, false);
        }
        boolean indexed = call.equals(byLeg);
        return controlId == null || call.equals(controlId)
                ? new Attribution(call, true, indexed)
                : new Attribution(call, false, indexed);
    }
}
