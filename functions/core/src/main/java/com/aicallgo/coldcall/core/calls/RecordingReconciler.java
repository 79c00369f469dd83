package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallRecord;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.webbackend.RecordingMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
    /** When a delivery is under way: look again after the outbox's first retry. */
    static final Duration DELIVERY_RECHECK = Duration.ofMinutes(1);

    private final CallStore store;
    private final TelnyxRecordings telnyx;
    private final Delivery delivery;
    private final Duration recheck;
    private final Clock clock;
    private final JsonLog log;
    private final int batch;

    /**
     * @param recheck how long to wait before asking Telnyx again about a recording it does not list yet
     */
    public RecordingReconciler(CallStore store, TelnyxRecordings telnyx, Delivery delivery, Duration recheck,
            Clock clock, JsonLog log, int batch) {
        this.store = store;
        this.telnyx = telnyx;
        this.delivery = delivery;
        this.recheck = recheck;
        this.clock = clock;
        this.log = log;
        this.batch = batch;
    }

    /**
     * One pass over the checks that are due.
     *
     * @param all check every scheduled call now, due or not (an operator's "reconcile now")
     * @param deadline stop taking new calls after this
     */
    public Report reconcile(boolean all, Instant deadline) {
        int[] counts = new int[Outcome.values().length];
        int checked = 0;
        for (String callControlId : store.dueChecks(all ? null : clock.instant(), batch)) {
            if (clock.instant().isAfter(deadline)) {
                break;
            }
            counts[check(callControlId).ordinal()]++;
            checked++;
        }
        Report report = new Report(checked, counts[Outcome.CAPTURED.ordinal()], counts[Outcome.BACKFILLED.ordinal()],
                counts[Outcome.MISSING.ordinal()], counts[Outcome.FAILED.ordinal()], counts[Outcome.WAITING.ordinal()]);
        log.info("recordings reconciled", Map.of("checked", checked, "captured", report.captured(),
                "backfilled", report.backfilled(), "missing", report.missing(), "failed", report.failed(),
                "waiting", report.waiting()));
        return report;
    }

    /** Checks one call's recording. */
    public Outcome check(String callControlId) {
        CallRecord call = store.read(callControlId);
        if (call.has("recording_check")) {
            store.settleCheck(callControlId);
            return Outcome.SETTLED_BEFORE;
        }
        if (call.fields().isEmpty()) {
            return settle(callControlId, call, Outcome.MISSING, "the call's state expired before its recording was checked", 0);
        }
        if (!CallLogBuilder.answered(call)) {
            return settle(callControlId, call, Outcome.NOT_EXPECTED, null, 0);
        }
        if (records(call).isEmpty()) {
            Outcome asked = backfill(callControlId, call);
            if (asked != null) {
                return asked;
            }
            call = store.read(callControlId);
        }
        return settleFromRecords(callControlId, call);
    }

    /** Settles the call from the recordings it knows of (from webhooks or a backfill). */
    private Outcome settleFromRecords(String callControlId, CallRecord call) {
        List<String> completed = new ArrayList<>();
        for (String record : records(call)) {
            if ("completed".equals(call.get("result:" + record))) {
                completed.add(record);
            }
        }
        if (completed.isEmpty()) {
            return settle(callControlId, call, Outcome.FAILED, "Telnyx reported the recording failed", 0);
        }
        int backfilled = 0;
        boolean posted = false;
        boolean pending = false;
        for (String record : completed) {
            String state = call.get(record);
            if ("done".equals(state)) {
                posted = true;
                backfilled += call.has("backfilled:" + record) ? 1 : 0;
            } else if (!"dead".equals(state)) {
                pending = true;
            }
        }
        if (posted) {
            return settle(callControlId, call, backfilled > 0 ? Outcome.BACKFILLED : Outcome.CAPTURED, null, backfilled);
        }
        if (pending) {
            return waitFor(callControlId, call, clock.instant().plus(DELIVERY_RECHECK), "recording delivery under way");
        }
        return settle(callControlId, call, Outcome.MISSING, "the outbox gave up on the recording (dead-lettered)", 0);
    }

    /**
     * Asks Telnyx for the call's recordings and hands each to {@link Delivery}.
     *
     * @return {@code null} when recordings were found and handed over (settle from them), else the outcome
     */
    private Outcome backfill(String callControlId, CallRecord call) {
        List<TelnyxRecordings.Recording> listed;
        try {
            listed = telnyx.forCall(callControlId, call.get("call_session_id")).stream()
                    .filter(TelnyxRecordings.Recording::completed).toList();
        } catch (TelnyxRecordings.Unavailable e) {
            return telnyxUnavailable(callControlId, call, e);
        }
        if (listed.isEmpty()) {
            long asked = store.increment(callControlId, "recording_listings");
            if ("started".equals(call.get("recording_state")) && asked < LISTING_ATTEMPTS) {
                return waitFor(callControlId, call, clock.instant().plus(recheck), "Telnyx lists no recording yet");
            }
            return settle(callControlId, call, Outcome.MISSING, missingReason(call), 0);
        }
        for (TelnyxRecordings.Recording summary : listed) {
            TelnyxRecordings.Recording fresh;
            try {
                fresh = telnyx.get(summary.id());
            } catch (TelnyxRecordings.Unavailable e) {
                return telnyxUnavailable(callControlId, call, e);
            }
            String record = Delivery.recordName(fresh.id());
            Instant now = clock.instant();
            CallRecord marked = store.apply(callControlId, null,
                    Map.of("result:" + record, "completed", "backfilled:" + record, now.toString()), Map.of(), now);
            delivery.deliverRecording(callControlId, metadata(callControlId, fresh), marked);
        }
        return null;
    }

    private static RecordingMetadata metadata(String callControlId, TelnyxRecordings.Recording recording) {
        TelnyxRecordings.Links links = recording.downloadUrls();
        String url = links == null ? null : links.mp3() != null && !links.mp3().isBlank() ? links.mp3() : links.wav();
        long seconds = 0;
        if (recording.durationMillis() != null) {
            seconds = Math.round(recording.durationMillis() / 1000.0);
        } else if (recording.recordingStartedAt() != null && recording.recordingEndedAt() != null) {
            seconds = Math.round(Duration.between(Instant.parse(recording.recordingStartedAt()),
                    Instant.parse(recording.recordingEndedAt())).toMillis() / 1000.0);
        }
        return new RecordingMetadata(callControlId, recording.id(), url, "completed", Math.max(0, seconds),
                "single".equalsIgnoreCase(recording.channels()) ? 1 : 2, "telnyx");
    }

    /** Why an answered call has no recording, from what the call's state says about {@code record_start}. */
    private static String missingReason(CallRecord call) {
        String state = call.get("recording_state");
        if (state == null) {
            return "record_start was never sent (AUTO_RECORD off and the page did not start it)";
        }
        return switch (state) {
            case "pending" -> "record_start waited for an answer Telnyx never reported";
            case "failed" -> "record_start was refused or Telnyx did not answer it";
            case "started" -> "Telnyx accepted record_start but lists no recording for the call";
            default -> state.startsWith("requesting:")
                    ? "record_start was under way when the call ended"
                    : "Telnyx lists no recording for the call (recording_state " + state + ")";
        };
    }

    private Outcome telnyxUnavailable(String callControlId, CallRecord call, TelnyxRecordings.Unavailable e) {
        long attempt = store.increment(callControlId, "recording_api_failures");
        Instant due = clock.instant().plus(Delivery.backoff((int) Math.min(attempt, 20)));
        if (!due.isBefore(giveUpAt(call))) {
            return settle(callControlId, call, Outcome.MISSING, "the recordings API did not answer for "
                    + GIVE_UP.toHours() + " h (" + e.getMessage() + ")", 0);
        }
        log.warn("recordings API unavailable; checking again later", Map.of("call_control_id", callControlId,
                "detail", e.getMessage(), "retry_at", due.toString()));
        return waitFor(callControlId, call, due, e.getMessage());
    }

    private Outcome waitFor(String callControlId, CallRecord call, Instant due, String why) {
        if (!due.isBefore(giveUpAt(call))) {
            return settle(callControlId, call, Outcome.MISSING, why + " " + GIVE_UP.toHours() + " h after the hang-up", 0);
        }
        store.rescheduleCheck(callControlId, due);
        return Outcome.WAITING;
    }

    private Instant giveUpAt(CallRecord call) {
        Instant hangup = call.time("hangup_at");
        return (hangup == null ? clock.instant() : hangup).plus(GIVE_UP);
    }

    /**
     * Settles the call once: the first pass to write {@code recording_check} counts it; a pass that loses the race
     * counts nothing.
     */
    private Outcome settle(String callControlId, CallRecord call, Outcome outcome, String reason, int backfilled) {
        Instant now = clock.instant();
        String mark = outcome.name().toLowerCase(java.util.Locale.ROOT) + " " + UUID.randomUUID();
        CallRecord after = store.apply(callControlId, null, Map.of("recording_check", mark), Map.of(), now);
        store.settleCheck(callControlId);
        if (!mark.equals(after.get("recording_check"))) {
            return Outcome.SETTLED_BEFORE;
        }
        if (reason != null) {
            store.apply(callControlId, null, Map.of("recording_check_reason", reason), Map.of(), now);
        }
        if (outcome == Outcome.NOT_EXPECTED) {
            return outcome;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", callControlId);
        fields.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
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
                log.error("answered call's recording failed at Telnyx", fields);
                log.metric("RecordingsFailed", "Count", 1, fields);
            }
            default -> {
            }
        }
        return outcome;
    }

    /** The recordings the call knows of: the {@code result:recording:<id>} fields webhooks and backfills leave. */
    private static List<String> records(CallRecord call) {
        List<String> records = new ArrayList<>();
        for (String field : call.fields().keySet()) {
            if (field.startsWith("result:" + Delivery.RECORDING)) {
                records.add(field.substring("result:".length()));
            }
        }
        return records;
    }
}
