package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * The dev key pair of {@code events/keys}: when it is the configured one ({@code TELNYX_WEBHOOK_PUBLIC_KEY}), the
 * runner signs what it sends as Telnyx would, so events verify without switching verification off. Used by the
 * Telnyx twin's webhooks and by {@code invoke}'s re-signing of the {@code events/} files.
 */
final class DevKeys {
    static final Path SEED = Path.of("events", "keys", "dev-webhook-ed25519.seed");
    static final Path PUBLIC = Path.of("events", "keys", "dev-webhook-ed25519.pub");
    private static final ObjectMapper JSON = new ObjectMapper();

    private DevKeys() {
    }

    /** The dev key's signer when {@code env} verifies with it; {@code null} otherwise (or when the files are absent). */
    static WebhookSigner signer(Path root, Map<String, String> env) throws IOException {
        Path seed = root.resolve(SEED);
        Path publicKey = root.resolve(PUBLIC);
        if (!Files.isRegularFile(seed) || !Files.isRegularFile(publicKey)
                || !Files.readString(publicKey).trim().equals(env.getOrDefault("TELNYX_WEBHOOK_PUBLIC_KEY", "").trim())) {
            return null;
        }
        return WebhookSigner.fromSeed(Files.readString(seed));
    }

    /**
     * Re-signs a Telnyx webhook event with the current time when the dev key pair is the configured one, so every
     * file in {@code events/} verifies without switching verification off.
     */
    static byte[] resign(byte[] eventJson, Map<String, String> env, Path root) throws IOException {
        WebhookSigner signer = signer(root, env);
        if (signer == null) {
            return eventJson;
        }
        JsonNode tree = JSON.readTree(eventJson);
        if (!(tree instanceof ObjectNode event) || !(event.get("headers") instanceof ObjectNode headers)) {
            return eventJson;
        }
        String signatureHeader = null;
        String timestampHeader = "telnyx-timestamp";
        for (Iterator<String> names = headers.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equalsIgnoreCase("telnyx-signature-ed25519")) {
                signatureHeader = name;
            } else if (name.equalsIgnoreCase("telnyx-timestamp")) {
                timestampHeader = name;
            }
        }
        if (signatureHeader == null) {
            return eventJson;
        }
        String text = event.path("body").asText("");
        byte[] body = event.path("isBase64Encoded").asBoolean(false)
                ? Base64.getMimeDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        byte[] restamped = restamp(body, Instant.now());
        if (restamped != body) {
            body = restamped;
            event.put("isBase64Encoded", false);
            event.put("body", new String(body, StandardCharsets.UTF_8));
        }
        long now = System.currentTimeMillis() / 1000;
        headers.put(timestampHeader, Long.toString(now));
        headers.put(signatureHeader, signer.sign(now, body));
        return JSON.writeValueAsBytes(event);
    }

    /**
     * A replayed Telnyx event moved to now: {@code occurred_at} becomes now and every other time of the event
     * (start, end, recording times) moves by the same amount, so durations are kept. Anything that is not a Telnyx
     * event comes back as it was (the same array).
     */
    static byte[] restamp(byte[] body, Instant now) throws IOException {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException e) {
            return body;
        }
        if (tree == null || !(tree.path("data") instanceof ObjectNode data) || !data.path("occurred_at").isTextual()) {
            return body;
        }
        Instant occurred;
        try {
            occurred = Instant.parse(data.path("occurred_at").asText());
        } catch (DateTimeParseException e) {
            return body;
        }
        shiftTimes(data, Duration.between(occurred, now));
        return JSON.writeValueAsBytes(tree);
    }

    private static void shiftTimes(ObjectNode node, Duration shift) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue() instanceof ObjectNode child) {
                shiftTimes(child, shift);
            } else if (field.getValue().isTextual() && (field.getKey().endsWith("_at") || field.getKey().endsWith("_time"))) {
                try {
                    field.setValue(JSON.getNodeFactory().textNode(Instant.parse(field.getValue().asText()).plus(shift).toString()));
                } catch (DateTimeParseException e) {
                    // not a time: kept as it is
                }
            }
        }
    }
}
