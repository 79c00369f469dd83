package com.aicallgo.coldcall.core.store;

import java.time.Instant;

/**
 * What a recording webhook or a backfill tells about one recording: its result, and (when known) when it started,
 * when Telnyx saved it, when a backfill found it, and why it failed ({@code call.recording.error}'s {@code reason}).
 * Stored first-wins.
 */
public record RecordingFacts(Deliverable.Recording recording, boolean completed, Instant startedAt, Instant savedAt,
        Instant backfilledAt, String reason) {

    public RecordingStatus status() {
        return RecordingStatus.of(completed);
    }
}
