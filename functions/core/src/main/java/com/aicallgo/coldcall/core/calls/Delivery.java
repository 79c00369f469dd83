package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallRecord;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.webbackend.CallLog;
import com.aicallgo.coldcall.core.webbackend.RecordingMetadata;
import com.aicallgo.coldcall.core.webbackend.WebBackendClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers a call's records to the Web Backend exactly once from its point of view. A claim in the call's Redis
 * hash keeps two deliveries of the same record (a webhook redelivery, the outbox drain) from posting at once, and
 * a success is remembered so nothing posts it again. A failure does not wait on Telnyx's redelivery: the record
 * goes to the outbox in Redis, which the drain works through with exponential backoff and jitter, and after
 * {@code maxAge} into the dead-letter list. The Web Backend's 409 (it has the record) counts as delivered.
 *
 * <p>Record names: {@code call_log} (rebuilt from the call's state whenever it is sent) and
 * {@code recording:<recording_id>} (its payload is kept with the call until delivered).
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
    public static final String CALL_LOG = "call_log";
    static final String RECORDING = "recording:";
    static final int SETTLE_ATTEMPTS = 20;
    static final Duration SETTLE_PAUSE = Duration.ofMillis(250);

    private final CallStore store;
    private final WebBackendClient webBackend;
    private final CallLogBuilder callLogs;
    private final Duration maxAge;
    private final Clock clock;
    private final JsonLog log;

    public Delivery(CallStore store, WebBackendClient webBackend, CallLogBuilder callLogs, Duration maxAge, Clock clock,
            JsonLog log) {
        this.store = store;
        this.webBackend = webBackend;
        this.callLogs = callLogs;
        this.maxAge = maxAge;
        this.clock = clock;
        this.log = log;
    }

    /** Delivers the call log of an ended call now, or schedules it for when it can be built. */
    public Result deliverCallLog(String callControlId, CallRecord call) {
        Instant now = clock.instant();
        Instant ready = callLogs.readyAt(call);
        if (ready.isAfter(now)) {
            store.enqueue(callControlId, CALL_LOG, null, null, ready, now, keep());
            return Result.QUEUED;
        }
        return deliver(callControlId, CALL_LOG, CallLog.PATH, callLogs.build(callControlId, call), null, call);
    }

    /** Delivers a recording's metadata now, or queues it; {@code call} is what Redis knows about its call. */
    public Result deliverRecording(String callControlId, RecordingMetadata metadata, CallRecord call) {
        return deliver(callControlId, recordName(metadata.recordingSid()), RecordingMetadata.PATH, metadata,
                json(metadata), call);
    }

    /** The outbox name of a recording's metadata (also the field of its delivery state on the call). */
    public static String recordName(String recordingId) {
        return RECORDING + recordingId;
    }

    /**
     * Retries one outbox entry (the drain).
     *
     * @param all deliver it even when it is not due yet
     */
    public Result retry(String callControlId, String name, boolean all) {
        CallRecord call = store.read(callControlId);
        String state = call.get(name);
        if ("done".equals(state) || "dead".equals(state)) {
            store.unschedule(callControlId, name);
            return Result.ALREADY_POSTED;
        }
        if (name.equals(CALL_LOG)) {
            Instant ready = callLogs.readyAt(call);
            if (ready == null) {
                return deadLetter(callControlId, name, call, "the call has no hang-up in Redis");
            }
            if (ready.isAfter(clock.instant()) && !all) {
                store.schedule(callControlId, name, ready);
                return Result.QUEUED;
            }
            return deliver(callControlId, name, CallLog.PATH, callLogs.build(callControlId, call), null, call);
        }
        String payload = call.get("outbox:" + name);
        if (payload == null) {
            return deadLetter(callControlId, name, call, "no payload kept for " + name);
        }
        RecordingMetadata metadata;
        try {
            metadata = Json.mapper().readValue(payload, RecordingMetadata.class);
        } catch (IOException e) {
            return deadLetter(callControlId, name, call, "unreadable payload for " + name);
        }
        return deliver(callControlId, name, RecordingMetadata.PATH, metadata, payload, call);
    }

    private Result deliver(String callControlId, String name, String path, Object record, String payload,
            CallRecord call) {
        Instant now = clock.instant();
        String claim = store.claim(callControlId, name, now);
        switch (CallStore.claimOf(claim)) {
            case DONE -> {
                store.unschedule(callControlId, name);
                return Result.ALREADY_POSTED;
            }
            case BUSY -> {
                // another delivery holds it; check on it once its lease has run out
                store.enqueue(callControlId, name, null, payload, now.plus(CallStore.CLAIM_LEASE), now, keep());
                return Result.QUEUED;
            }
            default -> {
            }
        }
        WebBackendClient.Result result = webBackend.post(path, record);
        if (result.delivered()) {
            remember(callControlId, name, claim);
            store.unschedule(callControlId, name);
            measure(callControlId, name, call);
            return Result.POSTED;
        }
        call = store.read(callControlId);
        Instant since = call.has("outbox_since:" + name) ? call.time("outbox_since:" + name) : now;
        if (Duration.between(since, now).compareTo(maxAge) > 0) {
            store.settle(callControlId, name, claim, null);
            return deadLetter(callControlId, name, call, result.detail());
        }
        int attempts = call.has("outbox_attempts:" + name) ? Integer.parseInt(call.get("outbox_attempts:" + name)) : 0;
        Instant due = now.plus(backoff(attempts + 1));
        store.enqueue(callControlId, name, claim, payload, due, now, keep());
        log.warn("web backend failed: record queued", Map.of("call_control_id", callControlId, "record", name,
                "detail", result.detail(), "attempt", attempts + 1, "retry_at", due.toString()));
        return Result.QUEUED;
    }

    /**
     * The promises' latency metrics, measured from Telnyx's own event time to the Web Backend's 2xx: the call log
     * from the hang-up ({@code TimeToCallLogMs}), a saved recording from its {@code call.recording.saved}
     * ({@code TimeToRecordingPostMs}; a backfilled recording has no such event and is counted by the reconciler).
     */
    private void measure(String callControlId, String name, CallRecord call) {
        boolean callLog = name.equals(CALL_LOG);
        Instant from = callLog ? call.time("hangup_at") : call.time("saved_at:" + name);
        if (from == null) {
            return;
        }
        long millis = Math.max(0, Duration.between(from, clock.instant()).toMillis());
        log.metric(callLog ? "TimeToCallLogMs" : "TimeToRecordingPostMs", "Milliseconds", millis,
                Map.of("call_control_id", callControlId, "record", name));
    }

    /**
     * Records a success. The Web Backend has the record now, so losing this write would let a later delivery post it
     * again: a Redis outage here is ridden out for up to 5 s (longer than Telnyx waits; its redelivery then finds
     * the record done) before it is given up and answered 503.
     */
    private void remember(String callControlId, String name, String claim) {
        for (int attempt = 1; ; attempt++) {
            try {
                store.settle(callControlId, name, claim, "done");
                return;
            } catch (ApiException e) {
                if (attempt == SETTLE_ATTEMPTS) {
                    throw e;
                }
                log.warn("recording a delivered record failed; retrying", Map.of("call_control_id", callControlId,
                        "record", name, "detail", String.valueOf(e.detail())));
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
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private Result deadLetter(String callControlId, String name, CallRecord call, String reason) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("call_control_id", callControlId);
        record.put("record", name);
        record.put("reason", reason);
        record.put("queued_since", call.get("outbox_since:" + name));
        record.put("payload", call.get("outbox:" + name));
        record.put("dead_lettered_at", clock.instant().toString());
        store.deadLetter(callControlId, name, json(record));
        Map<String, Object> fields = Map.of("call_control_id", callControlId, "record", name, "reason", reason);
        log.error("outbox gave up on a record: it is in the dead-letter list", fields);
        log.metric("DeadLetters", "Count", 1, fields);
        return Result.DEAD_LETTERED;
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
