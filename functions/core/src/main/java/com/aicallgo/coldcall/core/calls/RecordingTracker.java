package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Ids;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.RecordingFacts;
import com.aicallgo.coldcall.core.store.RecordingStatus;
import com.aicallgo.coldcall.core.store.Schedule;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.webbackend.RecordingMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Posts each recording's metadata to the Web Backend once, from {@code call.recording.saved} (completed) or
 * {@code call.recording.error} (failed), whatever the order relative to the call's own events. Telnyx's download
 * link is short-lived, so the post happens at once (and a retry reads the link again, {@link Delivery}).
 *
 * <p>Telnyx's spec leaves {@code recording_id} out of {@code call.recording.saved}: then the recordings API names
 * it (by the event's call control id, leg or session, and the recording's start); when it cannot yet, the call's
 * recording check is brought forward and finds the recording itself.
 */
public final class RecordingTracker {
    /** When the recordings API cannot name a saved recording yet, the check looks again this soon. */
    static final Duration LOOKUP_RECHECK = Duration.ofMinutes(1);

    private final Calls store;
    private final Schedule recordingChecks;
    private final Delivery delivery;
    private final TelnyxRecordings telnyx;
    private final JsonLog log;
    private final Clock clock;
    private final EndEvidence evidence;

    /** @param evidence settles a call whose recording event came with no hang-up (Telnyx records until the end) */
    public RecordingTracker(Calls store, Schedule recordingChecks, Delivery delivery, TelnyxRecordings telnyx,
            JsonLog log, Clock clock, EndEvidence evidence) {
        this.evidence = evidence;
        this.store = store;
        this.recordingChecks = recordingChecks;
        this.delivery = delivery;
        this.telnyx = telnyx;
        this.log = log;
        this.clock = clock;
    }

    /** Applies one recording event of the call {@code callControlId}. */
    public EventOutcome apply(WebhookEvent event, CallControlId callControlId) {
        boolean saved = event.type() == WebhookEvent.Type.RECORDING_SAVED;
        if (!saved && event.type() != WebhookEvent.Type.RECORDING_ERROR) {
            return EventOutcome.IGNORED;
        }
        WebhookEvent.Payload payload = event.payload();
        Instant started = payload.recordingStartedAt();
        Instant ended = payload.recordingEndedAt();
        String recordingId = blank(payload.recordingId()) ? null : payload.recordingId();
        if (recordingId == null && saved) {
            recordingId = lookUp(payload, started);
            if (recordingId == null) {
                recordingChecks.add(callControlId.value(), clock.instant().plus(LOOKUP_RECHECK));
                evidence.recording(callControlId, store.read(callControlId), ended);
                store.remember(callControlId, event.id(), clock.instant());
                log.info("recording saved without recording_id: its check will find it", Map.of(
                        "call_control_id", callControlId, "event_id", event.id()));
                return EventOutcome.RECORDING_LOOKUP_DEFERRED;
            }
        }
        // an error event may carry no recording id: the event id then names the failed recording
        if (recordingId == null) {
            recordingId = event.id();
        }
        // "error": the recording failed at Telnyx (unlike "failed": record_start itself was refused)
        String reason = saved ? null : reason(payload.reason());
        CallState call = store.recordRecording(callControlId,
                new RecordingFacts(new Deliverable.Recording(recordingId), saved, started,
                        saved ? event.occurredAt() : null, null, reason),
                saved ? CallState.Recording.SAVED : CallState.Recording.ERROR, clock.instant());
        if (call.handled(event.id())) {
            return EventOutcome.DUPLICATE;
        }
        if (!saved) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("call_control_id", callControlId);
            fields.put("recording_sid", recordingId);
            fields.put("reason", String.valueOf(reason));
            log.warn("recording failed at Telnyx (call.recording.error)", fields);
        }
        // before the recording's post: the call log of a call whose hang-up was lost must not wait for it
        evidence.recording(callControlId, call, ended);
        long duration = started != null && ended != null
                ? Math.max(0, Math.round(Duration.between(started, ended).toMillis() / 1000.0))
                : 0;
        Link link = Link.of(payload, event.occurredAt(), telnyx.apiBase());
        if (link.refused() != null) {
            log.warn(link.url() == null ? "recording link refused: a fresh one is read from the recordings API"
                    : "recording link refused: the event's other link is posted", Map.of(
                    "call_control_id", callControlId, "recording_sid", recordingId, "reason", link.refused()));
        }
        RecordingMetadata metadata = new RecordingMetadata(
                callControlId.value(),
                recordingId,
                link.url(),
                RecordingStatus.of(saved).wire(),
                duration,
                "single".equalsIgnoreCase(payload.channels()) ? 1 : 2,
                "telnyx",
                link.expiresAt());
        EventOutcome outcome = switch (delivery.deliverRecording(callControlId, metadata, call)) {
            case POSTED -> saved ? EventOutcome.RECORDING_POSTED : EventOutcome.RECORDING_ERROR_POSTED;
            case ALREADY_POSTED -> EventOutcome.RECORDING_ALREADY_POSTED;
            case QUEUED -> EventOutcome.RECORDING_QUEUED;
            case DEAD_LETTERED -> EventOutcome.RECORDING_DEAD_LETTERED;
        };
        store.remember(callControlId, event.id(), clock.instant());
        return outcome;
    }

    /**
     * The id of the recording an event without one is about: the recording the API lists for the event's ids that
     * started when the event says, or the only one it lists; {@code null} when it cannot tell (or does not answer).
     */
    private String lookUp(WebhookEvent.Payload payload, Instant started) {
        List<TelnyxRecordings.Recording> listed;
        try {
            listed = telnyx.forCall(payload.callControlId(), payload.callLegId(), payload.callSessionId());
        } catch (TelnyxRecordings.Unavailable e) {
            log.warn("recordings API unavailable while naming a saved recording", Map.of("detail", e.getMessage()));
            return null;
        }
        if (started != null) {
            for (TelnyxRecordings.Recording recording : listed) {
                Instant at = RecordingReconciler.instant(recording.recordingStartedAt());
                if (at != null && Math.abs(Duration.between(at, started).toMillis()) <= 1_000) {
                    return Ids.valid(recording.id()) ? recording.id() : null;
                }
            }
        }
        return listed.size() == 1 && Ids.valid(listed.get(0).id()) ? listed.get(0).id() : null;
    }

    /** Telnyx's documented reasons of {@code call.recording.error} (its spec's enum); any other is {@code other}. */
    private static final Set<String> REASONS = Set.of(
            "Failed to authorize with storage using custom credentials", "Invalid credentials json",
            "Unsupported backend", "Internal server error");

    /** The reason as stored and logged: printable, at most 200 characters; {@code null} when none was told. */
    static String reason(String told) {
        if (told == null || told.isBlank()) {
            return null;
        }
        String text = told.strip().replaceAll("[^\\x20-\\x7e]", "?");
        return text.length() > 200 ? text.substring(0, 200) : text;
    }

    /** The reason as a metric dimension: one of Telnyx's documented values, {@code other} or {@code none}. */
    public static String reasonDimension(String reason) {
        return reason == null ? "none" : REASONS.contains(reason) ? reason : "other";
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
