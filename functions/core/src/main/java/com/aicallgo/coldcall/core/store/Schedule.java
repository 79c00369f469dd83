package com.aicallgo.coldcall.core.store;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ZAddArgs;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Work due at a time: a sorted set of members scored by when they are due (epoch ms), with, where an attempt can
 * fail, a hash counting each member's failures (cleared when the member leaves). One key for all calls, so on a
 * cluster it never shares a script with a call's hash.
 */
public final class Schedule {
    private final Redis redis;
    private final String key;
    private final String failures;

    private Schedule(Redis redis, String key, String failures) {
        this.redis = redis;
        this.key = key;
        this.failures = failures;
    }

    /** Answered calls whose recording is to be checked, by call control id; a check that throws is counted. */
    public static Schedule recordingChecks(Redis redis) {
        return new Schedule(redis, "cold_call_recording_checks", "cold_call_recording_check_failures");
    }

    /** Calls to ask Telnyx about if their hang-up has not come by then, by call control id. */
    public static Schedule staleChecks(Redis redis) {
        return new Schedule(redis, "cold_call_stale_checks", null);
    }

    /** The outbox's members ({@link Outbox}); an entry that throws is counted. */
    static Schedule outbox(Redis redis) {
        return new Schedule(redis, "cold_call_outbox", "cold_call_outbox_failures");
    }

    /** Schedules {@code member} unless it is scheduled already (a redelivery keeps the first time). */
    public void add(String member, Instant due) {
        redis.run(commands -> commands.zadd(key, ZAddArgs.Builder.nx(), (double) due.toEpochMilli(), member));
    }

    /** Schedules {@code member} at {@code due}, whether or not it was scheduled. */
    public void move(String member, Instant due) {
        redis.run(commands -> commands.zadd(key, (double) due.toEpochMilli(), member));
    }

    /** Whether {@code member} is scheduled (due or not). */
    public boolean has(String member) {
        return redis.run(commands -> commands.zscore(key, member)) != null;
    }

    /** {@code member} needs no more doing (done, or given up); its failure count goes with it. */
    public void drop(String member) {
        redis.run(commands -> commands.zrem(key, member));
        if (failures != null) {
            redis.run(commands -> commands.hdel(failures, member));
        }
    }

    /** Up to {@code limit} members due by {@code upTo} (all when {@code null}), soonest first. */
    public List<String> due(Instant upTo, int limit) {
        double score = upTo == null ? Double.POSITIVE_INFINITY : (double) upTo.toEpochMilli();
        return redis.run(commands -> commands.zrangebyscore(key, Range.create(Double.NEGATIVE_INFINITY, score),
                Limit.create(0, limit)));
    }

    /** Counts one more time handling {@code member} threw; returns the count. */
    public long countFailure(String member) {
        String counts = Objects.requireNonNull(failures, () -> key + " does not count failures");
        return redis.run(commands -> commands.hincrby(counts, member, 1));
    }

    /** Gives up on {@code member}: keeps {@code record} in the dead-letter list and drops the member. */
    public void deadLetter(String member, String record) {
        Outbox.addDeadLetter(redis, record);
        drop(member);
    }

    long size() {
        return redis.run(commands -> commands.zcard(key));
    }
}
