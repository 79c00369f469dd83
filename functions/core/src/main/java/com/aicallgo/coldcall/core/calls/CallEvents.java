package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.telnyx.ClientState;
import com.aicallgo.coldcall.core.telnyx.TelnyxFailure;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every Telnyx call event, whichever webhook route it came to. Telnyx sends a call's recording events to the
 * connection's webhook URL ({@code record_start} takes no URL of its own), which is the call-status route: both
 * routes therefore take both kinds, and the recording route stays for accounts that send recording events elsewhere.
 * An event is attributed to its call first ({@link #attribute}); one that names none of ours is acknowledged with
 * an {@code unattributed} WARN line carrying its ids, never refused (Telnyx would only deliver it again).
 */
public final class CallEvents {
    private final Calls store;
    private final CallTracker calls;
    private final RecordingTracker recordings;
    private final JsonLog log;

    public CallEvents(Calls store, CallTracker calls, RecordingTracker recordings, JsonLog log) {
        this.store = store;
        this.calls = calls;
        this.recordings = recordings;
        this.log = log;
    }

    /**
     * Applies one verified event. A verified event is never refused: Telnyx not answering a command asks for the event
     * again, as does a recording Telnyx cannot start before the answer it has not seen yet; a refused command is
     * logged and the event acknowledged.
     */
    public EventResult apply(WebhookEvent event) {
        EventOutcome outcome;
        try {
            outcome = route(event);
        } catch (TelnyxFailure e) {
            if (e.code() == ErrorCode.TELNYX_UNAVAILABLE) {
                return new EventResult.DeliverAgain(new Failure(ErrorCode.DELIVER_AGAIN,
                        "Telnyx did not answer a command; deliver again", e.detail()));
            }
            return new EventResult.Acknowledged(EventOutcome.TELNYX_REJECTED, String.valueOf(e.detail()));
        }
        if (outcome == EventOutcome.AWAITING_ANSWER) {
            return new EventResult.DeliverAgain(new Failure(ErrorCode.AWAITING_ANSWER,
                    "Telnyx does not see the call answered yet; deliver again", "record_start still pending"));
        }
        return new EventResult.Acknowledged(outcome, null);
    }

    private EventOutcome route(WebhookEvent event) {
        if (event.type() == WebhookEvent.Type.OTHER) {
            return EventOutcome.IGNORED;
        }
        Attribution to = attribute(event);
        if (to == null) {
            WebhookEvent.Payload payload = event.payload();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("event_id", event.id());
            fields.put("event_type", event.eventType());
            fields.put("call_leg_id", String.valueOf(payload.callLegId()));
            fields.put("call_session_id", String.valueOf(payload.callSessionId()));
            fields.put("connection_id", String.valueOf(payload.connectionId()));
            log.warn("unattributed: the event names none of our calls", fields);
            return EventOutcome.UNATTRIBUTED;
        }
        return switch (event.type()) {
            case CALL_INITIATED, CALL_ANSWERED, CALL_HANGUP -> calls.apply(event, to);
            case RECORDING_SAVED, RECORDING_ERROR -> recordings.apply(event, to.call());
            case OTHER -> EventOutcome.IGNORED;
        };
    }

    /**
     * The event's call, or {@code null} when nothing we know names one. An event names its call by
     * {@code call_control_id}, unless its {@code client_state} (which every command we send carries), or else its leg
     * or session id as we indexed them when seen ({@link Calls#index}), names another of our calls: then it is that
     * call's other leg. Without a call control id: by client state, then leg, then session.
     */
    private Attribution attribute(WebhookEvent event) {
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
