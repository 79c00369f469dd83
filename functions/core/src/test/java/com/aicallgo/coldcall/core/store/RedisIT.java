package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.CallControlId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.store.CallState.Stage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class RedisIT {
    private final Instant now = Instant.parse("2025-11-15T10:30:00Z");

    @Test
    void redisDownIsA503NotAStackTraceAndComesBackByItself() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (Redis offline = Redis.create("redis://127.0.0.1:" + port, false)) {
            Calls calls = new Calls(offline, Duration.ofSeconds(60));
            StoreUnavailable e = assertThrows(StoreUnavailable.class, () -> calls.read(new CallControlId("v3:x")));
            assertEquals(ErrorCode.STORE_UNAVAILABLE, e.code());
            Process redis = startRedis(port, false);
            try {
                waitFor(() -> {
                    offline.ping();
                    return true;
                });
                assertTrue(calls.read(new CallControlId("v3:x")).empty(), "the next call reconnects");
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
            try (Redis clustered = Redis.create("redis://127.0.0.1:" + port, true)) {
                Calls cluster = new Calls(clustered, Duration.ofSeconds(60));
                CallState call = cluster.record(new CallControlId("v3:cl"), facts(Stage.ACTIVE, now, null), now);
                assertEquals(Stage.ACTIVE, call.facts().stage());
                assertInstanceOf(Claim.Claimed.class, cluster.claim(new CallControlId("v3:cl"), Deliverable.CALL_LOG, now));
                assertInstanceOf(Claim.Busy.class, cluster.claim(new CallControlId("v3:cl"), Deliverable.CALL_LOG, now));
                cluster.remember(new CallControlId("v3:cl"), "event-1", now);
                assertTrue(cluster.read(new CallControlId("v3:cl")).handled("event-1"));
            }
        } finally {
            redis.destroy();
        }
    }

    private static CallFacts facts(Stage stage, Instant answeredAt, Instant endedAt) {
        return new CallFacts(stage, null, null, null, null, null, null, answeredAt, endedAt, endedAt, null, null, null,
                null, null, null, null, null, null, null);
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
