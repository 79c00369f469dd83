package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Ids;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.RecordingFacts;
import com.aicallgo.coldcall.core.store.RecordingStatus;
import com.aicallgo.coldcall.core.store.Schedule;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.webbackend.Outgoing;
import com.aicallgo.coldcall.core.webbackend.RecordingMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keeps the promise that every answered call ends up with its recording at the Web Backend. A few minutes after an
 * answered call hangs up ({@link CallTracker} schedules the check), this looks at what the recording webhooks
 * brought. When they brought nothing, it asks Telnyx's recordings API and backfills: each recording Telnyx has is
 * read again for a fresh link and posted through {@link Delivery}, under the same exactly-once claim as the webhook
 * path (a late {@code call.recording.saved} then finds it posted). When Telnyx has none, the call is recorded as
 * {@code missing} with the reason known.
 *
 * <p>Each answered call is settled once ({@code recording_check} on the call, first wins) and counted once in the
 * metrics: {@code RecordingCaptureRate} (100 or 0 per call; its average over an hour or a day is the rate),
 * {@code RecordingsBackfilled}, {@code RecordingsMissing}, {@code RecordingsFailed}.
 */
public final class RecordingReconciler {
    /** How a call's check ended (or that it is not over). */
    public enum Outcome {
        /** A recording reached the Web Backend from its webhook. */
        CAPTURED,
        /** A recording reached the Web Backend through the recordings API. */
        BACKFILLED,
        /** Telnyx has no recording: counted, logged at ERROR. */
        MISSING,
        /** Telnyx reported the recording failed ({@code call.recording.error}). */
        FAILED,
        /** Not answered: no recording expected. */
        NOT_EXPECTED,
        /**
         * Answered as it ended: Telnyx refused {@code record_start} because the call had ended, or as not answered
         * in a call that talked only a moment. Logged at WARN with that reason, not counted as missing.
         */
        ENDED_BEFORE_RECORDING,
        /** Not settled yet (delivery under way, Telnyx not answering, or the recording not listed yet). */
        WAITING,
        /** Settled before, by another pass. */
        SETTLED_BEFORE
    }

    /** What one pass did. */
    public record Report(int checked, int captured, int backfilled, int missing, int failed, int waiting) {
    }

    /** How often a recording that Telnyx accepted but does not list yet is asked about before it counts missing. */
    static final int LISTING_ATTEMPTS = 3;
    /** A check that is still waiting this long after the hang-up gives up and counts the recording missing. */
    static final Duration GIVE_UP = Duration.ofHours(6);
    /** Longer than any call: a recording's duration beyond this is not believed. */
    static final long MAX_RECORDING_SECONDS = Duration.ofDays(1).toSeconds();
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2999-12-31T23:59:59Z");
    /** When a delivery is under way: look again after the outbox's first retry. */
    static final Duration DELIVERY_RECHECK = Duration.ofMinutes(1);

    private final Calls calls;
    private final Schedule checks;
    private final TelnyxRecordings telnyx;
    private final Delivery delivery;
    private final Duration recheck;
    private final Clock clock;
    private final JsonLog log;
    private final int batch;
    private final Isolation.Retries<String> retries;

    /**
     * @param recheck how long to wait before asking Telnyx again about a recording it does not list yet
     */
    public RecordingReconciler(Calls calls, Schedule checks, TelnyxRecordings telnyx, Delivery delivery,
            Duration recheck, Clock clock, JsonLog log, int batch) {
        this.calls = calls;
        this.checks = checks;
        this.telnyx = telnyx;
        this.delivery = delivery;
        this.recheck = recheck;
        this.clock = clock;
        this.log = log;
        this.batch = batch;
        this.retries = new Isolation.Retries<>("recording check", "checking again later", checks::countFailure,
                checks::move, checks::deadLetter, log, clock);
    }

    /**
     * One pass over the checks that are due.
     *
     * @param all check every scheduled call now, due or not (an operator's "reconcile now")
     * @param deadline stop taking new calls after this
     */
    public Report reconcile(boolean all, Instant deadline) {
        return reconcile(all, Deadline.in(Duration.between(clock.instant(), deadline)));
    }

    /**
     * One pass over the checks that are due, page after page until none is left or {@code deadline}. Each call is
     * checked on its own ({@link Isolation}): one that throws is checked again later with backoff and, after
     * {@link Isolation#POISON_ATTEMPTS}, dead-lettered with its reason, while the other checks of the pass go on.
     */
    public Report reconcile(boolean all, Deadline deadline) {
        int[] counts = new int[Outcome.values().length];
        Pass.each(deadline, handled -> checks.due(all ? null : clock.instant(), batch + handled),
                member -> counts[Isolation.handle(member, m -> check(Isolation.callOf(m)), this::failed).ordinal()]++);
        int checked = Arrays.stream(counts).sum();
        Report report = new Report(checked, counts[Outcome.CAPTURED.ordinal()], counts[Outcome.BACKFILLED.ordinal()],
                counts[Outcome.MISSING.ordinal()], counts[Outcome.FAILED.ordinal()], counts[Outcome.WAITING.ordinal()]);
        log.info("recordings reconciled", Map.of("checked", checked, "captured", report.captured(),
                "backfilled", report.backfilled(), "missing", report.missing(), "failed", report.failed(),
                "waiting", report.waiting()));
        return report;
    }

    private Outcome failed(String member, String reason) {
        return retries.failed(member, member, "recording_check", reason)
                ? Outcome.MISSING
                : Outcome.WAITING;
    }

    /** Checks one call's recording. */
    public Outcome check(CallControlId callControlId) {
        CallState call = calls.read(callControlId);
        if (call.recordingChecked()) {
            checks.drop(callControlId.value());
            return Outcome.SETTLED_BEFORE;
        }
        if (call.empty()) {
            return settle(callControlId, Outcome.MISSING, "the call's state expired before its recording was checked", 0);
        }
        if (!call.answered()) {
            return settle(callControlId, Outcome.NOT_EXPECTED, null, 0);
        }
        if (call.recordings().isEmpty()) {
            Outcome asked = backfill(callControlId, call);
            if (asked != null) {
                return asked;
            }
            call = calls.read(callControlId);
        }
        return settleFromRecords(callControlId, call);
    }

    /** Settles the call from the recordings it knows of (from webhooks or a backfill). */
    private Outcome settleFromRecords(CallControlId callControlId, CallState call) {
        List<CallState.Sending> completed = call.recordings().stream().map(call::sending)
                .filter(sending -> Boolean.TRUE.equals(sending.completed())).toList();
        if (completed.isEmpty()) {
            return settle(callControlId, Outcome.FAILED, "Telnyx reported the recording failed", 0);
        }
        int backfilled = 0;
        boolean posted = false;
        boolean pending = false;
        for (CallState.Sending sending : completed) {
            switch (sending.mark()) {
                case DONE -> {
                    posted = true;
                    backfilled += sending.backfilled() ? 1 : 0;
                }
                case DEAD -> {
                }
                case NONE, CLAIMED, QUEUED -> pending = true;
            }
        }
        if (posted) {
            return settle(callControlId, backfilled > 0 ? Outcome.BACKFILLED : Outcome.CAPTURED, null, backfilled);
        }
        if (pending) {
            return waitFor(callControlId, call, clock.instant().plus(DELIVERY_RECHECK), "recording delivery under way");
        }
        return settle(callControlId, Outcome.MISSING, "the outbox gave up on the recording (dead-lettered)", 0);
    }

    /**
     * Asks Telnyx for the call's recordings and hands each to {@link Delivery}.
     *
     * @return {@code null} when recordings were found and handed over (settle from them), else the outcome
     */
    private Outcome backfill(CallControlId callControlId, CallState call) {
        List<TelnyxRecordings.Recording> listed;
        try {
            listed = telnyx.forCall(callControlId.value(), call.facts().callLegId(), call.facts().callSessionId())
                    .stream().filter(TelnyxRecordings.Recording::completed).toList();
        } catch (TelnyxRecordings.Unavailable e) {
            return telnyxUnavailable(callControlId, call, e);
        }
        if (listed.isEmpty()) {
            long asked = calls.countEmptyListing(callControlId);
            if (call.recording() == CallState.Recording.STARTED && asked < LISTING_ATTEMPTS) {
                return waitFor(callControlId, call, clock.instant().plus(recheck), "Telnyx lists no recording yet");
            }
            String tooLate = endedBeforeRecording(call);
            return tooLate != null ? settle(callControlId, Outcome.ENDED_BEFORE_RECORDING, tooLate, 0)
                    : settle(callControlId, Outcome.MISSING, missingReason(call.recording()), 0);
        }
        for (TelnyxRecordings.Recording summary : listed) {
            TelnyxRecordings.Recording fresh;
            try {
                fresh = Ids.valid(summary.id()) ? telnyx.get(summary.id()) : summary;
            } catch (TelnyxRecordings.Unavailable e) {
                return telnyxUnavailable(callControlId, call, e);
            }
            if (!Ids.valid(fresh.id())) {
                log.warn("recordings API named a recording by an id we cannot use: skipped", Map.of(
                        "call_control_id", callControlId, "recording_id", Outgoing.preview(fresh.id())));
                continue;
            }
            Instant now = clock.instant();
            CallState marked = calls.recordRecording(callControlId,
                    new RecordingFacts(new Deliverable.Recording(fresh.id()), true, null, null, now, null), null, now);
            delivery.deliverRecording(callControlId, metadata(callControlId, fresh), marked);
        }
        return null;
    }

    /** A recording the API describes, as the Web Backend takes it (its link as read now). */
    RecordingMetadata metadata(CallControlId callControlId, TelnyxRecordings.Recording recording) {
        Link link = Link.of(recording, clock.instant(), telnyx.apiBase());
        if (link.refused() != null) {
            log.warn(link.url() == null ? "recording link refused: a fresh one is read again before posting"
                    : "recording link refused: the recording's other link is posted", Map.of(
                    "call_control_id", callControlId, "recording_sid", recording.id(), "reason", link.refused()));
        }
        long seconds = 0;
        if (recording.durationMillis() != null) {
            seconds = Math.round(recording.durationMillis() / 1000.0);
        } else {
            seconds = secondsBetween(recording.recordingStartedAt(), recording.recordingEndedAt());
        }
        return new RecordingMetadata(callControlId.value(), recording.id(), link.url(),
                RecordingStatus.COMPLETED.wire(), Math.max(0, Math.min(seconds, MAX_RECORDING_SECONDS)),
                "single".equalsIgnoreCase(recording.channels()) ? 1 : 2, "telnyx", link.expiresAt());
    }

    /**
     * Whole seconds between two of Telnyx's times; 0 when either is missing, not ISO-8601, or outside any real
     * recording (the API's data is parsed as leniently as a webhook's, and can never stop a pass).
     */
    static long secondsBetween(String startedAt, String endedAt) {
        Instant start = instant(startedAt);
        Instant end = instant(endedAt);
        if (start == null || end == null) {
            return 0;
        }
        long seconds = end.getEpochSecond() - start.getEpochSecond();
        if (seconds < 0 || seconds > MAX_RECORDING_SECONDS) {
            return 0;
        }
        return Math.round(Duration.between(start, end).toMillis() / 1000.0);
    }

    static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            Instant value = OffsetDateTime.parse(text.trim()).toInstant();
            return value.isBefore(EARLIEST) || value.isAfter(LATEST) ? null : value;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A talk this short whose record_start Telnyx refused as not answered had nothing to record. */
    static final Duration MOMENT = Duration.ofSeconds(5);

    /**
     * Why an answered call that has no recording could not have one ({@code null} when it should have): Telnyx said
     * the call had ended when it was asked to record it (or its answer came after its hang-up), or said it was not
     * answered and the call talked no longer than {@link #MOMENT} (cancelled as it was answered).
     */
    private static String endedBeforeRecording(CallState call) {
        if (call.recording() == CallState.Recording.CALL_ENDED) {
            return "the call ended as it was answered: Telnyx had ended it when record_start was sent";
        }
        Instant answered = call.facts().answeredAt();
        Instant ended = call.facts().endedAt();
        if (call.recording() == CallState.Recording.PENDING && answered != null && ended != null
                && Duration.between(answered, ended).compareTo(MOMENT) <= 0) {
            return "the call ended as it was answered: Telnyx refused record_start as not answered (90034) and the"
                    + " call talked " + Math.max(0, Duration.between(answered, ended).toSeconds()) + " s";
        }
        return null;
    }

    /** Why an answered call has no recording, from where {@code record_start} stands. */
    private static String missingReason(CallState.Recording state) {
        return switch (state) {
            case NONE -> "record_start was never sent (AUTO_RECORD off and the page did not start it)";
            case PENDING -> "record_start waited for an answer Telnyx never reported";
            case FAILED -> "record_start was refused or Telnyx did not answer it";
            case STARTED -> "Telnyx accepted record_start but lists no recording for the call";
            case REQUESTING -> "record_start was under way when the call ended";
            case SAVED, CALL_ENDED, ERROR -> "Telnyx lists no recording for the call (recording_state "
                    + state.name().toLowerCase(Locale.ROOT) + ")";
        };
    }

    private Outcome telnyxUnavailable(CallControlId callControlId, CallState call, TelnyxRecordings.Unavailable e) {
        long attempt = calls.countRecordingsApiFailure(callControlId);
        Instant due = clock.instant().plus(Delivery.backoff((int) Math.min(attempt, 20)));
        if (!due.isBefore(giveUpAt(call))) {
            return settle(callControlId, Outcome.MISSING, "the recordings API did not answer for "
                    + GIVE_UP.toHours() + " h (" + e.getMessage() + ")", 0);
        }
        log.warn("recordings API unavailable; checking again later", Map.of("call_control_id", callControlId,
                "detail", e.getMessage(), "retry_at", due.toString()));
        return waitFor(callControlId, call, due, e.getMessage());
    }

    private Outcome waitFor(CallControlId callControlId, CallState call, Instant due, String why) {
        if (!due.isBefore(giveUpAt(call))) {
            return settle(callControlId, Outcome.MISSING, why + " " + GIVE_UP.toHours() + " h after the hang-up", 0);
        }
        checks.move(callControlId.value(), due);
        return Outcome.WAITING;
    }

    private Instant giveUpAt(CallState call) {
        Instant hangup = call.facts().hangupAt();
        return (hangup == null ? clock.instant() : hangup).plus(GIVE_UP);
    }

    /**
     * Settles the call once: the first pass to write {@code recording_check} counts it; a pass that loses the race
     * counts nothing.
     */
    private Outcome settle(CallControlId callControlId, Outcome outcome, String reason, int backfilled) {
        boolean ours = calls.markRecordingChecked(callControlId, outcome.name().toLowerCase(Locale.ROOT), reason,
                clock.instant());
        checks.drop(callControlId.value());
        if (!ours) {
            return Outcome.SETTLED_BEFORE;
        }
        if (outcome == Outcome.NOT_EXPECTED) {
            return outcome;
        }
        if (outcome == Outcome.ENDED_BEFORE_RECORDING) {
            log.warn("answered call ended before Telnyx could record it", Map.of("call_control_id", callControlId,
                    "outcome", outcome.name().toLowerCase(Locale.ROOT), "reason", reason));
            return outcome;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", callControlId);
        fields.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
        if (reason != null) {
            fields.put("reason", reason);
        }
        boolean captured = outcome == Outcome.CAPTURED || outcome == Outcome.BACKFILLED;
        log.metric("RecordingCaptureRate", "Percent", captured ? 100 : 0, fields);
        switch (outcome) {
            case BACKFILLED -> log.metric("RecordingsBackfilled", "Count", backfilled, fields);
            case MISSING -> {
                log.error("answered call has no recording", fields);
                log.metric("RecordingsMissing", "Count", 1, fields);
            }
            case FAILED -> {
                String why = calls.read(callControlId).recordingErrorReason();
                fields.put("recording_error_reason", String.valueOf(why));
                log.error("answered call's recording failed at Telnyx", fields);
                log.metric("RecordingsFailed", "Count", 1,
                        Map.of("error_reason", RecordingTracker.reasonDimension(why)), fields);
            }
            default -> {
            }
        }
        return outcome;
    }
}
