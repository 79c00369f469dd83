package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.CallControlId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The schedules and the outbox keep the keys and members stored data already has. */
class ScheduleIT {
    static final int DB = 1;
    private final Instant now = Instant.parse("2025-11-15T10:30:00Z");
    private Redis redis;

    @BeforeEach
    void open() {
        TestRedis.flush(DB);
        redis = Redis.create(TestRedis.url(DB), false);
    }

    @AfterEach
    void close() {
        redis.close();
    }

    @Test
    void aRecordingCheckKeepsItsFirstTimeUntilMovedAndDropsItsFailures() {
        Schedule checks = Schedule.recordingChecks(redis);
        checks.add("v3:a", now);
        checks.add("v3:a", now.plusSeconds(60));
        assertEquals(now.toEpochMilli(), score("cold_call_recording_checks", "v3:a"), "a redelivery keeps the first");
        checks.move("v3:a", now.plusSeconds(60));
        assertEquals(List.of(), checks.due(now, 10));
        assertEquals(List.of("v3:a"), checks.due(null, 10));
        assertEquals(1, checks.countFailure("v3:a"));
        assertEquals(2, checks.countFailure("v3:a"));
        assertEquals("2", TestRedis.with(DB, r -> r.hget("cold_call_recording_check_failures", "v3:a")));
        checks.deadLetter("v3:a", "{\"record\":\"recording_check\"}");
        assertEquals(List.of("{\"record\":\"recording_check\"}"),
                TestRedis.with(DB, r -> r.lrange("cold_call_dead_letters", 0, -1)));
        assertEquals(List.of(), checks.due(null, 10));
        assertFalse(TestRedis.<Boolean>with(DB, r -> r.hexists("cold_call_recording_check_failures", "v3:a")));
    }

    @Test
    void aStaleCheckHasItsOwnKeyAndCountsNothing() {
        Schedule stale = Schedule.staleChecks(redis);
        stale.add("v3:s", now);
        assertEquals(now.toEpochMilli(), score("cold_call_stale_checks", "v3:s"));
        assertEquals(List.of(), Schedule.recordingChecks(redis).due(null, 10), "the two schedules are apart");
        assertThrows(NullPointerException.class, () -> stale.countFailure("v3:s"));
        stale.drop("v3:s");
        assertNull(TestRedis.with(DB, r -> r.zscore("cold_call_stale_checks", "v3:s")));
    }

    @Test
    void anOutboxEntryIsAJsonPairScoredByWhenItIsDue() {
        Calls calls = new Calls(redis, Duration.ofSeconds(86_400));
        Outbox outbox = new Outbox(redis, calls);
        assertTrue(outbox.enqueue(new CallControlId("v3:o"), Deliverable.CALL_LOG, null, "{}", now, now, Duration.ofDays(4)));
        assertEquals(now.toEpochMilli(), score("cold_call_outbox", "[\"v3:o\",\"call_log\"]"));
        assertEquals(CallState.Mark.QUEUED, calls.read(new CallControlId("v3:o")).sending(Deliverable.CALL_LOG).mark());
        OutboxEntry entry = new OutboxEntry(new CallControlId("v3:o"), Deliverable.CALL_LOG);
        assertEquals(List.of(entry), outbox.due(now, 10));
        assertEquals(1, outbox.countFailure(entry));
        outbox.deadLetter(entry, "{\"call_control_id\":\"v3:o\"}");
        assertEquals(new Backlog(0, 1), outbox.backlog());
        assertEquals(CallState.Mark.DEAD, calls.read(new CallControlId("v3:o")).sending(Deliverable.CALL_LOG).mark());
        assertFalse(TestRedis.<Boolean>with(DB, r -> r.hexists("cold_call_outbox_failures", "[\"v3:o\",\"call_log\"]")));
        assertFalse(outbox.enqueue(new CallControlId("v3:o"), Deliverable.CALL_LOG, null, null, now, now, Duration.ofDays(4)),
                "dead work is not queued again");
    }

    @Test
    void anUnreadableOutboxMemberIsDeadLetteredAsItIs() {
        TestRedis.with(DB, r -> r.zadd("cold_call_outbox", 1, "not json"));
        assertEquals(List.of(), new Outbox(redis, new Calls(redis, Duration.ofSeconds(60))).due(now, 10));
        assertEquals(List.of("{\"unreadable_outbox_member\":\"not json\"}"),
                TestRedis.with(DB, r -> r.lrange("cold_call_dead_letters", 0, -1)));
        assertEquals(0L, (long) TestRedis.<Long>with(DB, r -> r.zcard("cold_call_outbox")));
    }

    private long score(String key, String member) {
        return TestRedis.<Double>with(DB, r -> r.zscore(key, member)).longValue();
    }
}
