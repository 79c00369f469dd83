package com.aicallgo.coldcall.core.log;

import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one JSON object per line to stdout (CloudWatch keeps each line as one event). Fields, not sentences;
 * callers never pass bodies, headers or secret-bearing values.
 */
public final class JsonLog {
    public static final String NAMESPACE = "ColdCallDialer";
    public static final String DIMENSION = "Stage";

    private final String function;
    private final String stage;
    private final PrintStream out;

    public JsonLog(String function, PrintStream out) {
        this(function, "dev", out);
    }

    /** {@code stage} is the metrics' one dimension, so the alarms of a dev and a prod stack never mix. */
    public JsonLog(String function, String stage, PrintStream out) {
        this.function = function;
        this.stage = stage;
        this.out = out;
    }

    public void info(String message, Map<String, ?> fields) {
        write("INFO", message, fields);
    }

    public void warn(String message, Map<String, ?> fields) {
        write("WARN", message, fields);
    }

    public void error(String message, Map<String, ?> fields) {
        write("ERROR", message, fields);
    }

    /**
     * Writes a CloudWatch Embedded Metric Format line: CloudWatch turns it into the metric {@code name} in the
     * {@code ColdCallDialer} namespace with the one dimension {@code Stage}, with no client library and no API call.
     * A metric is about the product's promises, not about which function kept them (a call log may be posted by
     * the webhook or by the outbox drain), so the function is a plain field of the line, not a dimension.
     */
    public void metric(String name, String unit, double value, Map<String, ?> fields) {
        metric(name, unit, value, Map.of(), fields);
    }

    /**
     * As {@link #metric(String, String, double, Map)}, with more dimensions beside {@code Stage} (each a field of
     * the line too): the metric is published per stage and per stage and these dimensions together.
     */
    public void metric(String name, String unit, double value, Map<String, String> dimensions, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        List<String> all = new java.util.ArrayList<>(List.of(DIMENSION));
        all.addAll(dimensions.keySet());
        line.put("_aws", Map.of(
                "Timestamp", System.currentTimeMillis(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", dimensions.isEmpty() ? List.of(List.of(DIMENSION)) : List.of(List.of(DIMENSION), all),
                        "Metrics", List.of(Map.of("Name", name, "Unit", unit))))));
        line.put(DIMENSION, stage);
        line.putAll(dimensions);
        line.put("function", function);
        line.put(name, value);
        line.putAll(fields);
        try {
            out.println(Json.mapper().writeValueAsString(line));
        } catch (JsonProcessingException e) {
            write("ERROR", "unwritable metric " + name, Map.of());
        }
    }

    public void write(String level, String message, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", Instant.now().toString());
        line.put("level", level);
        line.put("function", function);
        line.put("message", message);
        line.putAll(fields);
        String text;
        try {
            text = Json.mapper().writeValueAsString(line);
        } catch (JsonProcessingException e) {
            text = "{\"level\":\"ERROR\",\"function\":\"" + function + "\",\"message\":\"unloggable fields\"}";
        }
        out.println(text);
    }
}
