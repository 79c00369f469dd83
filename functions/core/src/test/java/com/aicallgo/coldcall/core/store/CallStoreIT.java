package com.aicallgo.coldcall.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.store.CallState.Stage;
import com.aicallgo.coldcall.core.testing.TestRedis;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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

class CallStoreIT {
    static final int DB = 1;
    private final Instant now = Instant.parse("2025-11-15T10:30:00Z");
    private CallStore store;

    @BeforeEach
    void open() {
        TestRedis.flush(DB);
        store = CallStore.create(TestRedis.url(DB), false, Duration.ofSeconds(86_400));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void factsAreFirstWinsAndStateOnlyMovesForward() {
        store.record("v3:a", facts(Stage.ENDED, null, Instant.parse("2025-11-15T10:35:00Z")), now);
        CallState call = store.record("v3:a", facts(Stage.ACTIVE, Instant.parse("2025-11-15T10:31:00Z"),
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
        store.record("v3:abc", facts(Stage.INITIATED, null, null), now);
        long ttl = TestRedis.with(DB, redis -> redis.ttl("cold_call_status:{v3:abc}"));
        assertTrue(ttl > 86_000 && ttl <= 86_400, "ttl " + ttl);
    }

    @Test
    void aClaimIsExclusiveUntilSettledAndDoneIsFinal() {
        Deliverable log = Deliverable.CALL_LOG;
        assertInstanceOf(Claim.Claimed.class, store.claim("v3:a", log, now));
        assertInstanceOf(Claim.Busy.class, store.claim("v3:a", log, now.plusSeconds(1)));
        assertInstanceOf(Claim.Claimed.class, store.claim("v3:a", log, now.plus(CallStore.CLAIM_LEASE).plusSeconds(1)),
                "a lease that ran out can be taken over");
        store.finish("v3:b", log, (Claim.Claimed) store.claim("v3:b", log, now));
        assertInstanceOf(Claim.Done.class, store.claim("v3:b", log, now.plusSeconds(60)));
        assertEquals(CallState.Mark.DONE, store.read("v3:b").sending(log).mark());
        store.release("v3:c", log, (Claim.Claimed) store.claim("v3:c", log, now));
        assertInstanceOf(Claim.Claimed.class, store.claim("v3:c", log, now));
    }

    @Test
    void concurrentClaimsLetExactlyOneThrough() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Claim>> tasks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                tasks.add(() -> store.claim("v3:race", Deliverable.CALL_LOG, now));
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
        store.record("v3:ended", facts(Stage.ENDED, null, now), now);
        assertInstanceOf(RecordingClaim.CallEnded.class, store.claimRecording("v3:ended", now));
        RecordingClaim token = store.claimRecording("v3:r", now);
        assertInstanceOf(RecordingClaim.Claimed.class, token);
        assertInstanceOf(RecordingClaim.AlreadyStarted.class, store.claimRecording("v3:r", now.plusSeconds(1)));
        assertEquals(CallState.Recording.REQUESTING, store.read("v3:r").recording());
        store.settleRecording("v3:r", (RecordingClaim.Claimed) token, CallState.Recording.STARTED);
        assertInstanceOf(RecordingClaim.AlreadyStarted.class, store.claimRecording("v3:r", now.plusSeconds(2)));
        assertEquals(CallState.Recording.STARTED, store.read("v3:r").recording());
    }

    @Test
    void parkingARecordingNoticesAnAnswerThatCameMeanwhile() {
        RecordingClaim token = store.claimRecording("v3:p", now);
        assertTrue(store.parkRecording("v3:p", (RecordingClaim.Claimed) token));
        assertEquals(CallState.Recording.PENDING, store.read("v3:p").recording());
        RecordingClaim second = store.claimRecording("v3:q", now);
        store.record("v3:q", facts(Stage.ACTIVE, now, null), now);
        assertFalse(store.parkRecording("v3:q", (RecordingClaim.Claimed) second), "answered meanwhile: not parked");
    }

    @Test
    void redisDownIsA503NotAStackTraceAndComesBackByItself() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (CallStore offline = CallStore.create("redis://127.0.0.1:" + port, false, Duration.ofSeconds(60))) {
            StoreUnavailable e = assertThrows(StoreUnavailable.class, () -> offline.read("v3:x"));
            assertEquals(ErrorCode.STORE_UNAVAILABLE, e.code());
            Process redis = startRedis(port, false);
            try {
                waitFor(() -> {
                    offline.ping();
                    return true;
                });
                assertTrue(offline.read("v3:x").empty(), "the next call reconnects");
            } finally {
                redis.destroy();
            }
        }
    }

    @Test
    void theClusterClientWorksAgainstAOneNodeCluster() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process redis = startRedis(port, true);
        try {
            int p = port;
            waitFor(() -> new ProcessBuilder("redis-cli", "-p", Integer.toString(p), "cluster", "addslotsrange", "0", "16383")
                    .start().waitFor() == 0);
            waitFor(() -> new String(new ProcessBuilder("redis-cli", "-p", Integer.toString(p), "cluster", "info")
                    .start().getInputStream().readAllBytes()).contains("cluster_state:ok"));
            try (CallStore cluster = CallStore.create("redis://127.0.0.1:" + port, true, Duration.ofSeconds(60))) {
                CallState call = cluster.record("v3:cl", facts(Stage.ACTIVE, now, null), now);
                assertEquals(Stage.ACTIVE, call.facts().stage());
                assertInstanceOf(Claim.Claimed.class, cluster.claim("v3:cl", Deliverable.CALL_LOG, now));
                assertInstanceOf(Claim.Busy.class, cluster.claim("v3:cl", Deliverable.CALL_LOG, now));
                cluster.remember("v3:cl", "event-1", now);
                assertTrue(cluster.read("v3:cl").handled("event-1"));
            }
        } finally {
            redis.destroy();
        }
    }

    private static CallFacts facts(Stage stage, Instant answeredAt, Instant endedAt) {
        return new CallFacts(stage, null, null, null, null, null, null, answeredAt, endedAt, endedAt, null, null, null,
                null, null, null, null, null);
    }

    private static Process startRedis(int port, boolean cluster) throws IOException {
        Path dir = Files.createTempDirectory("redis-" + port);
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        if (cluster) {
            command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString()));
        }
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
    }

    private static void waitFor(Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plusSeconds(15);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met in 15 s", last);
    }
}
