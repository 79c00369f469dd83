package com.aicallgo.coldcall.reliability;

import com.aicallgo.coldcall.core.testing.TelnyxSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** One simulated call with known truth: how it ended, its times, its recording, and the webhooks Telnyx sends. */
record SimulatedCall(
        String callControlId,
        String to,
        String from,
        String hangupCause,
        boolean answered,
        Instant startedAt,
        Instant initiatedAt,
        Instant answeredAt,
        Instant endedAt,
        String recordingId,
        boolean recordingSaved,
        Instant recordingStartedAt,
        Instant recordingEndedAt) {

    /** A delivery: one webhook (or the page's start-recording request). */
    record Delivery(String route, String eventId, String body, boolean startRecording) {
    }

    static final String[][] OUTCOMES = {
        {"normal_clearing", "completed", "55"},
        {"user_busy", "busy", "10"},
        {"timeout", "no-answer", "10"},
        {"no_answer", "no-answer", "5"},
        {"call_rejected", "busy", "5"},
        {"originator_cancel", "canceled", "10"},
        {"not_found", "failed", "5"},
    };

    static SimulatedCall random(int index, Random random, Instant now) {
        int roll = random.nextInt(100);
        String[] outcome = OUTCOMES[0];
        for (String[] row : OUTCOMES) {
            roll -= Integer.parseInt(row[2]);
            if (roll < 0) {
                outcome = row;
                break;
            }
        }
        boolean answered = outcome[0].equals("normal_clearing");
        // the hang-up is "now", as when Telnyx delivers it; the call happened just before
        Instant ended = now.plusMillis(random.nextInt(5_000)).plusNanos(random.nextInt(1_000_000) * 1_000L);
        long talkMillis = answered ? 1_000 + random.nextInt(600_000) : 0;
        Instant answeredAt = answered ? ended.minusMillis(talkMillis) : null;
        Instant started = (answered ? answeredAt : ended).minusMillis(2_000 + random.nextInt(25_000));
        boolean saved = answered && random.nextInt(10) < 9;
        Instant recordingStart = answered ? answeredAt.plusMillis(200 + random.nextInt(800)) : null;
        return new SimulatedCall(
                String.format("v3:load-%06d-%08x", index, random.nextInt()),
                // the fictional exchange 555: a random one would sometimes be 976, which the call gate rightly refuses
                String.format("+1800555%04d", random.nextInt(10_000)),
                "+15550000001",
                outcome[0],
                answered,
                started,
                started.plusMillis(100),
                answeredAt,
                ended,
                answered ? String.format("rec-%06d-%08x", index, random.nextInt()) : null,
                saved,
                recordingStart,
                answered ? ended : null);
    }

    String expectedStatus() {
        for (String[] row : OUTCOMES) {
            if (row[0].equals(hangupCause)) {
                return row[1];
            }
        }
        throw new IllegalStateException(hangupCause);
    }

    Instant expectedCallStart() {
        return answered ? answeredAt : startedAt;
    }

    long expectedDuration() {
        return answered ? Math.round(java.time.Duration.between(answeredAt, endedAt).toMillis() / 1000.0) : 0;
    }

    long expectedRecordingDuration() {
        return saved() ? Math.round(java.time.Duration.between(recordingStartedAt, recordingEndedAt).toMillis() / 1000.0) : 0;
    }

    boolean saved() {
        return recordingSaved;
    }

    /** The call's webhooks (each one Telnyx's spec allows) and page requests, in Telnyx's order (the suite shuffles them). */
    List<Delivery> deliveries() {
        List<Delivery> out = unchecked();
        for (Delivery delivery : out) {
            if (!delivery.startRecording()) {
                TelnyxSpec.checkWebhook("SimulatedCall " + callControlId, delivery.body());
            }
        }
        return out;
    }

    private List<Delivery> unchecked() {
        List<Delivery> out = new ArrayList<>();
        out.add(callEvent("call.initiated", "i", initiatedAt, Map.of("state", "bridging", "direction", "outgoing")));
        if (answered) {
            out.add(callEvent("call.answered", "a", answeredAt, Map.of("state", "answered")));
            out.add(new Delivery("start-recording", null, String.format(
                    "{\"call_control_id\":\"%s\",\"to_phone\":\"%s\",\"from_phone\":\"%s\"}", callControlId, to, from), true));
        }
        out.add(callEvent("call.hangup", "h", endedAt.plusMillis(20), Map.of("state", "hangup", "hangup_cause",
                hangupCause, "hangup_source", answered ? "callee" : "unknown", "end_time", endedAt.toString())));
        if (answered) {
            Instant occurred = endedAt.plusMillis(900);
            String payload = recordingSaved
                    ? String.format("\"recording_id\":\"%s\",\"channels\":\"dual\",\"format\":\"mp3\","
                            + "\"recording_started_at\":\"%s\",\"recording_ended_at\":\"%s\","
                            + "\"recording_urls\":{\"mp3\":\"%s\"}",
                            recordingId, recordingStartedAt, recordingEndedAt,
                            TelnyxStub.link(recordingId, occurred, false))
                    : String.format("\"recording_id\":\"%s\",\"reason\":\"Internal server error\"", recordingId);
            String type = recordingSaved ? "call.recording.saved" : "call.recording.error";
            out.add(new Delivery("recording", id("r"), envelope(type, id("r"), occurred,
                    String.format("{\"call_control_id\":\"%s\",\"connection_id\":\"dev-connection-0000\",%s}", callControlId, payload)), false));
        }
        return out;
    }

    /** The call's leg id, as its webhooks and the recordings API give it. */
    static String legId(String callControlId) {
        return "leg-" + callControlId;
    }

    private Delivery callEvent(String type, String suffix, Instant at, Map<String, String> extra) {
        StringBuilder payload = new StringBuilder(String.format(
                "{\"call_control_id\":\"%s\",\"call_leg_id\":\"%s\",\"connection_id\":\"dev-connection-0000\",\"from\":\"%s\","
                        + "\"to\":\"%s\",\"start_time\":\"%s\"", callControlId, legId(callControlId), from, to, startedAt));
        extra.forEach((key, value) -> payload.append(",\"").append(key).append("\":\"").append(value).append('"'));
        payload.append('}');
        return new Delivery("call-status", id(suffix), envelope(type, id(suffix), at, payload.toString()), false);
    }

    /** A webhook id: Telnyx's are UUIDs (spec3.yml: {@code id}, format uuid), one per event of the call. */
    private String id(String suffix) {
        return java.util.UUID.nameUUIDFromBytes((callControlId + "|" + suffix).getBytes(
                java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private static String envelope(String type, String id, Instant at, String payload) {
        return String.format("{\"data\":{\"record_type\":\"event\",\"event_type\":\"%s\",\"id\":\"%s\","
                + "\"occurred_at\":\"%s\",\"payload\":%s},\"meta\":{\"attempt\":1}}", type, id, at, payload);
    }
}
