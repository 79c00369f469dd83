package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.Backlog;
import com.aicallgo.coldcall.core.store.Outbox;
import com.aicallgo.coldcall.core.store.OutboxEntry;
import com.aicallgo.coldcall.core.time.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Works through the outbox: every entry due is retried once per pass (posted, put back with a longer backoff, or
 * dead-lettered when too old), page after page until none is left or the pass's deadline. Each entry is handled on
 * its own ({@link Isolation}): one that throws (a record that cannot be built, an id we cannot key) is put back with
 * backoff and, after {@link Isolation#POISON_ATTEMPTS}, dead-lettered with its reason. Scheduled every
 * minute; the local runner runs it on demand.
 */
public final class OutboxDrain {
    /** What one pass did, and what is left. */
    public record Report(int posted, int alreadyPosted, int requeued, int deadLettered, long backlog, long deadLetters) {
    }

    private final Outbox outbox;
    private final Delivery delivery;
    private final Clock clock;
    private final JsonLog log;
    private final int page;
    private final Isolation.Retries<OutboxEntry> retries;

    /** @param page how many entries are read from Redis at a time (a pass reads pages until its deadline) */
    public OutboxDrain(Outbox outbox, Delivery delivery, Clock clock, JsonLog log, int page) {
        this.outbox = outbox;
        this.delivery = delivery;
        this.clock = clock;
        this.log = log;
        this.page = page;
        this.retries = new Isolation.Retries<>("outbox entry", "retrying later", outbox::countFailure, outbox::schedule,
                outbox::deadLetter, log, clock);
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
        Pass.each(deadline, handled -> outbox.due(all ? null : clock.instant(), page + handled),
                entry -> counts[Isolation.handle(entry, e -> delivery.retry(e, all), this::failed).ordinal()]++);
        int posted = counts[Delivery.Result.POSTED.ordinal()];
        int already = counts[Delivery.Result.ALREADY_POSTED.ordinal()];
        int requeued = counts[Delivery.Result.QUEUED.ordinal()];
        int dead = counts[Delivery.Result.DEAD_LETTERED.ordinal()];
        Backlog backlog = outbox.backlog();
        Report report = new Report(posted, already, requeued, dead, backlog.outbox(), backlog.deadLetters());
        log.info("outbox drained", Map.of("posted", posted, "already_posted", already, "requeued", requeued,
                "dead_lettered", dead, "backlog", backlog.outbox(), "dead_letters", backlog.deadLetters()));
        log.metric("OutboxBacklog", "Count", backlog.outbox(), Map.of());
        return report;
    }

    /**
     * Retries the one entry a {@link DelayedRecords} message names, as a pass would (isolated: one that throws is put
     * back with backoff); not yet due, it is put back at its time.
     *
     * @return {@code null} when the outbox does not hold it (delivered or given up already: nothing is owed)
     * @throws com.aicallgo.coldcall.core.store.StoreUnavailable when Redis cannot be reached (the message is kept)
     */
    public Delivery.Result retry(OutboxEntry entry) {
        if (!outbox.holds(entry)) {
            return null;
        }
        return Isolation.handle(entry, e -> delivery.retry(e, false), this::failed);
    }

    private Delivery.Result failed(OutboxEntry entry, String reason) {
        return retries.failed(entry, entry.callControlId().value(), entry.deliverable().field(), reason)
                ? Delivery.Result.DEAD_LETTERED
                : Delivery.Result.QUEUED;
    }
}
