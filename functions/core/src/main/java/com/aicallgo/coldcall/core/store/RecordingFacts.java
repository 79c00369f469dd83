package com.aicallgo.coldcall.core.store;

import java.time.Instant;

/**
 * What a recording webhook or a backfill tells about one recording: its result, and (when known) when it started,
 * when Telnyx saved it, when a backfill found it. Stored first-wins.
 */
public record RecordingFacts(Deliverable.Recording recording, boolean completed, Instant startedAt, Instant savedAt,
        Instant backfilledAt) {

    public RecordingStatus status() {
        return RecordingStatus.of(completed);
    }
}
