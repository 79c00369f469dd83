package com.aicallgo.coldcall.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.store.CallLimits.Admission;
import com.aicallgo.coldcall.core.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CallLimitsIT {
    static final int DB = 14;
    static final Instant T = Instant.parse("2025-11-15T10:30:00Z");

    private Redis redis;
    private CallLimits limits;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        redis = Redis.create(TestRedis.url(DB), false);
        limits = new CallLimits(redis);
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    private static CallLimits.Limits limits(int concurrent, int hourly, int minute) {
        return new CallLimits.Limits(concurrent, hourly, minute, Duration.ofHours(4));
    }

    private static CallControlId call(int n) {
        return new CallControlId("v3:limit-" + n);
    }

    @Test
    void aRepsConcurrentCallsAreBoundedAndAHangUpFreesASlot() {
        assertEquals(Admission.ADMITTED, limits.admit(call(1), "ana", limits(2, 100, 100), T));
        assertEquals(Admission.ADMITTED, limits.admit(call(2), "ana", limits(2, 100, 100), T));
        assertEquals(Admission.PER_REP_CONCURRENT, limits.admit(call(3), "ana", limits(2, 100, 100), T));
        // another rep has a bucket of their own
        assertEquals(Admission.ADMITTED, limits.admit(call(4), "ben", limits(2, 100, 100), T));
        limits.release(call(1), "ana");
        assertEquals(1, limits.active("ana", T));
        assertEquals(Admission.ADMITTED, limits.admit(call(5), "ana", limits(2, 100, 100), T.plusSeconds(1)));
    }

    @Test
    void theSameCallIsCountedOnceHoweverOftenItComes() {
        for (int i = 0; i < 5; i++) {
            assertEquals(Admission.ADMITTED, limits.admit(call(1), "ana", limits(1, 1, 1), T.plusSeconds(i)));
        }
        assertEquals(1, limits.active("ana", T));
        assertEquals(Admission.PER_REP_CONCURRENT, limits.admit(call(2), "ana", limits(1, 1, 1), T));
    }

    @Test
    void theHourlyCountSlidesAndTheMinuteCountIsOverall() {
        for (int i = 0; i < 3; i++) {
            assertEquals(Admission.ADMITTED, limits.admit(call(i), "ana", limits(10, 3, 100), T.plusSeconds(i)));
            limits.release(call(i), "ana");
        }
        assertEquals(Admission.PER_REP_HOURLY, limits.admit(call(9), "ana", limits(10, 3, 100), T.plusSeconds(60)));
        assertEquals(Admission.ADMITTED, limits.admit(call(9), "ana", limits(10, 3, 100), T.plusSeconds(3601)));

        assertEquals(Admission.ADMITTED, limits.admit(call(20), "ben", limits(10, 100, 2), T.plusSeconds(4000)));
        assertEquals(Admission.ADMITTED, limits.admit(call(21), "cy", limits(10, 100, 2), T.plusSeconds(4001)));
        assertEquals(Admission.OVERALL_PER_MINUTE, limits.admit(call(22), "dee", limits(10, 100, 2),
                T.plusSeconds(4002)));
        assertEquals(Admission.ADMITTED, limits.admit(call(22), "dee", limits(10, 100, 2), T.plusSeconds(4061)));
    }

    @Test
    void aSlotWhoseHangUpNeverCameLapses() {
        CallLimits.Limits shortCalls = new CallLimits.Limits(1, 100, 100, Duration.ofMinutes(5));
        assertEquals(Admission.ADMITTED, limits.admit(call(1), "ana", shortCalls, T));
        assertEquals(Admission.PER_REP_CONCURRENT, limits.admit(call(2), "ana", shortCalls, T.plusSeconds(299)));
        assertEquals(Admission.ADMITTED, limits.admit(call(2), "ana", shortCalls, T.plusSeconds(301)));
    }

    @Test
    void everyKeyHasATtlAndOneHashTag() {
        limits.admit(call(1), "ana", limits(2, 100, 100), T);
        for (String key : List.of(CallLimits.activeKey("ana"), CallLimits.hourlyKey("ana"), CallLimits.minuteKey())) {
            assertTrue(key.contains("{cold_call_gate}"), key);
            long ttl = TestRedis.with(DB, commands -> commands.pttl(key));
            assertTrue(ttl > 0, key + " ttl " + ttl);
        }
    }

    @Test
    void aBurstFromManyContainersAdmitsExactlyTheLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Admission>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                CallControlId id = call(100 + i);
                Callable<Admission> admit = () -> limits.admit(id, "ana", limits(5, 100, 100), T);
                answers.add(pool.submit(admit));
            }
            int admitted = 0;
            for (Future<Admission> answer : answers) {
                admitted += answer.get() == Admission.ADMITTED ? 1 : 0;
            }
            assertEquals(5, admitted);
        } finally {
            pool.shutdownNow();
        }
    }
}
