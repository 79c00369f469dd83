package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Once-only work to retry: a {@link Schedule} whose members are {@code [call_control_id, name]} as JSON, and the
 * dead-letter list ({@code cold_call_dead_letters}: records given up on, as JSON lines, for a person to look at).
 * The work's mark and payload stay on the call's hash ({@link Calls}).
 */
public final class Outbox {
    /** Records the outbox (or a recording check) gave up on. */
    public static final String DEAD_LETTERS = "cold_call_dead_letters";

    private final Redis redis;
    private final Calls calls;
    private final Schedule schedule;

    public Outbox(Redis redis, Calls calls) {
        this.redis = redis;
        this.calls = calls;
        this.schedule = Schedule.outbox(redis);
    }

    /**
     * Puts once-only work in the outbox: marks it queued on the call (keeping {@code payload} when given), keeps the
     * call's hash at least {@code keep} long, and schedules it at {@code due}. Marks and schedules in two steps (the
     * outbox is one key for all calls, so on a cluster it cannot share a script with the call); a queued mark
     * without a schedule is found again by the next delivery of the same webhook.
     *
     * @param claim the caller's claim, or {@code null} to queue work nobody has claimed (a deferred call log)
     * @return {@code false} when the work was done meanwhile
     */
    public boolean enqueue(CallControlId callControlId, Deliverable deliverable, Claim.Claimed claim, String payload,
            Instant due, Instant now, Duration keep) {
        if (!calls.queue(callControlId, deliverable, claim, payload, now, keep)) {
            return false;
        }
        schedule(new OutboxEntry(callControlId, deliverable), due);
        return true;
    }

    /** (Re)schedules an outbox entry. */
    public void schedule(OutboxEntry entry, Instant due) {
        schedule.move(member(entry), due);
    }

    /** Whether the outbox holds {@code entry}: not yet delivered nor given up. */
    public boolean holds(OutboxEntry entry) {
        return schedule.has(member(entry));
    }

    /** Removes an outbox entry (done, or given up). */
    public void unschedule(OutboxEntry entry) {
        schedule.drop(member(entry));
    }

    /** Counts one more time handling {@code entry} threw; returns the count. */
    public long countFailure(OutboxEntry entry) {
        return schedule.countFailure(member(entry));
    }

    /**
     * Up to {@code limit} outbox entries due by {@code now} (all when {@code null}). A member we cannot read was not
     * written by us: it moves to the dead-letter list as it is, so it cannot block the outbox.
     */
    public List<OutboxEntry> due(Instant now, int limit) {
        List<OutboxEntry> entries = new ArrayList<>();
        for (String member : schedule.due(now, limit)) {
            OutboxEntry entry = entry(member);
            if (entry == null) {
                schedule.deadLetter(member, "{\"unreadable_outbox_member\":" + quote(member) + "}");
            } else {
                entries.add(entry);
            }
        }
        return entries;
    }

    public Backlog backlog() {
        return new Backlog(schedule.size(), redis.run(commands -> commands.llen(DEAD_LETTERS)));
    }

    /** Gives up on an entry: keeps {@code record} in the dead-letter list and marks the work dead. */
    public void deadLetter(OutboxEntry entry, String record) {
        addDeadLetter(redis, record);
        calls.markDead(entry.callControlId(), entry.deliverable());
        unschedule(entry);
    }

    static void addDeadLetter(Redis redis, String record) {
        redis.run(commands -> commands.rpush(DEAD_LETTERS, record));
    }

    private static String member(OutboxEntry entry) {
        return "[" + quote(entry.callControlId().value()) + "," + quote(entry.deliverable().field()) + "]";
    }

    private static OutboxEntry entry(String member) {
        try {
            String[] parts = Json.mapper().readValue(member, String[].class);
            CallControlId callControlId = parts.length == 2 ? CallControlId.parse(parts[0]) : null;
            Deliverable deliverable = callControlId == null ? null : Deliverable.parse(parts[1]);
            return deliverable == null ? null : new OutboxEntry(callControlId, deliverable);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String quote(String text) {
        try {
            return Json.mapper().writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
