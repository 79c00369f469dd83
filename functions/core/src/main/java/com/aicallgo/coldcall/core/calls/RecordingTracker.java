package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.store.CallRecord;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.webbackend.RecordingMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Posts each recording's metadata to the Web Backend once, from {@code call.recording.saved} (completed) or
 * {@code call.recording.error} (failed), whatever the order relative to the call's own events. Telnyx's download
 * link is short-lived, so the post happens at once.
 */
public final class RecordingTracker {
    private final CallStore store;
    private final Delivery delivery;
    private final Clock clock;

    public RecordingTracker(CallStore store, Delivery delivery, Clock clock) {
        this.store = store;
        this.delivery = delivery;
        this.clock = clock;
    }

    /** Applies one webhook event; returns the outcome for the log line. */
    public String apply(WebhookEvent event) {
        boolean saved;
        switch (event.eventType()) {
            case "call.recording.saved" -> saved = true;
            case "call.recording.error" -> saved = false;
            default -> {
                return "ignored";
            }
        }
        String callControlId = event.callControlId();
        WebhookEvent.Payload payload = event.payload();
        Instant started = WebhookEvent.time("data.payload.recording_started_at", payload.recordingStartedAt());
        Instant ended = WebhookEvent.time("data.payload.recording_ended_at", payload.recordingEndedAt());
        // an error event may carry no recording id: the event id then names the failed recording
        String recordingId = blank(payload.recordingId()) ? event.id() : payload.recordingId();

        Map<String, String> facts = new LinkedHashMap<>();
        if (started != null) {
            facts.put("recording_started_at", started.toString());
        }
        String record = Delivery.recordName(recordingId);
        facts.put("result:" + record, saved ? "completed" : "failed");
        if (saved) {
            facts.put("saved_at:" + record, event.occurredAt().toString());
        }
        // "error": the recording failed at Telnyx (unlike "failed": record_start itself was refused)
        CallRecord call = store.apply(callControlId, null, facts,
                Map.of("recording_state", saved ? "saved" : "error"), clock.instant());
        if (call.has("event:" + event.id())) {
            return "duplicate";
        }
        long duration = started != null && ended != null
                ? Math.max(0, Math.round(Duration.between(started, ended).toMillis() / 1000.0))
                : 0;
        String url = null;
        if (payload.recordingUrls() != null) {
            url = blank(payload.recordingUrls().mp3()) ? payload.recordingUrls().wav() : payload.recordingUrls().mp3();
        }
        RecordingMetadata metadata = new RecordingMetadata(
                callControlId,
                recordingId,
                url,
                saved ? "completed" : "failed",
                duration,
                "single".equalsIgnoreCase(payload.channels()) ? 1 : 2,
                "telnyx");
        String outcome = switch (delivery.deliverRecording(callControlId, metadata, call)) {
            case POSTED -> saved ? "recording_posted" : "recording_error_posted";
            case ALREADY_POSTED -> "recording_already_posted";
            case QUEUED -> "recording_queued";
            case DEAD_LETTERED -> "recording_dead_lettered";
        };
        store.remember(callControlId, event.id(), clock.instant());
        return outcome;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
