package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's verdict on the call-log promise: every call within 5,000 ms of its end, so p100 decides. */
class MetricsTest {
    @TempDir
    Path dir;

    private String reportOf(double... millis) throws Exception {
        List<String> lines = new ArrayList<>();
        for (double value : millis) {
            lines.add("{\"_aws\":{\"Timestamp\":1763202600000,\"CloudWatchMetrics\":[{\"Namespace\":\"ColdCallDialer\","
                    + "\"Dimensions\":[[\"Stage\"]],\"Metrics\":[{\"Name\":\"TimeToCallLogMs\",\"Unit\":\"Milliseconds\"}]}]},"
                    + "\"Stage\":\"dev\",\"TimeToCallLogMs\":" + value + "}");
        }
        Path file = dir.resolve("metrics.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return Metrics.report(file);
    }

    @Test
    void thePromiseIsKeptOnlyWhenTheSlowestCallLogIsUnder5Seconds() throws Exception {
        String kept = reportOf(300, 450, 4_999);
        assertTrue(kept.contains("TimeToCallLogMs        n=3 p50=450 ms p99=4999 ms p100=4999 ms"), kept);
        assertTrue(kept.contains("promise kept"), kept);

        // 99 fast calls and one slow one: p99 is fine, the promise is not
        double[] values = new double[100];
        java.util.Arrays.fill(values, 200);
        values[99] = 67_000;
        String broken = reportOf(values);
        assertTrue(broken.contains("p99=200 ms p100=67000 ms"), broken);
        assertTrue(broken.contains("PROMISE BROKEN: the slowest call log took 67000 ms"), broken);
        assertTrue(!broken.contains("promise kept"), broken);

        assertTrue(reportOf(5_000).contains("PROMISE BROKEN"), "5,000 ms is not under 5,000 ms");
    }
}
