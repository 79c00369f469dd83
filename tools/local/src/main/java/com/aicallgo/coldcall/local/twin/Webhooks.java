package com.aicallgo.coldcall.local.twin;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Delivers the twin's events to the runner's own webhook route, signed with the dev key, as Telnyx does: an answer
 * that is not 2xx within 2 s is tried again (408, 429 and 5xx and no answer; another 4xx is not), with the same
 * event id and a higher {@code meta.attempt}, after 1, 2 and 4 s: four attempts at most.
 */
final class Webhooks {
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);
    static final int ATTEMPTS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final WebhookSigner signer;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    Webhooks(URI url, WebhookSigner signer) {
        this.url = url;
        this.signer = signer;
    }

    URI url() {
        return url;
    }

    /** Sends {@code event} (the envelope without {@code meta}) on a thread of its own; returns at once. */
    void deliver(ObjectNode data, long delayMillis) {
        Thread.ofVirtual().name("telnyx-twin-webhook").start(() -> {
            try {
                Thread.sleep(delayMillis);
                deliverNow(data);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void deliverNow(ObjectNode data) throws InterruptedException {
        String eventType = data.path("event_type").asText();
        String callControlId = data.path("payload").path("call_control_id").asText();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            ObjectNode envelope = JSON.createObjectNode();
            envelope.set("data", data);
            envelope.putObject("meta").put("attempt", attempt).put("delivered_to", url.toString());
            byte[] body;
            try {
                body = JSON.writeValueAsBytes(envelope);
            } catch (IOException e) {
                throw new IllegalStateException("an event always serialises", e);
            }
            long now = System.currentTimeMillis() / 1000;
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(ANSWER_WITHIN)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "telnyx-twin")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (signer != null) {
                request.header("telnyx-timestamp", Long.toString(now))
                        .header("telnyx-signature-ed25519", signer.sign(now, body));
            }
            int status;
            try {
                status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = 0; // no answer in time, or no connection
            }
            if (status >= 200 && status < 300) {
                return;
            }
            boolean retry = status == 0 || status == 408 || status == 429 || status >= 500;
            Twin.log("WARN", "webhook not accepted", Map.of("event_type", eventType, "call_control_id", callControlId,
                    "attempt", attempt, "status", status, "retry", retry && attempt < ATTEMPTS));
            if (!retry) {
                return;
            }
            if (attempt < ATTEMPTS) {
                Thread.sleep(1000L << (attempt - 1));
            }
        }
    }
}
