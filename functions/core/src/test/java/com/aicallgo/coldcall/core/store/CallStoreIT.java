package com.aicallgo.coldcall.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.http.ErrorCode;
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
        store.apply("v3:a", "ended", Map.of("ended_at", "2025-11-15T10:35:00Z"), Map.of(), now);
        CallRecord call = store.apply("v3:a", "active", Map.of("ended_at", "2030-01-01T00:00:00Z",
                "answered_at", "2025-11-15T10:31:00Z"), Map.of(), now);
        assertEquals("ended", call.get("state"), "a late answer does not move the state back");
        assertEquals("2025-11-15T10:35:00Z", call.get("ended_at"), "first value wins");
        assertEquals("2025-11-15T10:31:00Z", call.get("answered_at"));
        assertEquals("v3:a", call.get("call_control_id"));
        assertEquals(now.toString(), call.get("updated_at"));
    }

    @Test
    void theKeyIsTheContractsWithTheCallAsHashTagAndHasTheTtl() {
        store.apply("v3:abc", "initiated", Map.of(), Map.of(), now);
        long ttl = TestRedis.with(DB, redis -> redis.ttl("cold_call_status:{v3:abc}"));
        assertTrue(ttl > 86_000 && ttl <= 86_400, "ttl " + ttl);
    }

    @Test
    void aClaimIsExclusiveUntilSettledAndDoneIsFinal() {
        String token = store.claim("v3:a", "call_log", now);
        assertEquals(Claim.CLAIMED, CallStore.claimOf(token));
        assertEquals(Claim.BUSY, CallStore.claimOf(store.claim("v3:a", "call_log", now.plusSeconds(1))));
        assertEquals(Claim.CLAIMED, CallStore.claimOf(store.claim("v3:a", "call_log", now.plus(CallStore.CLAIM_LEASE).plusSeconds(1))),
                "a lease that ran out can be taken over");
        String mine = store.claim("v3:b", "call_log", now);
        store.settle("v3:b", "call_log", mine, "done");
        assertEquals(Claim.DONE, CallStore.claimOf(store.claim("v3:b", "call_log", now.plusSeconds(60))));
        String released = store.claim("v3:c", "call_log", now);
        store.settle("v3:c", "call_log", released, null);
        assertEquals(Claim.CLAIMED, CallStore.claimOf(store.claim("v3:c", "call_log", now)));
    }

    @Test
    void concurrentClaimsLetExactlyOneThrough() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                tasks.add(() -> store.claim("v3:race", "call_log", now));
            }
            long winners = 0;
            for (Future<String> result : pool.invokeAll(tasks)) {
                if (CallStore.claimOf(result.get()) == Claim.CLAIMED) {
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
        store.apply("v3:ended", "ended", Map.of("ended_at", now.toString()), Map.of(), now);
        assertEquals("ended", store.claimRecording("v3:ended", now));
        String token = store.claimRecording("v3:r", now);
        assertTrue(token.startsWith("requesting:"));
        assertEquals("requesting", store.claimRecording("v3:r", now.plusSeconds(1)));
        store.settle("v3:r", "recording_state", token, "started");
        assertEquals("started", store.claimRecording("v3:r", now.plusSeconds(2)));
    }

    @Test
    void parkingARecordingNoticesAnAnswerThatCameMeanwhile() {
        String token = store.claimRecording("v3:p", now);
        assertEquals("pending", store.parkRecording("v3:p", token));
        assertEquals("pending", store.read("v3:p").get("recording_state"));
        String second = store.claimRecording("v3:q", now);
        store.apply("v3:q", "active", Map.of("answered_at", now.toString()), Map.of(), now);
        assertEquals("answered", store.parkRecording("v3:q", second));
    }

    @Test
    void redisDownIsA503NotAStackTraceAndComesBackByItself() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (CallStore offline = CallStore.create("redis://127.0.0.1:" + port, false, Duration.ofSeconds(60))) {
            ApiException e = assertThrows(ApiException.class, () -> offline.read("v3:x"));
            assertEquals(ErrorCode.STORE_UNAVAILABLE, e.code());
            Process redis = startRedis(port, false);
            try {
                waitFor(() -> {
                    offline.ping();
                    return true;
                });
                assertEquals(Map.of(), offline.read("v3:x").fields(), "the next call reconnects");
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
                CallRecord call = cluster.apply("v3:cl", "active", Map.of("answered_at", now.toString()), Map.of(), now);
                assertEquals("active", call.get("state"));
                assertEquals(Claim.CLAIMED, CallStore.claimOf(cluster.claim("v3:cl", "call_log", now)));
                assertEquals(Claim.BUSY, CallStore.claimOf(cluster.claim("v3:cl", "call_log", now)));
                cluster.remember("v3:cl", "event-1", now);
                assertTrue(cluster.read("v3:cl").has("event:event-1"));
            }
        } finally {
            redis.destroy();
        }
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
