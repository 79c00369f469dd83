package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.RecordingFacts;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.webbackend.RecordingMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

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

    /** Applies one recording event. */
    public EventOutcome apply(WebhookEvent event) {
        boolean saved = event.type() == WebhookEvent.Type.RECORDING_SAVED;
        if (!saved && event.type() != WebhookEvent.Type.RECORDING_ERROR) {
            return EventOutcome.IGNORED;
        }
        String callControlId = event.callControlId();
        WebhookEvent.Payload payload = event.payload();
        Instant started = WebhookEvent.time("data.payload.recording_started_at", payload.recordingStartedAt());
        Instant ended = WebhookEvent.time("data.payload.recording_ended_at", payload.recordingEndedAt());
        // an error event may carry no recording id: the event id then names the failed recording
        String recordingId = blank(payload.recordingId()) ? event.id() : payload.recordingId();
        // "error": the recording failed at Telnyx (unlike "failed": record_start itself was refused)
        CallState call = store.recordRecording(callControlId,
                new RecordingFacts(new Deliverable.Recording(recordingId), saved, started,
                        saved ? event.occurredAt() : null, null),
                saved ? CallState.Recording.SAVED : CallState.Recording.ERROR, clock.instant());
        if (call.handled(event.id())) {
            return EventOutcome.DUPLICATE;
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
        EventOutcome outcome = switch (delivery.deliverRecording(callControlId, metadata, call)) {
            case POSTED -> saved ? EventOutcome.RECORDING_POSTED : EventOutcome.RECORDING_ERROR_POSTED;
            case ALREADY_POSTED -> EventOutcome.RECORDING_ALREADY_POSTED;
            case QUEUED -> EventOutcome.RECORDING_QUEUED;
            case DEAD_LETTERED -> EventOutcome.RECORDING_DEAD_LETTERED;
        };
        store.remember(callControlId, event.id(), clock.instant());
        return outcome;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
