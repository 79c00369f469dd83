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
    private final ClientState states;
    private final JsonLog log;

    public CallEvents(Calls store, CallTracker calls, RecordingTracker recordings, ClientState states, JsonLog log) {
        this.store = store;
        this.states = states;
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
     * The event's call, or {@code null} when nothing we know names one. In this order, so that nothing an event's
     * sender controls can take it from its own call:
     * <ol>
     * <li>its {@code call_control_id}, when we know that call (it has a hash): always its own leg;
     * <li>its {@code client_state}, when it verifies ({@link ClientState}: our MAC) and is bound to the event (it names
     *     the event's own call, or the session the event belongs to): the stated call, of which the event is the own
     *     leg or the leg a transfer created; a state that does not verify or is bound elsewhere is ignored, logged;
     * <li>its leg, then its session id, as we indexed them when seen ({@link Calls#index});
     * <li>its own {@code call_control_id}, a call we have not seen yet.
     * </ol>
     */
    private Attribution attribute(WebhookEvent event) {
        WebhookEvent.Payload payload = event.payload();
        CallControlId controlId = event.callControlId();
        // checked first so that a forged or replayed state is logged even where the event's own call wins anyway
        ClientState.Stated stated = stated(event, controlId);
        if (controlId != null && store.known(controlId)) {
            return new Attribution(controlId, true, false);
        }
        if (stated != null) {
            return new Attribution(stated.call(), controlId == null || stated.call().equals(controlId), false);
        }
        CallControlId byLeg = store.callOfLeg(payload.callLegId());
        CallControlId call = byLeg != null ? byLeg : store.callOfSession(payload.callSessionId());
        if (call == null) {
            return controlId == null ? null : new Attribution(controlId, true, false);
        }
        return new Attribution(call, controlId == null || call.equals(controlId), call.equals(byLeg));
    }

    /** The event's verified, bound client state, or {@code null} (a present one that is not is logged). */
    private ClientState.Stated stated(WebhookEvent event, CallControlId controlId) {
        String clientState = event.payload().clientState();
        if (clientState == null || clientState.isBlank()) {
            return null;
        }
        ClientState.Stated stated = states.verify(clientState);
        String problem = stated == null ? "client_state does not verify (not signed by us): ignored"
                : !stated.binds(controlId, event.payload().callSessionId())
                        ? "client_state names a call of another session: ignored" : null;
        if (problem == null) {
            return stated;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event_id", event.id());
        fields.put("event_type", event.eventType());
        fields.put("call_control_id", String.valueOf(controlId));
        fields.put("call_session_id", String.valueOf(event.payload().callSessionId()));
        if (stated != null) {
            fields.put("stated_call", stated.call().value());
        }
        log.warn(problem, fields);
        return null;
    }
}
