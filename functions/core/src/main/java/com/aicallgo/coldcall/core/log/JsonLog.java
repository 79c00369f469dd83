package com.aicallgo.coldcall.core.log;

import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes one JSON object per line to stdout (CloudWatch keeps each line as one event). Fields, not sentences;
 * callers never pass bodies, headers or secret-bearing values.
 */
public final class JsonLog {
    public static final String NAMESPACE = "ColdCallDialer";

    private final String function;
    private final PrintStream out;

    public JsonLog(String function, PrintStream out) {
        this.function = function;
        this.out = out;
    }

    public static JsonLog stdout(String function) {
        return new JsonLog(function, System.out);
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
     * {@code ColdCallDialer} namespace, dimension {@code function}, with no client library and no API call.
     */
    public void metric(String name, String unit, double value, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", Map.of(
                "Timestamp", System.currentTimeMillis(),
                "CloudWatchMetrics", java.util.List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", java.util.List.of(java.util.List.of("function")),
                        "Metrics", java.util.List.of(Map.of("Name", name, "Unit", unit))))));
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
