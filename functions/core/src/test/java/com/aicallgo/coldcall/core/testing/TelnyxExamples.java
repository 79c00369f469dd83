package com.aicallgo.coldcall.core.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Webhook bodies in the two shapes Telnyx's spec allows for each event we use, every one checked by
 * {@link TelnyxSpec} as it is built:
 * <ul>
 *   <li>{@code spec...}: the field set of the spec's own example for the event (spec3.yml {@code components.schemas}
 *       {@code CallInitiated}, {@code CallAnswered}, {@code CallBridged}, {@code CallHangup} with the
 *       {@code call_quality_stats} of the current callback page, {@code CallRecordingSaved}; for
 *       {@code call.recording.error} the schema's fields, which its published examples follow without a
 *       {@code call_control_id}). No {@code meta}: the event schemas are {@code {data}} only
 *       ({@link #withMeta} adds one as deliveries have it).</li>
 *   <li>{@code ...Minimal}: the fewest fields the schema allows that still name the call and carry the event's news:
 *       the leg, session and connection ids (plus {@code call_control_id} on call events, never on recording events,
 *       whose schema does not list it), and the event's own fields; no {@code client_state}, {@code from}/{@code to},
 *       {@code start_time}/{@code end_time}, {@code recording_id}, {@code format}, {@code public_recording_urls} or
 *       {@code meta}.</li>
 * </ul>
 * The event id is derived from the event type, the leg and the time, so the same call gives the same ids (build a
 * redelivery with {@link #withMeta} and a higher attempt).
 */
public final class TelnyxExamples {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TelnyxExamples() {
    }

    /** The ids and numbers of one call leg. */
    public record Leg(String callControlId, String callLegId, String callSessionId, String connectionId, String from,
            String to, String clientState) {
        /** The call of the {@code events/} files ({@code v3:dev-call-0001}), without client state. */
        public static Leg dev() {
            return new Leg("v3:dev-call-0001", "f93ed538-2eb3-5ab9-ab8e-abe772f6f292",
                    "b08ff4c4-a583-506e-9383-12bab719adf1", "dev-connection-0000", "+15550000001", "+18005551234", null);
        }

        /** A leg of its own for {@code callControlId}, with ids derived from it. */
        public static Leg of(String callControlId) {
            return new Leg(callControlId, derived("leg", callControlId), derived("session", callControlId),
                    "dev-connection-0000", "+15550000001", "+18005551234", null);
        }

        public Leg withClientState(String base64) {
            return new Leg(callControlId, callLegId, callSessionId, connectionId, from, to, base64);
        }

        public Leg withNumbers(String from, String to) {
            return new Leg(callControlId, callLegId, callSessionId, connectionId, from, to, clientState);
        }
    }

    // ----- the spec's example shapes -----

    /** {@code call.initiated} as spec3.yml's {@code CallInitiated} example: {@code state} parked or bridging. */
    public static String specInitiated(Leg leg, String state, Instant at) {
        ObjectNode data = data("call.initiated", leg, at);
        ObjectNode payload = callIds(data, leg, true);
        payload.put("direction", "outgoing").put("from", leg.from()).put("state", state).put("to", leg.to());
        return done(data);
    }

    /** {@code call.answered} as spec3.yml's {@code CallAnswered} example (no {@code start_time}). */
    public static String specAnswered(Leg leg, Instant at) {
        ObjectNode data = data("call.answered", leg, at);
        callIds(data, leg, true).put("from", leg.from()).put("state", "answered").put("to", leg.to());
        return done(data);
    }

    /** {@code call.bridged} as spec3.yml's {@code CallBridged} example. */
    public static String specBridged(Leg leg, Instant at) {
        ObjectNode data = data("call.bridged", leg, at);
        callIds(data, leg, true).put("from", leg.from()).put("state", "bridged").put("to", leg.to());
        return done(data);
    }

    /**
     * {@code call.hangup} as spec3.yml's {@code CallHangup} example with the {@code call_quality_stats} of
     * developers.telnyx.com/api-reference/callbacks/call-hangup; {@code sipHangupCause} a SIP code such as "486".
     */
    public static String specHangup(Leg leg, String hangupCause, String hangupSource, String sipHangupCause,
            Instant startedAt, Instant at) {
        ObjectNode data = data("call.hangup", leg, at);
        ObjectNode payload = callIds(data, leg, true);
        payload.put("from", leg.from()).put("hangup_cause", hangupCause).put("hangup_source", hangupSource)
                .put("sip_hangup_cause", sipHangupCause).put("start_time", startedAt.toString()).put("state", "hangup")
                .put("to", leg.to());
        ObjectNode stats = payload.putObject("call_quality_stats");
        stats.putObject("inbound").put("jitter_max_variance", "2.74").put("jitter_packet_count", "0")
                .put("mos", "4.50").put("packet_count", "591").put("skip_packet_count", "9");
        stats.putObject("outbound").put("packet_count", "0").put("skip_packet_count", "0");
        return done(data);
    }

    /**
     * {@code call.recording.saved} as spec3.yml's {@code CallRecordingSaved} example: it carries
     * {@code call_control_id} (the schema does not list it) and both formats' links, private and public; no
     * {@code recording_id}.
     */
    public static String specRecordingSaved(Leg leg, Instant startedAt, Instant endedAt, String mp3Url,
            String publicMp3Url, Instant at) {
        ObjectNode data = data("call.recording.saved", leg, at);
        ObjectNode payload = callIds(data, leg, true);
        payload.put("channels", "dual");
        payload.putObject("public_recording_urls").put("mp3", publicMp3Url).put("wav", wav(publicMp3Url));
        payload.put("recording_ended_at", endedAt.toString()).put("recording_started_at", startedAt.toString());
        payload.putObject("recording_urls").put("mp3", mp3Url).put("wav", wav(mp3Url));
        return done(data);
    }

    /** {@code call.recording.error}: the schema's fields, without {@code call_control_id} as its examples have it. */
    public static String specRecordingError(Leg leg, String reason, Instant at) {
        ObjectNode data = data("call.recording.error", leg, at);
        callIds(data, leg, false).put("reason", reason);
        return done(data);
    }

    // ----- the field-minimal variants -----

    public static String initiatedMinimal(Leg leg, String state, Instant at) {
        ObjectNode data = data("call.initiated", leg, at);
        minimalIds(data, leg, true).put("direction", "outgoing").put("state", state);
        return done(data);
    }

    public static String answeredMinimal(Leg leg, Instant at) {
        ObjectNode data = data("call.answered", leg, at);
        minimalIds(data, leg, true);
        return done(data);
    }

    public static String bridgedMinimal(Leg leg, Instant at) {
        ObjectNode data = data("call.bridged", leg, at);
        minimalIds(data, leg, true);
        return done(data);
    }

    public static String hangupMinimal(Leg leg, String hangupCause, String hangupSource, String sipHangupCause,
            Instant at) {
        ObjectNode data = data("call.hangup", leg, at);
        minimalIds(data, leg, true).put("hangup_cause", hangupCause).put("hangup_source", hangupSource)
                .put("sip_hangup_cause", sipHangupCause);
        return done(data);
    }

    /**
     * {@code call.recording.saved} with only what the schema lists and nothing optional: no {@code call_control_id},
     * no {@code recording_id}, no {@code client_state}, no public links; the 10-minute {@code recording_urls.mp3}.
     */
    public static String recordingSavedMinimal(Leg leg, Instant startedAt, Instant endedAt, String mp3Url, Instant at) {
        ObjectNode data = data("call.recording.saved", leg, at);
        ObjectNode payload = minimalIds(data, leg, false);
        payload.put("channels", "dual").put("recording_started_at", startedAt.toString())
                .put("recording_ended_at", endedAt.toString());
        payload.putObject("recording_urls").put("mp3", mp3Url);
        return done(data);
    }

    public static String recordingErrorMinimal(Leg leg, String reason, Instant at) {
        ObjectNode data = data("call.recording.error", leg, at);
        minimalIds(data, leg, false).put("reason", reason);
        return done(data);
    }

    /** {@code body} with the {@code meta} of a delivery: {@code attempt} (1 the first time) and the URL. */
    public static String withMeta(String body, int attempt, String deliveredTo) {
        ObjectNode envelope = (ObjectNode) TelnyxSpec.parse(body).orElseThrow();
        envelope.putObject("meta").put("attempt", attempt).put("delivered_to", deliveredTo);
        return done(envelope);
    }

    // ----- helpers -----

    private static ObjectNode data(String type, Leg leg, Instant at) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.putObject("data").put("record_type", "event").put("event_type", type)
                .put("id", derived(type + "|" + at, leg.callLegId())).put("occurred_at", at.toString())
                .putObject("payload");
        return envelope;
    }

    private static ObjectNode callIds(ObjectNode envelope, Leg leg, boolean withControlId) {
        ObjectNode payload = (ObjectNode) envelope.path("data").path("payload");
        if (withControlId) {
            payload.put("call_control_id", leg.callControlId());
        }
        payload.put("call_leg_id", leg.callLegId()).put("call_session_id", leg.callSessionId())
                .put("client_state", leg.clientState()).put("connection_id", leg.connectionId());
        return payload;
    }

    private static ObjectNode minimalIds(ObjectNode envelope, Leg leg, boolean withControlId) {
        ObjectNode payload = (ObjectNode) envelope.path("data").path("payload");
        if (withControlId) {
            payload.put("call_control_id", leg.callControlId());
        }
        payload.put("call_leg_id", leg.callLegId()).put("call_session_id", leg.callSessionId())
                .put("connection_id", leg.connectionId());
        return payload;
    }

    private static String wav(String mp3Url) {
        return mp3Url.replaceAll("\\.mp3(\\?|$)", ".wav$1");
    }

    private static String derived(String kind, String seed) {
        return UUID.nameUUIDFromBytes((kind + ":" + seed).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String done(ObjectNode envelope) {
        String body;
        try {
            body = JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
        TelnyxSpec.checkWebhook("TelnyxExamples", body);
        return body;
    }
}
