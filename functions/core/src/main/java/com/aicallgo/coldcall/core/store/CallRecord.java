package com.aicallgo.coldcall.core.store;

import java.time.Instant;
import java.util.Map;

/** What Redis holds about one call (the hash at {@code cold_call_status:{call_control_id}}). */
public record CallRecord(Map<String, String> fields) {
    public String get(String field) {
        return fields.get(field);
    }

    public Instant time(String field) {
        String value = fields.get(field);
        return value == null ? null : Instant.parse(value);
    }

    public boolean has(String field) {
        return fields.containsKey(field);
    }
}
