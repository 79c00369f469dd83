package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.CallControlId;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.time.Instant;

/**
 * The call gate's counters in Redis (docs/contracts.md "Redis"): per rep, the calls up now and the calls of the last
 * hour; overall, the calls of the last minute. Each is a sorted set of call control ids, so an admission is counted
 * once per call however often its {@code call.initiated} comes, and every entry ages out by its score (and the key by
 * its TTL) even when a hang-up never comes. One script per admission; every key carries the hash tag
 * {@code {cold_call_gate}}, so the script touches one slot on a cluster.
 */
public final class CallLimits {
    /** What an admission answered: admitted, or the limit that refused it. */
    public enum Admission {
        ADMITTED, PER_REP_CONCURRENT, PER_REP_HOURLY, OVERALL_PER_MINUTE
    }

    /** The limits one admission checks. */
    public record Limits(int concurrentPerRep, int perRepPerHour, int perMinute, Duration longestCall) {
    }

    private static final long HOUR_MS = Duration.ofHours(1).toMillis();
    private static final long MINUTE_MS = Duration.ofMinutes(1).toMillis();

    /**
     * KEYS: active, hourly, minute. ARGV: call control id, now ms, concurrent, hourly, per minute, longest call ms.
     * Active scores are when the slot lapses; hourly and minute scores are when the call was admitted.
     */
    static final String ADMIT = """
            local id, now = ARGV[1], tonumber(ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - %d)
            redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - %d)
            if redis.call('ZSCORE', KEYS[2], id) then return 'admitted' end
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 'per_rep_concurrent' end
            if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 'per_rep_hourly' end
            if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return 'overall_per_minute' end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[6]), id)
            redis.call('ZADD', KEYS[2], now, id)
            redis.call('ZADD', KEYS[3], now, id)
            redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]))
            redis.call('PEXPIRE', KEYS[2], %d)
            redis.call('PEXPIRE', KEYS[3], %d)
            return 'admitted'
            """.formatted(HOUR_MS, MINUTE_MS, HOUR_MS, MINUTE_MS);

    private final Redis redis;

    public CallLimits(Redis redis) {
        this.redis = redis;
    }

    /** Counts the call against {@code rep}'s and the overall limits, unless one is reached; once per call. */
    public Admission admit(CallControlId call, String rep, Limits limits, Instant now) {
        String answer = redis.run(commands -> commands.eval(ADMIT, ScriptOutputType.VALUE,
                new String[] {activeKey(rep), hourlyKey(rep), minuteKey()}, call.value(),
                Long.toString(now.toEpochMilli()), Integer.toString(limits.concurrentPerRep()),
                Integer.toString(limits.perRepPerHour()), Integer.toString(limits.perMinute()),
                Long.toString(limits.longestCall().toMillis())));
        return switch (answer) {
            case "per_rep_concurrent" -> Admission.PER_REP_CONCURRENT;
            case "per_rep_hourly" -> Admission.PER_REP_HOURLY;
            case "overall_per_minute" -> Admission.OVERALL_PER_MINUTE;
            default -> Admission.ADMITTED;
        };
    }

    /** Frees the call's concurrency slot (it has ended); its place in the hourly and minute counts stays. */
    public void release(CallControlId call, String rep) {
        redis.run(commands -> commands.zrem(activeKey(rep), call.value()));
    }

    /** How many calls of {@code rep} hold a slot now (tests, operations). */
    public long active(String rep, Instant now) {
        return redis.run(commands -> commands.zcount(activeKey(rep),
                io.lettuce.core.Range.create((double) now.toEpochMilli(), Double.POSITIVE_INFINITY)));
    }

    static String activeKey(String rep) {
        return "cold_call_active:{cold_call_gate}:" + rep;
    }

    static String hourlyKey(String rep) {
        return "cold_call_hourly:{cold_call_gate}:" + rep;
    }

    static String minuteKey() {
        return "cold_call_minute:{cold_call_gate}";
    }
}
