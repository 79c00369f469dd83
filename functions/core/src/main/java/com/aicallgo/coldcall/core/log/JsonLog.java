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

    private final String function;
    private final String functionName;
    private final PrintStream out;

    public JsonLog(String function, PrintStream out) {
        this(function, null, out);
    }

    /**
     * @param function the template's logical id ({@code OutboxDrainFunction}), the same in every stack
     * @param functionName the deployed function's name ({@code AWS_LAMBDA_FUNCTION_NAME}), or {@code null}
     */
    public JsonLog(String function, String functionName, PrintStream out) {
        this.function = function;
        this.functionName = functionName == null || functionName.isBlank() ? null : functionName;
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
     * {@code ColdCallDialer} namespace, dimension {@code function}, with no client library and no API call. On
     * Lambda the metric is also published with the dimension {@code function_name}, the deployed function's name,
     * which tells two stacks (dev and prod) in one account apart: their alarms use that one.
     */
    public void metric(String name, String unit, double value, Map<String, ?> fields) {
        List<List<String>> dimensions = functionName == null
                ? List.of(List.of("function"))
                : List.of(List.of("function"), List.of("function_name"));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", Map.of(
                "Timestamp", System.currentTimeMillis(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", dimensions,
                        "Metrics", List.of(Map.of("Name", name, "Unit", unit))))));
        line.put("function", function);
        if (functionName != null) {
            line.put("function_name", functionName);
        }
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
