package com.aicallgo.coldcall.bench;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code events/} files made fresh for each invocation: a new call control id (and event and recording id),
 * so no invocation is a redelivery no-op or finds its recording already started, and webhooks signed now with the
 * dev key of {@code events/keys/} so they pass the 300 s replay window.
 */
final class Events {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final WebhookSigner signer;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final AtomicLong sequence = new AtomicLong();
    /** How many of the latest ids are listed live (one listing page stays far below the 64 KiB a read takes). */
    private static final int LIVE = 100;
    private final java.util.concurrent.ConcurrentLinkedDeque<String> recent = new java.util.concurrent.ConcurrentLinkedDeque<>();

    Events(Path root) {
        this.root = root;
        try {
            this.signer = WebhookSigner.fromSeed(Files.readString(root.resolve("events/keys/dev-webhook-ed25519.seed")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A call control id no earlier invocation used. */
    String freshId(String kind) {
        String id = "v3:bench-" + run + "-" + kind + "-" + sequence.incrementAndGet();
        recent.addFirst(id);
        while (recent.size() > LIVE) {
            recent.pollLast();
        }
        return id;
    }

    /**
     * The calls minted last, newest first: what the stand-in Telnyx lists live on our connection, so start-recording
     * (which records only a call a webhook named or Telnyx lists live) takes a fresh id as a real page's call.
     */
    List<String> live() {
        return List.copyOf(recent);
    }

    /** An API Gateway event from {@code events/}, as is. */
    String file(String relative) {
        try {
            return Files.readString(root.resolve("events").resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bench's own scheduled event for the outbox drain (EventBridge shape). */
    static String scheduled() {
        try (InputStream in = Events.class.getResourceAsStream("/bench/outbox-drain-scheduled.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code start.json} for a new call. */
    String startRecording(String callControlId) {
        ObjectNode event = tree(file("start-recording/start.json"));
        ObjectNode body = (ObjectNode) parse(event.get("body").asText());
        body.put("call_control_id", callControlId);
        event.put("body", body.toString());
        return event.toString();
    }

    /** A webhook file for a new call (and recording), with a new event id, signed now. */
    String webhook(String relative, String callControlId) {
        ObjectNode event = tree(file(relative));
        ObjectNode body = (ObjectNode) parse(event.get("body").asText());
        ObjectNode data = (ObjectNode) body.get("data");
        data.put("id", "bench-event-" + run + "-" + sequence.incrementAndGet());
        ObjectNode payload = (ObjectNode) data.get("payload");
        payload.put("call_control_id", callControlId);
        // a call's own leg and session (a shared one would make it another call's leg) and its event time now (a
        // recording link older than RECORDING_LINK_MAX_AGE_SECONDS is read again from Telnyx before it is posted)
        payload.put("call_leg_id", UUID.nameUUIDFromBytes(("leg:" + callControlId).getBytes(StandardCharsets.UTF_8))
                .toString());
        payload.put("call_session_id", UUID.nameUUIDFromBytes(("session:" + callControlId)
                .getBytes(StandardCharsets.UTF_8)).toString());
        data.put("occurred_at", Instant.now().toString());
        if (payload.has("recording_id")) {
            payload.put("recording_id", "bench-recording-" + run + "-" + sequence.incrementAndGet());
        }
        byte[] raw = body.toString().getBytes(StandardCharsets.UTF_8);
        long now = System.currentTimeMillis() / 1000;
        ObjectNode headers = (ObjectNode) event.get("headers");
        headers.put("telnyx-timestamp", Long.toString(now));
        headers.put("telnyx-signature-ed25519", signer.sign(now, raw));
        event.put("body", new String(raw, StandardCharsets.UTF_8));
        return event.toString();
    }

    private static ObjectNode tree(String json) {
        return (ObjectNode) parse(json);
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
