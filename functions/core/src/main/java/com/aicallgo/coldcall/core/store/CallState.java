package com.aicallgo.coldcall.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What Redis knows about one call, decoded once per read ({@link CallHash} owns the encoding). Absent facts are
 * {@code null}; {@code empty} means Redis holds nothing for the call (never seen, or expired).
 */
public record CallState(
        String callControlId,
        Stage stage,
        String toPhone,
        String fromPhone,
        String callSessionId,
        String callLegId,
        Instant callStartTime,
        Instant initiatedAt,
        Instant answeredAt,
        Instant endedAt,
        Instant hangupAt,
        Instant hangupSeenAt,
        String hangupCause,
        String hangupSource,
        String sipHangupCause,
        Recording recording,
        Instant recordingStartedAt,
        boolean recordingChecked,
        boolean empty,
        Map<Deliverable, Sending> sendings,
        Set<String> handledEvents) {

    /** Where the call is; it only moves forward. */
    public enum Stage {
        NONE, DIALING, INITIATED, ACTIVE, ENDED;

        final String wire = name().toLowerCase(Locale.ROOT);

        static Stage of(String wire) {
            return wire == null ? NONE : valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }

    /** Where {@code record_start} stands ({@code recording_state}). */
    public enum Recording {
        NONE(null),
        /** One caller is sending record_start now (a lease). */
        REQUESTING("requesting:"),
        STARTED("started"),
        /** Telnyx sent call.recording.saved. */
        SAVED("saved"),
        /** Telnyx said "not answered yet": the answer webhook starts it. */
        PENDING("pending"),
        /** record_start was refused or not answered. */
        FAILED("failed"),
        CALL_ENDED("call_ended"),
        /** Telnyx sent call.recording.error. */
        ERROR("error");

        final String wire;

        Recording(String wire) {
            this.wire = wire;
        }

        static Recording of(String value) {
            if (value == null) {
                return NONE;
            }
            for (Recording state : values()) {
                if (state.wire != null && (value.equals(state.wire) || state.wire.endsWith(":") && value.startsWith(state.wire))) {
                    return state;
                }
            }
            throw new IllegalStateException("unknown recording_state " + value);
        }
    }

    /** Where one deliverable stands. */
    public enum Mark {
        NONE(null),
        /** A delivery holds it now (a lease). */
        CLAIMED("claimed:"),
        /** In the outbox. */
        QUEUED("queued"),
        DONE("done"),
        /** Given up: in the dead-letter list. */
        DEAD("dead");

        final String wire;

        Mark(String wire) {
            this.wire = wire;
        }

        static Mark of(String value) {
            if (value == null) {
                return NONE;
            }
            return value.startsWith(CLAIMED.wire) ? CLAIMED : valueOf(value.toUpperCase(Locale.ROOT));
        }

        /** Posted, or given up on: nothing more to send. */
        public boolean settled() {
            return this == DONE || this == DEAD;
        }
    }

    /**
     * A deliverable's state: its mark, the payload kept for the outbox, since when and how often it was queued; for a
     * recording also Telnyx's result ({@code null} when unknown), when it was saved and whether a backfill found it.
     */
    public record Sending(Mark mark, String payload, Instant queuedSince, int attempts, Boolean completed,
            Instant savedAt, boolean backfilled) {
        static final Sending NONE = new Sending(Mark.NONE, null, null, 0, null, null, false);
    }

    public Sending sending(Deliverable deliverable) {
        return sendings.getOrDefault(deliverable, Sending.NONE);
    }

    /** The recordings the call knows of (from webhooks or a backfill). */
    public List<Deliverable.Recording> recordings() {
        return sendings.entrySet().stream()
                .filter(entry -> entry.getKey() instanceof Deliverable.Recording && entry.getValue().completed() != null)
                .map(entry -> (Deliverable.Recording) entry.getKey())
                .toList();
    }

    public boolean handled(String eventId) {
        return handledEvents.contains(eventId);
    }

    public boolean ended() {
        return endedAt != null;
    }
}
