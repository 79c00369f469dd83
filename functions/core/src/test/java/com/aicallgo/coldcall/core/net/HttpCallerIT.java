package com.aicallgo.coldcall.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.HostilePeer;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HttpCallerIT {
    /** Whatever the peer does, the call is over by its deadline (connect + headers + body), not per read. */
    @ParameterizedTest
    @EnumSource(HostilePeer.Mode.class)
    void aHostilePeerCannotHoldACallPastItsDeadline(HostilePeer.Mode mode) throws IOException {
        try (HostilePeer peer = new HostilePeer(mode)) {
            HttpCaller http = new HttpCaller(Duration.ofMillis(500), Duration.ofMillis(800));
            long started = System.nanoTime();
            if (mode == HostilePeer.Mode.ENDLESS_BODY) {
                // the status came: the body is read up to the cap, and the connection dropped (never drained)
                HttpCaller.Response response = http.post(URI.create(peer.base() + "/api/v1/call-logs"),
                        Map.of("Content-Type", "application/json"), "{}".getBytes());
                assertEquals(201, response.status());
                assertTrue(response.body().length() <= HttpCaller.MAX_BODY);
            } else {
                assertThrows(IOException.class, () -> http.post(URI.create(peer.base() + "/api/v1/call-logs"),
                        Map.of("Content-Type", "application/json"), "{}".getBytes()));
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 1_300, mode + " held the call " + millis + " ms (limit 800 ms)");
        }
    }

    @ParameterizedTest
    @EnumSource(value = HostilePeer.Mode.class, names = {"SLOW_DRIP", "SILENT", "BLACK_HOLE"})
    void theInvocationsBudgetCutsACallsOwnLimit(HostilePeer.Mode mode) throws IOException {
        try (HostilePeer peer = new HostilePeer(mode)) {
            Budget budget = new Budget();
            HttpCaller http = new HttpCaller(budget, Duration.ofSeconds(2), Duration.ofSeconds(10));
            long started = System.nanoTime();
            budget.within(Deadline.in(Duration.ofMillis(600)), () -> assertThrows(HttpCaller.DeadlineExceeded.class,
                    () -> http.get(URI.create(peer.base() + "/v2/recordings"), Map.of())));
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 1_100, mode + " held the call " + millis + " ms (budget 600 ms)");
        }
    }

    @ParameterizedTest
    @EnumSource(value = HostilePeer.Mode.class, names = {"ENDLESS_BODY"})
    void noTimeLeftMeansNoCall(HostilePeer.Mode mode) throws IOException {
        try (HostilePeer peer = new HostilePeer(mode)) {
            Budget budget = new Budget();
            HttpCaller http = new HttpCaller(budget, Duration.ofSeconds(1), Duration.ofSeconds(1));
            budget.within(Deadline.in(Duration.ZERO), () -> assertThrows(HttpCaller.DeadlineExceeded.class,
                    () -> http.get(URI.create(peer.base() + "/x"), Map.of())));
            assertEquals(0, peer.requests());
        }
    }
}
