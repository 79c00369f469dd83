package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.CallControlId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.store.CallState.Stage;
import com.aicallgo.coldcall.core.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CallsIT {
    static final int DB = 1;
    private final Instant now = Instant.parse("2025-11-15T10:30:00Z");
    private Redis redis;
    private Calls store;

    @BeforeEach
    void open() {
        TestRedis.flush(DB);
        redis = Redis.create(TestRedis.url(DB), false);
        store = new Calls(redis, Duration.ofSeconds(86_400));
    }

    @AfterEach
    void close() {
        redis.close();
    }

    @Test
    void factsAreFirstWinsAndStateOnlyMovesForward() {
        store.record(new CallControlId("v3:a"), facts(Stage.ENDED, null, Instant.parse("2025-11-15T10:35:00Z")), now);
        CallState call = store.record(new CallControlId("v3:a"), facts(Stage.ACTIVE, Instant.parse("2025-11-15T10:31:00Z"),
                Instant.parse("2030-01-01T00:00:00Z")), now);
        assertEquals(Stage.ENDED, call.facts().stage(), "a late answer does not move the state back");
        assertEquals(Instant.parse("2025-11-15T10:35:00Z"), call.facts().endedAt(), "first value wins");
        assertEquals(Instant.parse("2025-11-15T10:31:00Z"), call.facts().answeredAt());
        assertEquals("v3:a", call.callControlId());
        Map<String, String> hash = TestRedis.with(DB, redis -> redis.hgetall("cold_call_status:{v3:a}"));
        assertEquals("ended", hash.get("state"), "the wire layout is the contract's");
        assertEquals("2025-11-15T10:35:00Z", hash.get("ended_at"));
        assertEquals(now.toString(), hash.get("updated_at"));
    }

    @Test
    void theKeyIsTheContractsWithTheCallAsHashTagAndHasTheTtl() {
        store.record(new CallControlId("v3:abc"), facts(Stage.INITIATED, null, null), now);
        long ttl = TestRedis.with(DB, redis -> redis.ttl("cold_call_status:{v3:abc}"));
        assertTrue(ttl > 86_000 && ttl <= 86_400, "ttl " + ttl);
    }

    @Test
    void aWriteNeverCutsTheLongerLifeQueuingGaveTheCall() {
        CallControlId call = new CallControlId("v3:kept");
        store.record(call, facts(Stage.ENDED, null, now), now);
        new Outbox(redis, store).enqueue(call, Deliverable.CALL_LOG, null, null, now.plusSeconds(10), now,
                Duration.ofHours(96));
        store.record(call, facts(Stage.ENDED, now, now), now);
        store.claim(call, Deliverable.CALL_LOG, now);
        store.claimRecording(call, now);
        long ttl = TestRedis.with(DB, redis -> redis.ttl("cold_call_status:{v3:kept}"));
        assertTrue(ttl > 95 * 3_600, "a later write kept the queued call's 96 h, ttl " + ttl);
    }

    @Test
    void keepOnlyLengthensAndAnswersWhetherTheCallHasStateLeft() {
        CallControlId call = new CallControlId("v3:up");
        store.record(call, facts(Stage.ACTIVE, now, null), now);
        assertTrue(store.keep(call, Duration.ofHours(30)));
        long ttl = TestRedis.with(DB, redis -> redis.ttl("cold_call_status:{v3:up}"));
        assertTrue(ttl > 29 * 3_600, "ttl " + ttl);
        assertTrue(store.keep(call, Duration.ofMinutes(1)));
        assertTrue(TestRedis.with(DB, redis -> redis.ttl("cold_call_status:{v3:up}")) > 29 * 3_600, "never shortened");
        assertFalse(store.keep(new CallControlId("v3:gone"), Duration.ofHours(1)), "no state: nothing is created");
        assertEquals(0L, (long) TestRedis.with(DB, redis -> redis.exists("cold_call_status:{v3:gone}")));
    }

    @Test
    void aClaimIsExclusiveUntilSettledAndDoneIsFinal() {
        Deliverable log = Deliverable.CALL_LOG;
        assertInstanceOf(Claim.Claimed.class, store.claim(new CallControlId("v3:a"), log, now));
        assertInstanceOf(Claim.Busy.class, store.claim(new CallControlId("v3:a"), log, now.plusSeconds(1)));
        assertInstanceOf(Claim.Claimed.class, store.claim(new CallControlId("v3:a"), log, now.plus(Calls.CLAIM_LEASE).plusSeconds(1)),
                "a lease that ran out can be taken over");
        store.finish(new CallControlId("v3:b"), log, (Claim.Claimed) store.claim(new CallControlId("v3:b"), log, now));
        assertInstanceOf(Claim.Done.class, store.claim(new CallControlId("v3:b"), log, now.plusSeconds(60)));
        assertEquals(CallState.Mark.DONE, store.read(new CallControlId("v3:b")).sending(log).mark());
        store.release(new CallControlId("v3:c"), log, (Claim.Claimed) store.claim(new CallControlId("v3:c"), log, now));
        assertInstanceOf(Claim.Claimed.class, store.claim(new CallControlId("v3:c"), log, now));
    }

    @Test
    void concurrentClaimsLetExactlyOneThrough() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Claim>> tasks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                tasks.add(() -> store.claim(new CallControlId("v3:race"), Deliverable.CALL_LOG, now));
            }
            long winners = 0;
            for (Future<Claim> result : pool.invokeAll(tasks)) {
                if (result.get() instanceof Claim.Claimed) {
                    winners++;
                }
            }
            assertEquals(1, winners);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void recordingClaimKnowsEndedAndStartedCalls() {
        store.record(new CallControlId("v3:ended"), facts(Stage.ENDED, null, now), now);
        assertInstanceOf(RecordingClaim.CallEnded.class, store.claimRecording(new CallControlId("v3:ended"), now));
        RecordingClaim token = store.claimRecording(new CallControlId("v3:r"), now);
        assertInstanceOf(RecordingClaim.Claimed.class, token);
        assertInstanceOf(RecordingClaim.AlreadyStarted.class, store.claimRecording(new CallControlId("v3:r"), now.plusSeconds(1)));
        assertEquals(CallState.Recording.REQUESTING, store.read(new CallControlId("v3:r")).recording());
        store.settleRecording(new CallControlId("v3:r"), (RecordingClaim.Claimed) token, CallState.Recording.STARTED);
        assertInstanceOf(RecordingClaim.AlreadyStarted.class, store.claimRecording(new CallControlId("v3:r"), now.plusSeconds(2)));
        assertEquals(CallState.Recording.STARTED, store.read(new CallControlId("v3:r")).recording());
    }

    @Test
    void parkingARecordingNoticesAnAnswerThatCameMeanwhile() {
        RecordingClaim token = store.claimRecording(new CallControlId("v3:p"), now);
        assertTrue(store.parkRecording(new CallControlId("v3:p"), (RecordingClaim.Claimed) token));
        assertEquals(CallState.Recording.PENDING, store.read(new CallControlId("v3:p")).recording());
        RecordingClaim second = store.claimRecording(new CallControlId("v3:q"), now);
        store.record(new CallControlId("v3:q"), facts(Stage.ACTIVE, now, null), now);
        assertFalse(store.parkRecording(new CallControlId("v3:q"), (RecordingClaim.Claimed) second), "answered meanwhile: not parked");
    }

    private static CallFacts facts(Stage stage, Instant answeredAt, Instant endedAt) {
        return new CallFacts(stage, null, null, null, null, null, null, answeredAt, endedAt, endedAt, null, null, null,
                null, null, null, null, null, null, null);
    }
}
