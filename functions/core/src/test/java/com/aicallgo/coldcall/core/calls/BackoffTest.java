package com.aicallgo.coldcall.core.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The outbox's retry schedule and its jitter: no I/O. */
class BackoffTest {
    @ParameterizedTest(name = "attempt {0}: {1} to {2} ms")
    @CsvSource({
        "1, 5000, 10000",
        "2, 10000, 20000",
        "3, 20000, 40000",
        "6, 160000, 320000",
        "7, 320000, 640000",
        "8, 450000, 900000",
        "21, 450000, 900000",
        "64, 450000, 900000",
    })
    void doublesFromTenSecondsToFifteenMinutesEachCutByUpToHalf(int attempt, long low, long high) {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long millis = Delivery.backoff(attempt).toMillis();
            assertTrue(millis >= low && millis <= high, attempt + ": " + millis);
            seen.add(millis);
        }
        assertTrue(seen.size() > 100, "jittered, not fixed: " + seen.size() + " distinct of 200");
    }

    @Test
    void copiesRestoredFromOneSnapshotDrawDifferentJitterAfterTheirReseed() {
        // two containers restored from one snapshot start with the same generator state
        Jitter first = new Jitter(42);
        Jitter second = new Jitter(42);
        assertEquals(draws(first), draws(second), "without a reseed they would retry in step");
        first.reseed();
        second.reseed();
        assertNotEquals(draws(first), draws(second));
    }

    private static List<Long> draws(Jitter jitter) {
        return LongStream.range(0, 8).map(i -> jitter.below(1_000_000)).boxed().toList();
    }
}
