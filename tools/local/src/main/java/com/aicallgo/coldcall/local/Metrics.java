package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.core.calls.CallQuality;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The runner's stand-in for CloudWatch: every Embedded Metric Format line a function writes is also appended to a
 * file, and {@code report} turns that file into the figures the alarms of {@code template.yaml} watch, so the
 * promises can be seen without AWS.
 */
final class Metrics {
    /** Where the runner keeps what it has seen, beside the build output (gitignored). */
    static final Path DEFAULT_FILE = Path.of("target", "local", "metrics.jsonl");
    static final long CALL_LOG_PROMISE_MS = 5_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:00'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Metrics() {
    }

    /**
     * A stream that writes every line to {@code target} and keeps each metric line in {@code file}; metric lines
     * reach {@code target} too only when {@code echoMetrics} (the runner's {@code --verbose}).
     */
    static PrintStream tee(PrintStream target, Path file, boolean echoMetrics) {
        return new PrintStream(new Tee(target, file, echoMetrics), true, StandardCharsets.UTF_8);
    }

    static PrintStream tee(PrintStream target, Path file) {
        return tee(target, file, true);
    }

    /**
     * From now on, what this thread writes through a {@link #tee} is held back until {@link #release}: the
     * scheduled drain's lines are shown only when the drain moved something.
     */
    static void hold() {
        Tee.HELD.set(new ArrayList<>());
    }

    /** Ends {@link #hold}: writes the held lines to the console when {@code show}, else drops them. */
    static void release(boolean show) {
        List<Runnable> held = Tee.HELD.get();
        Tee.HELD.remove();
        if (show && held != null) {
            held.forEach(Runnable::run);
        }
    }

    /** The report of everything in {@code file}. */
    static String report(Path file) throws IOException {
        Map<String, List<Double>> values = new TreeMap<>();
        Map<String, List<Double>> captureByHour = new TreeMap<>();
        Map<String, List<Double>> captureByDay = new TreeMap<>();
        Map<String, List<Double>> mosByHour = new TreeMap<>();
        int lines = 0;
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    continue; // a line cut short by a stopped runner
                }
                Instant at = Instant.ofEpochMilli(node.path("_aws").path("Timestamp").asLong(0));
                for (JsonNode directive : node.path("_aws").path("CloudWatchMetrics")) {
                    for (JsonNode metric : directive.path("Metrics")) {
                        String name = metric.path("Name").asText();
                        if (!node.path(name).isNumber()) {
                            continue;
                        }
                        double value = node.path(name).asDouble();
                        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                        if (name.equals("RecordingCaptureRate")) {
                            captureByHour.computeIfAbsent(HOUR.format(at), k -> new ArrayList<>()).add(value);
                            captureByDay.computeIfAbsent(DAY.format(at), k -> new ArrayList<>()).add(value);
                        }
                        if (name.equals(CallQuality.MOS)) {
                            mosByHour.computeIfAbsent(HOUR.format(at), k -> new ArrayList<>()).add(value);
                        }
                        lines++;
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("metrics seen by the local runner: ").append(lines).append(" (").append(file).append(")\n");
        List<Double> callLog = values.getOrDefault("TimeToCallLogMs", List.of());
        out.append(callLogLatency(callLog));
        out.append(latency("TimeToRecordingPostMs", values.getOrDefault("TimeToRecordingPostMs", List.of())));
        out.append(rates("RecordingCaptureRate per hour", captureByHour));
        out.append(rates("RecordingCaptureRate per day", captureByDay));
        for (String count : List.of("RecordingsBackfilled", "RecordingsMissing", "RecordingsFailed", "DeadLetters")) {
            out.append(String.format(Locale.ROOT, "%-22s %d%n", count,
                    Math.round(values.getOrDefault(count, List.of()).stream().mapToDouble(Double::doubleValue).sum())));
        }
        List<Double> backlog = values.getOrDefault("OutboxBacklog", List.of());
        out.append(String.format(Locale.ROOT, "%-22s %s%n", "OutboxBacklog (last)",
                backlog.isEmpty() ? "-" : Long.toString(Math.round(backlog.get(backlog.size() - 1)))));
        out.append(quality(values, mosByHour));
        return out.toString();
    }

    /** Telnyx's per-call audio figures, and the hourly 10th-percentile MOS the CallQuality alarm watches. */
    private static String quality(Map<String, List<Double>> values, Map<String, List<Double>> mosByHour) {
        StringBuilder out = new StringBuilder("Call quality (Telnyx, per answered call):\n");
        for (String name : List.of(CallQuality.MOS, CallQuality.INBOUND_LOSS, CallQuality.OUTBOUND_LOSS,
                CallQuality.JITTER)) {
            List<Double> figures = values.getOrDefault(name, List.of());
            out.append(figures.isEmpty() ? String.format(Locale.ROOT, "  %-30s none yet%n", name)
                    : String.format(Locale.ROOT, "  %-30s n=%d p10=%.2f p50=%.2f p90=%.2f min=%.2f max=%.2f%n", name,
                            figures.size(), percentile(figures, 10), percentile(figures, 50), percentile(figures, 90),
                            Collections.min(figures), Collections.max(figures)));
        }
        mosByHour.forEach((hour, figures) -> {
            double p10 = percentile(figures, 10);
            out.append(String.format(Locale.ROOT, "  %-18s MOS p10 %.2f (%d calls)%s%n", hour, p10, figures.size(),
                    p10 < CallQuality.MOS_ACCEPTABLE
                            ? String.format(Locale.ROOT, "  BELOW %.1f (the CallQuality alarm would fire)", CallQuality.MOS_ACCEPTABLE)
                            : ""));
        });
        return out.toString();
    }

    /**
     * {@code TimeToCallLogMs} (from the call's end to the Web Backend's 2xx): p50, p99 and p100 (the slowest), and
     * whether every call was logged within {@link #CALL_LOG_PROMISE_MS}: the promise is kept only when the slowest is.
     */
    static String callLogLatency(List<Double> values) {
        if (values.isEmpty()) {
            return String.format(Locale.ROOT, "%-22s none yet%n", "TimeToCallLogMs");
        }
        double max = Collections.max(values);
        return String.format(Locale.ROOT, "%-22s n=%d p50=%.0f ms p99=%.0f ms p100=%.0f ms%n", "TimeToCallLogMs",
                values.size(), percentile(values, 50), percentile(values, 99), max)
                + (max < CALL_LOG_PROMISE_MS
                        ? "  promise kept: every call logged within 5,000 ms of its end (p100)\n"
                        : String.format(Locale.ROOT, "  PROMISE BROKEN: the slowest call log took %.0f ms (p100 must"
                                + " be under 5,000 ms of the call's end)%n", max));
    }

    private static String latency(String name, List<Double> values) {
        if (values.isEmpty()) {
            return String.format(Locale.ROOT, "%-22s none yet%n", name);
        }
        return String.format(Locale.ROOT, "%-22s n=%d p50=%.0f ms p99=%.0f ms max=%.0f ms%n", name, values.size(),
                percentile(values, 50), percentile(values, 99), Collections.max(values));
    }

    private static String rates(String title, Map<String, List<Double>> periods) {
        if (periods.isEmpty()) {
            return String.format(Locale.ROOT, "%s: no answered call settled yet%n", title);
        }
        StringBuilder out = new StringBuilder(title).append(":\n");
        periods.forEach((period, values) -> {
            long captured = values.stream().filter(v -> v >= 100).count();
            double rate = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            out.append(String.format(Locale.ROOT, "  %-18s %5.1f%% (%d of %d answered calls)%s%n", period, rate,
                    captured, values.size(), rate < 100 ? "  below 100%" : ""));
        });
        return out.toString();
    }

    /** Nearest-rank percentile. */
    static double percentile(List<Double> values, int percent) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /** Forwards whole lines; keeps the metric documents among them in the file. */
    private static final class Tee extends OutputStream {
        private static final byte[] MARK = "{\"_aws\"".getBytes(StandardCharsets.UTF_8);
        static final ThreadLocal<List<Runnable>> HELD = new ThreadLocal<>();
        private final PrintStream target;
        private final Path file;
        private final boolean echoMetrics;
        private final ThreadLocal<ByteArrayOutputStream> line = ThreadLocal.withInitial(ByteArrayOutputStream::new);

        Tee(PrintStream target, Path file, boolean echoMetrics) {
            this.target = target;
            this.file = file;
            this.echoMetrics = echoMetrics;
        }

        @Override
        public void write(int b) {
            collect(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                collect(bytes[i]);
            }
        }

        private void collect(int b) {
            ByteArrayOutputStream current = line.get();
            current.write(b);
            if (b == '\n') {
                byte[] bytes = current.toByteArray();
                current.reset();
                emit(bytes);
            }
        }

        @Override
        public void flush() {
            ByteArrayOutputStream current = line.get();
            if (current.size() > 0 && HELD.get() == null) {
                byte[] bytes = current.toByteArray();
                current.reset();
                forward(bytes);
            }
            target.flush();
        }

        private void emit(byte[] bytes) {
            boolean metric = bytes.length >= MARK.length && java.util.Arrays.equals(bytes, 0, MARK.length, MARK, 0, MARK.length);
            if (metric) {
                keep(bytes);
                if (!echoMetrics) {
                    return;
                }
            }
            List<Runnable> held = HELD.get();
            if (held != null) {
                held.add(() -> forward(bytes));
            } else {
                forward(bytes);
            }
        }

        private void forward(byte[] bytes) {
            synchronized (target) {
                target.write(bytes, 0, bytes.length);
                target.flush();
            }
        }

        private synchronized void keep(byte[] bytes) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep a metric line in " + file, e);
            }
        }
    }
}
