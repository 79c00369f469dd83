package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.Backlog;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.store.OutboxEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Works through the outbox: every entry due is retried once per pass (posted, put back with a longer backoff, or
 * dead-lettered when too old), until the pass's deadline. Scheduled every minute; the local runner runs it on
 * demand.
 */
public final class OutboxDrain {
    /** What one pass did, and what is left. */
    public record Report(int posted, int alreadyPosted, int requeued, int deadLettered, long backlog, long deadLetters) {
    }

    private final CallStore store;
    private final Delivery delivery;
    private final Clock clock;
    private final JsonLog log;
    private final int batch;

    public OutboxDrain(CallStore store, Delivery delivery, Clock clock, JsonLog log, int batch) {
        this.store = store;
        this.delivery = delivery;
        this.clock = clock;
        this.log = log;
        this.batch = batch;
    }

    /**
     * One pass.
     *
     * @param all retry every entry, due or not (an operator's "deliver now")
     * @param deadline stop taking new entries after this
     */
    public Report drain(boolean all, Instant deadline) {
        int posted = 0;
        int already = 0;
        int requeued = 0;
        int dead = 0;
        for (OutboxEntry entry : store.due(all ? null : clock.instant(), batch)) {
            if (clock.instant().isAfter(deadline)) {
                break;
            }
            switch (delivery.retry(entry, all)) {
                case POSTED -> posted++;
                case ALREADY_POSTED -> already++;
                case QUEUED -> requeued++;
                case DEAD_LETTERED -> dead++;
            }
        }
        Backlog backlog = store.backlog();
        Report report = new Report(posted, already, requeued, dead, backlog.outbox(), backlog.deadLetters());
        log.info("outbox drained", Map.of("posted", posted, "already_posted", already, "requeued", requeued,
                "dead_lettered", dead, "backlog", backlog.outbox(), "dead_letters", backlog.deadLetters()));
        log.metric("OutboxBacklog", "Count", backlog.outbox(), Map.of());
        return report;
    }
}
