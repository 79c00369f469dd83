package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.telnyx.CallEnding;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What Redis knows about one call, decoded once per read ({@link CallHash} owns the encoding): the facts its events
 * told (absent ones {@code null}), its recording, and each deliverable's state; {@code empty} means Redis holds
 * nothing for the call (never seen, or expired).
 *
 * @param answered whether the call was answered, decided once when the state is built (by the rule below): the call
 *     log, the quality metrics, the recording check and the tracker all read it here
 */
public record CallState(
        String callControlId,
        CallFacts facts,
        Recording recording,
        Instant recordingStartedAt,
        boolean recordingChecked,
        boolean empty,
        Map<Deliverable, Sending> sendings,
        Set<String> handledEvents,
        boolean answered) {

    /** The state of what is known, with whether it was answered decided from it. */
    public CallState(String callControlId, CallFacts facts, Recording recording, Instant recordingStartedAt,
            boolean recordingChecked, boolean empty, Map<Deliverable, Sending> sendings, Set<String> handledEvents) {
        this(callControlId, facts, recording, recordingStartedAt, recordingChecked, empty, sendings, handledEvents,
                answered(facts, recording, recordingStartedAt));
    }

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
        NONE,
        /** One caller is sending record_start now (a lease: {@code requesting:<epoch ms>}). */
        REQUESTING,
        STARTED,
        /** Telnyx sent call.recording.saved. */
        SAVED,
        /** Telnyx said "not answered yet": the answer webhook starts it. */
        PENDING,
        /** record_start was refused or not answered. */
        FAILED,
        CALL_ENDED,
        /** Telnyx sent call.recording.error. */
        ERROR;

        final String wire = name().equals("NONE") ? null
                : name().toLowerCase(Locale.ROOT) + (name().equals("REQUESTING") ? ":" : "");

        static Recording of(String value) {
            return value == null ? NONE : valueOf(value.replaceFirst(":.*", "").toUpperCase(Locale.ROOT));
        }
    }

    /** Where one deliverable stands. */
    public enum Mark {
        NONE,
        /** A delivery holds it now (a lease: {@code claimed:<epoch ms>}). */
        CLAIMED,
        /** In the outbox. */
        QUEUED,
        DONE,
        /** Given up: in the dead-letter list. */
        DEAD;

        final String wire = name().equals("NONE") ? null
                : name().toLowerCase(Locale.ROOT) + (name().equals("CLAIMED") ? ":" : "");

        static Mark of(String value) {
            return value == null ? NONE : valueOf(value.replaceFirst(":.*", "").toUpperCase(Locale.ROOT));
        }

        /** Posted, or given up on: nothing more to send. */
        public boolean settled() {
            return this == DONE || this == DEAD;
        }
    }

    /**
     * A deliverable's state: its mark, the payload kept for the outbox, since when and how often it was queued; for a
     * recording also Telnyx's result ({@code null} when unknown), when it was saved, whether a backfill found it and
     * why it failed ({@code call.recording.error}'s reason, {@code null} when none was told).
     */
    public record Sending(Mark mark, String payload, Instant queuedSince, int attempts, Boolean completed,
            Instant savedAt, boolean backfilled, String reason) {
        static final Sending NONE = nothing();

        /** Nothing known: never sent, never queued, no result. */
        private static Sending nothing() {
            String noPayload = null;
            Instant never = null;
            Boolean unknown = null;
            return new Sending(Mark.NONE, noPayload, never, 0, unknown, never, false, noPayload);
        }
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

    /** Why a recording of the call failed at Telnyx ({@code call.recording.error}'s reason), or {@code null}. */
    public String recordingErrorReason() {
        return sendings.values().stream().map(Sending::reason).filter(java.util.Objects::nonNull).findFirst()
                .orElse(null);
    }

    public boolean handled(String eventId) {
        return handledEvents.contains(eventId);
    }

    public boolean ended() {
        return facts.endedAt() != null;
    }

    /**
     * Whether the call was answered: its {@code call.answered} came (in the parked flow, the destination leg's), or
     * its hang-up and recording say it talked ({@link #hangupSays}). The one statement of the rule.
     */
    private static boolean answered(CallFacts facts, Recording recording, Instant recordingStartedAt) {
        return facts.answeredAt() != null || hangupSays(facts, recording, recordingStartedAt) == CallEnding.Talk.YES;
    }

    /**
     * What the hang-up says about an answer whose {@code call.answered} has not come ({@link CallEnding#talked}):
     * in the parked flow the destination leg's hang-up (until it comes, only the browser leg's cause), else the
     * browser leg's. A recording accepted says it talked, except a parked call's, which the transfer records from
     * the answer before any answer (only its saved recording tells); {@code record_start} refused as not answered
     * (pending) says it did not.
     * {@link CallEnding.Talk#UNKNOWN} while the call has not ended, or the facts do not decide.
     */
    public CallEnding.Talk hangupSays() {
        return hangupSays(facts, recording, recordingStartedAt);
    }

    private static CallEnding.Talk hangupSays(CallFacts facts, Recording recording, Instant recordingStartedAt) {
        boolean parked = Boolean.TRUE.equals(facts.parked());
        Boolean recorded = recording == Recording.SAVED
                || !parked && (recording == Recording.STARTED || recordingStartedAt != null) ? Boolean.TRUE
                : !parked && recording == Recording.PENDING ? Boolean.FALSE : null;
        if (facts.destinationHangupCause() != null) {
            return CallEnding.talked(facts.destinationHangupCause(), null, facts.destinationSipHangupCause(),
                    recorded);
        }
        if (facts.endedAt() == null) {
            return CallEnding.Talk.UNKNOWN;
        }
        // a parked browser leg's own source and SIP code tell nothing of the destination (our hang-up of it says
        // "caller", SIP 200): only its cause, until the destination's hang-up comes
        return parked ? CallEnding.talked(facts.hangupCause(), null, null, recorded)
                : CallEnding.talked(facts.hangupCause(), facts.hangupSource(), facts.sipHangupCause(), recorded);
    }

    /** The later of the hang-up's Telnyx time and when we learned of it: what waits after a hang-up count from. */
    public Instant hungUp() {
        Instant occurred = facts.hangupAt();
        Instant seen = facts.hangupSeenAt();
        return seen == null || seen.isBefore(occurred) ? occurred : seen;
    }
}
