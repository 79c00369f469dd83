package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.Backlog;
import com.aicallgo.coldcall.core.store.Outbox;
import com.aicallgo.coldcall.core.store.OutboxEntry;
import com.aicallgo.coldcall.core.store.StoreUnavailable;
import com.aicallgo.coldcall.core.time.Deadline;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Works through the outbox: every entry due is retried once per pass (posted, put back with a longer backoff, or
 * dead-lettered when too old), page after page until none is left or the pass's deadline. Each entry is handled on
 * its own: one that throws (a record that cannot be built, an id we cannot key) is put back with backoff and, after
 * {@link #POISON_ATTEMPTS}, dead-lettered with its reason, while the other entries of the pass go on. Scheduled every
 * minute; the local runner runs it on demand.
 */
public final class OutboxDrain {
    /** What one pass did, and what is left. */
    public record Report(int posted, int alreadyPosted, int requeued, int deadLettered, long backlog, long deadLetters) {
    }

    /** How often an entry may throw before it is dead-lettered. */
    static final int POISON_ATTEMPTS = 5;

    private final Outbox store;
    private final Delivery delivery;
    private final Clock clock;
    private final JsonLog log;
    private final int page;

    /** @param page how many entries are read from Redis at a time (a pass reads pages until its deadline) */
    public OutboxDrain(Outbox store, Delivery delivery, Clock clock, JsonLog log, int page) {
        this.store = store;
        this.delivery = delivery;
        this.clock = clock;
        this.log = log;
        this.page = page;
    }

    /** One pass that stops taking entries at {@code until} on the functions' clock. */
    public Report drain(boolean all, Instant until) {
        return drain(all, Deadline.in(Duration.between(clock.instant(), until)));
    }

    /**
     * One pass.
     *
     * @param all retry every entry, due or not (an operator's "deliver now")
     * @param deadline stop taking new entries after this
     */
    public Report drain(boolean all, Deadline deadline) {
        int[] counts = new int[Delivery.Result.values().length];
        Pass.each(deadline, handled -> store.due(all ? null : clock.instant(), page + handled),
                entry -> counts[retry(entry, all).ordinal()]++);
        int posted = counts[Delivery.Result.POSTED.ordinal()];
        int already = counts[Delivery.Result.ALREADY_POSTED.ordinal()];
        int requeued = counts[Delivery.Result.QUEUED.ordinal()];
        int dead = counts[Delivery.Result.DEAD_LETTERED.ordinal()];
        Backlog backlog = store.backlog();
        Report report = new Report(posted, already, requeued, dead, backlog.outbox(), backlog.deadLetters());
        log.info("outbox drained", Map.of("posted", posted, "already_posted", already, "requeued", requeued,
                "dead_lettered", dead, "backlog", backlog.outbox(), "dead_letters", backlog.deadLetters()));
        log.metric("OutboxBacklog", "Count", backlog.outbox(), Map.of());
        return report;
    }

    /**
     * Retries one entry, isolated: Redis being down ends the pass (nothing else could be done either); anything else
     * an entry throws is that entry's failure alone. A batch boundary is an edge, so it catches what the entry threw.
     */
    private Delivery.Result retry(OutboxEntry entry, boolean all) {
        try {
            return delivery.retry(entry, all);
        } catch (StoreUnavailable e) {
            throw e;
        } catch (RuntimeException e) {
            return failed(entry, e);
        }
    }

    private Delivery.Result failed(OutboxEntry entry, RuntimeException e) {
        String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        long attempts = store.countFailure(entry);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", entry.callControlId());
        fields.put("record", entry.deliverable().field());
        fields.put("reason", reason);
        fields.put("attempt", attempts);
        if (attempts >= POISON_ATTEMPTS) {
            Map<String, Object> record = new LinkedHashMap<>(fields);
            record.put("dead_lettered_at", clock.instant().toString());
            store.deadLetter(entry, json(record));
            log.error("outbox entry failed every attempt: it is in the dead-letter list", fields);
            log.metric("DeadLetters", "Count", 1, fields);
            return Delivery.Result.DEAD_LETTERED;
        }
        Instant due = clock.instant().plus(Delivery.backoff((int) attempts));
        store.schedule(entry, due);
        fields.put("retry_at", due.toString());
        log.warn("outbox entry failed; retrying later", fields);
        return Delivery.Result.QUEUED;
    }

    private static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a dead letter", e);
        }
    }
}
