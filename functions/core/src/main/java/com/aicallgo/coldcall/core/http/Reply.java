package com.aicallgo.coldcall.core.http;

import java.util.Map;

/** A successful answer: status, a record to write as JSON, extra headers, and the outcome for the log line. */
public record Reply(int status, Object body, Map<String, String> headers, String outcome) {
    public static Reply ok(Object body, String outcome) {
        return new Reply(200, body, Map.of(), outcome);
    }

    public Reply withHeader(String name, String value) {
        var merged = new java.util.LinkedHashMap<>(headers);
        merged.put(name, value);
        return new Reply(status, body, Map.copyOf(merged), outcome);
    }
}
