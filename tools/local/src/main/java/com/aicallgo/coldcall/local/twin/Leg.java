package com.aicallgo.coldcall.local.twin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One call leg as Telnyx's Call Control sees it: its own {@code call_control_id} and {@code call_leg_id}, the
 * session it shares with the other leg of a transferred call, the {@code client_state} the last command gave it, and
 * the times that its webhooks and the call status API report. Guarded by the lock of the {@link Call} it belongs
 * to.
 */
final class Leg {
    /** How long Telnyx answers the call status API for a call that has ended. */
    static final Duration STATUS_KEPT_FOR = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code A} for the browser's leg, {@code B} for the one a transfer creates. */
    final String name;
    final String controlId = "v3:twin-" + UUID.randomUUID();
    final String legId = UUID.randomUUID().toString();
    final String sessionId;
    final String connectionId;
    final String from;
    final String to;
    final Instant startedAt = Instant.now();
    String clientState;
    Instant answeredAt;
    Instant endedAt;
    /** Set when the leg's recording runs: by {@code record_start}, or at the answer for a transfer's record-from-answer. */
    Instant recordingStartedAt;
    String recordingChannels = "dual";
    /** Whether a transfer asked for {@code record: "record-from-answer"} on this leg. */
    boolean recordFromAnswer;

    Leg(String name, String sessionId, String connectionId, String from, String to, String clientState) {
        this.name = name;
        this.sessionId = sessionId;
        this.connectionId = connectionId;
        this.from = from;
        this.to = to;
        this.clientState = clientState;
    }

    boolean alive() {
        return endedAt == null;
    }

    /** A call-state event of this leg: the ids, the state the last command set, the parties. */
    ObjectNode event(String type, Instant at) {
        ObjectNode data = envelope(type, at);
        ObjectNode payload = data.putObject("payload");
        ids(payload);
        payload.put("from", from).put("to", to);
        return data;
    }

    /** A recording event of this leg: the ids and the state, no parties (as the spec's recording schemas). */
    ObjectNode recordingEvent(String type, Instant at, boolean withControlId) {
        ObjectNode data = envelope(type, at);
        ObjectNode payload = data.putObject("payload");
        if (withControlId) {
            payload.put("call_control_id", controlId);
        }
        payload.put("call_leg_id", legId).put("call_session_id", sessionId).put("client_state", clientState);
        if (withControlId) {
            payload.put("connection_id", connectionId);
        }
        return data;
    }

    private void ids(ObjectNode payload) {
        payload.put("call_control_id", controlId).put("call_leg_id", legId).put("call_session_id", sessionId)
                .put("client_state", clientState).put("connection_id", connectionId);
    }

    private static ObjectNode envelope(String type, Instant at) {
        ObjectNode data = JSON.createObjectNode();
        data.put("record_type", "event").put("event_type", type).put("id", UUID.randomUUID().toString())
                .put("occurred_at", at.toString());
        return data;
    }

    /** What {@code GET /v2/calls/{id}} answers, or {@code null} once Telnyx no longer keeps the call. */
    Map<String, Object> status(Instant now) {
        if (endedAt != null && now.isAfter(endedAt.plus(STATUS_KEPT_FOR))) {
            return null;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("call_control_id", controlId);
        data.put("call_leg_id", legId);
        data.put("call_session_id", sessionId);
        data.put("client_state", clientState);
        data.put("is_alive", endedAt == null);
        data.put("call_duration", Duration.between(startedAt, endedAt == null ? now : endedAt).toSeconds());
        data.put("start_time", startedAt.toString());
        if (endedAt != null) {
            data.put("end_time", endedAt.toString()); // only present when the call is not alive
        }
        data.put("record_type", "call");
        return data;
    }

    Map<String, Object> describe() {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("leg", name);
        entry.put("call_control_id", controlId);
        entry.put("call_leg_id", legId);
        entry.put("call_session_id", sessionId);
        entry.put("from", from);
        entry.put("to", to);
        entry.put("state", endedAt != null ? "ended" : answeredAt != null ? "active" : "ringing");
        return entry;
    }
}
