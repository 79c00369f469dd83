package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Claim;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.Outbox;
import com.aicallgo.coldcall.core.store.OutboxEntry;
import com.aicallgo.coldcall.core.store.RecordingStatus;
import com.aicallgo.coldcall.core.store.StoreUnavailable;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import com.aicallgo.coldcall.core.webbackend.CallLog;
import com.aicallgo.coldcall.core.webbackend.Outgoing;
import com.aicallgo.coldcall.core.webbackend.RecordingMetadata;
import com.aicallgo.coldcall.core.webbackend.WebBackendClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Delivers a call's records to the Web Backend exactly once from its point of view. A claim in the call's Redis
 * hash keeps two deliveries of the same record (a webhook redelivery, the outbox drain) from posting at once, and
 * a success is remembered so nothing posts it again. A failure does not wait on Telnyx's redelivery: the record
 * goes to the outbox in Redis, which the drain works through with exponential backoff and jitter, and after
 * {@code maxAge} into the dead-letter list. The Web Backend's 409 (it has the record) counts as delivered.
 *
 * <p>The call log is rebuilt from the call's state whenever it is sent; a recording's metadata is kept with the
 * call until delivered.
 */
public final class Delivery {
    /** What happened to the record. */
    public enum Result {
        POSTED,
        ALREADY_POSTED,
        /** In the outbox: the Web Backend failed, another delivery holds it, or it is not ready yet. */
        QUEUED,
        DEAD_LETTERED
    }

    static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    static final Duration LONGEST_RETRY = Duration.ofMinutes(15);
    static final Duration SETTLE_PAUSE = Duration.ofMillis(100);

    private final Calls store;
    private final Outbox outbox;
    private final WebBackendClient webBackend;
    private final CallLogBuilder callLogs;
    private final Duration maxAge;
    private final Clock clock;
    private final JsonLog log;
    private final Budget budget;
    private final TelnyxRecordings recordings;
    private final Duration linkMaxAge;
    private final DelayedRecords delayed;

    /**
     * @param recordings reads a recording again for a fresh link
     * @param linkMaxAge an expiring link older than this is read again before it is posted
     * @param delayed the precise trigger of what is queued due soon (the drain's schedule being the safety net)
     */
    public Delivery(Calls store, Outbox outbox, WebBackendClient webBackend, CallLogBuilder callLogs, Duration maxAge,
            Clock clock, JsonLog log, Budget budget, TelnyxRecordings recordings, Duration linkMaxAge,
            DelayedRecords delayed) {
        this.outbox = outbox;
        this.delayed = delayed;
        this.budget = budget;
        this.recordings = recordings;
        this.linkMaxAge = linkMaxAge;
        this.store = store;
        this.webBackend = webBackend;
        this.callLogs = callLogs;
        this.maxAge = maxAge;
        this.clock = clock;
        this.log = log;
    }

    /** Delivers the call log of an ended call now, or schedules it for when it can be built. */
    public Result deliverCallLog(CallControlId callControlId, CallState call) {
        Instant now = clock.instant();
        Instant ready = callLogs.readyAt(call);
        if (ready.isAfter(now)) {
            enqueue(new OutboxEntry(callControlId, Deliverable.CALL_LOG), null, null, ready, now);
            return Result.QUEUED;
        }
        return deliver(new OutboxEntry(callControlId, Deliverable.CALL_LOG), CallLog.PATH,
                callLogs.build(callControlId, call), null, call);
    }

    /** Delivers a recording's metadata now, or queues it; {@code call} is what Redis knows about its call. */
    public Result deliverRecording(CallControlId callControlId, RecordingMetadata metadata, CallState call) {
        return deliver(new OutboxEntry(callControlId, new Deliverable.Recording(metadata.recordingSid())),
                RecordingMetadata.PATH, metadata, json(metadata), call);
    }

    /**
     * Retries one outbox entry (the drain).
     *
     * @param all deliver it even when it is not due yet
     */
    public Result retry(OutboxEntry entry, boolean all) {
        CallState call = store.read(entry.callControlId());
        CallState.Sending sending = call.sending(entry.deliverable());
        if (sending.mark().settled()) {
            outbox.unschedule(entry);
            return Result.ALREADY_POSTED;
        }
        switch (entry.deliverable()) {
            case Deliverable.CallLog callLog -> {
                Instant ready = callLogs.readyAt(call);
                if (ready == null) {
                    return deadLetter(entry, call, "the call has no hang-up in Redis");
                }
                if (ready.isAfter(clock.instant()) && !all) {
                    outbox.schedule(entry, ready);
                    delayed.queued(entry, ready); // a trigger that came early (another container's clock)
                    return Result.QUEUED;
                }
                return deliver(entry, CallLog.PATH, callLogs.build(entry.callControlId(), call), null, call);
            }
            case Deliverable.Recording recording -> {
                String payload = sending.payload();
                if (payload == null) {
                    return deadLetter(entry, call, "no payload kept for " + recording.field());
                }
                RecordingMetadata metadata;
                try {
                    metadata = Json.mapper().readValue(payload, RecordingMetadata.class);
                } catch (IOException e) {
                    return deadLetter(entry, call, "unreadable payload for " + recording.field());
                }
                return deliver(entry, RecordingMetadata.PATH, metadata, payload, call);
            }
        }
    }

    private Result deliver(OutboxEntry entry, String path, Object record, String payload, CallState call) {
        CallControlId callControlId = entry.callControlId();
        Instant now = clock.instant();
        switch (store.claim(callControlId, entry.deliverable(), now)) {
            case Claim.Done done -> {
                outbox.unschedule(entry);
                return Result.ALREADY_POSTED;
            }
            case Claim.Busy busy -> {
                // another delivery holds it; check on it once its lease has run out
                enqueue(entry, null, payload, now.plus(Calls.CLAIM_LEASE), now);
                return Result.QUEUED;
            }
            case Claim.Claimed claim -> {
                // everything done under the claim (the post, recording its outcome) ends by the hold, strictly
                // inside the claim's lease: a delivery that takes over an expired lease never meets a live holder
                return budget.within(Deadline.in(Deadlines.CLAIM_HOLD),
                        () -> post(entry, claim, path, record, payload, call));
            }
        }
    }

    private Result post(OutboxEntry entry, Claim.Claimed claim, String path, Object record, String payload,
            CallState call) {
        CallControlId callControlId = entry.callControlId();
        Deliverable deliverable = entry.deliverable();
        WebBackendClient.Result result;
        Object fresh = record instanceof RecordingMetadata metadata ? live(metadata) : record;
        if (fresh == null) {
            result = new WebBackendClient.Result(false, 0, "the recording has no link that may be posted (missing,"
                    + " refused, or older than " + linkMaxAge.toSeconds() + " s) and Telnyx gave no fresh one");
        } else {
            // the post ends early enough that its success can still be written to Redis
            result = webBackend.post(path, fresh, budget.invocation().minus(Deadlines.SETTLE_RESERVE));
        }
        if (result.delivered()) {
            remember(entry, claim);
            outbox.unschedule(entry);
            measure(entry, call);
            return Result.POSTED;
        }
        Instant now = clock.instant();
        CallState latest = store.read(callControlId);
        CallState.Sending sending = latest.sending(deliverable);
        Instant since = sending.queuedSince() == null ? now : sending.queuedSince();
        if (Duration.between(since, now).compareTo(maxAge) > 0) {
            store.release(callControlId, deliverable, claim);
            return deadLetter(entry, latest, result.detail());
        }
        Instant due = now.plus(backoff(sending.attempts() + 1));
        enqueue(entry, claim, payload, due, now);
        log.warn("web backend failed: record queued", Map.of("call_control_id", callControlId,
                "record", deliverable.field(), "detail", result.detail(), "attempt", sending.attempts() + 1,
                "retry_at", due.toString()));
        return Result.QUEUED;
    }

    /**
     * The metadata with a link that may be posted ({@link Link#refusal}) and is no older than {@code linkMaxAge}: a
     * public link, or one handed out recently, as it is; a completed recording's older link, refused link or missing
     * link read again from the recordings API ({@code null} when Telnyx gives none that may be posted). A failed
     * recording is posted without a link it may not carry.
     */
    private RecordingMetadata live(RecordingMetadata metadata) {
        String url = metadata.recordingUrl();
        String refused = url == null ? null : Link.refusal(url, recordings.apiBase());
        if (refused != null) {
            log.warn("recording link refused: it is not posted", Map.of("call_control_id", metadata.callSid(),
                    "recording_sid", metadata.recordingSid(), "reason", "link " + refused + " ("
                            + Outgoing.preview(url) + ")"));
            metadata = metadata.withLink(null, null);
        }
        if (!RecordingStatus.COMPLETED.wire().equals(metadata.recordingStatus())) {
            return metadata;
        }
        String expires = metadata.recordingUrlExpiresAt();
        Instant now = clock.instant();
        if (metadata.recordingUrl() != null) {
            if (expires == null) {
                return metadata;
            }
            Instant handedOut;
            try {
                handedOut = Instant.parse(expires).minus(Config.RECORDING_LINK_LIFETIME);
            } catch (java.time.format.DateTimeParseException e) {
                handedOut = Instant.MIN;
            }
            if (!handedOut.plus(linkMaxAge).isBefore(now)) {
                return metadata;
            }
        }
        try {
            Link link = Link.of(recordings.get(metadata.recordingSid()), now, recordings.apiBase());
            if (link.url() == null) {
                log.warn("Telnyx gave no link that may be posted", Map.of("call_control_id", metadata.callSid(),
                        "recording_sid", metadata.recordingSid(), "reason",
                        link.refused() == null ? "the recordings API lists no link" : link.refused()));
                return null;
            }
            log.info("recording link read again before posting", Map.of("recording_sid", metadata.recordingSid(),
                    "expired_at", String.valueOf(expires)));
            return metadata.withLink(link.url(), link.expiresAt());
        } catch (TelnyxRecordings.Unavailable e) {
            log.warn("recording link too old or missing and Telnyx gave no fresh one", Map.of(
                    "recording_sid", metadata.recordingSid(), "detail", e.getMessage()));
            return null;
        }
    }

    /**
     * The promises' latency metrics, to the Web Backend's 2xx: the call log from the call's end
     * ({@code TimeToCallLogMs}: the hang-up's {@code end_time}, else its {@code occurred_at}; for a call whose
     * hang-up never came, when we settled it), so every wait before the post counts; a saved recording from its
     * {@code call.recording.saved} ({@code TimeToRecordingPostMs}; a backfilled recording has no such event and is
     * counted by the reconciler).
     */
    private void measure(OutboxEntry entry, CallState call) {
        boolean callLog = entry.deliverable() instanceof Deliverable.CallLog;
        Instant from = callLog ? (call.facts().settledBy() != null && call.facts().hangupSeenAt() != null
                ? call.facts().hangupSeenAt() : call.facts().endedAt())
                : call.sending(entry.deliverable()).savedAt();
        if (from == null) {
            return;
        }
        long millis = Math.max(0, Duration.between(from, clock.instant()).toMillis());
        log.metric(callLog ? "TimeToCallLogMs" : "TimeToRecordingPostMs", "Milliseconds", millis,
                Map.of("call_control_id", entry.callControlId(), "record", entry.deliverable().field()));
    }

    /**
     * Records a success. The Web Backend has the record now, so losing this write would let a later delivery post it
     * again: a Redis failure here is retried every {@link #SETTLE_PAUSE} until the invocation's deadline (under a
     * webhook, what is left of its 1.5 s; in the drain, the claim's hold), each attempt bounded by that same
     * deadline, and then given up (503). The claim's lease outlives that deadline, so nothing posts meanwhile; after
     * the lease, a redelivery may post again and the Web Backend's 409 keeps the record single.
     */
    private void remember(OutboxEntry entry, Claim.Claimed claim) {
        Deadline until = budget.invocation();
        while (true) {
            try {
                store.finish(entry.callControlId(), entry.deliverable(), claim);
                return;
            } catch (StoreUnavailable e) {
                if (!until.allows(SETTLE_PAUSE.multipliedBy(2))) {
                    throw e;
                }
                log.warn("recording a delivered record failed; retrying", Map.of("call_control_id",
                        entry.callControlId(), "record", entry.deliverable().field(), "detail", String.valueOf(e.detail())));
                pause(SETTLE_PAUSE);
            }
        }
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Exponential backoff with jitter: 10 s, 20 s, 40 s, ... up to 15 min, each cut by up to half at random. */
    static Duration backoff(int attempt) {
        long base = FIRST_RETRY.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, LONGEST_RETRY.toMillis());
        return Duration.ofMillis(capped / 2 + Jitter.shared().below(capped / 2 + 1));
    }

    private Result deadLetter(OutboxEntry entry, CallState call, String reason) {
        CallState.Sending sending = call.sending(entry.deliverable());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("call_control_id", entry.callControlId());
        record.put("record", entry.deliverable().field());
        record.put("reason", reason);
        record.put("queued_since", sending.queuedSince() == null ? null : sending.queuedSince().toString());
        record.put("payload", sending.payload());
        record.put("dead_lettered_at", clock.instant().toString());
        outbox.deadLetter(entry, json(record));
        Map<String, Object> fields = Map.of("call_control_id", entry.callControlId(), "record",
                entry.deliverable().field(), "reason", reason);
        log.error("outbox gave up on a record: it is in the dead-letter list", fields);
        log.metric("DeadLetters", "Count", 1, fields);
        return Result.DEAD_LETTERED;
    }

    /**
     * Puts the record in the outbox, due at {@code due}, and sends its precise trigger ({@link DelayedRecords}) unless
     * it was delivered meanwhile.
     */
    private void enqueue(OutboxEntry entry, Claim.Claimed claim, String payload, Instant due, Instant now) {
        if (outbox.enqueue(entry.callControlId(), entry.deliverable(), claim, payload, due, now, keep())) {
            delayed.queued(entry, due);
        }
    }

    private Duration keep() {
        return maxAge.plus(Duration.ofDays(1));
    }

    private static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
