package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sweep's entry that threw on every attempt, as kept in the dead-letter list for a person to look at (one JSON
 * line; docs/operations.md).
 *
 * @param record what was given up on: an outbox entry's record ({@code call_log}, {@code recording:<id>}) or
 *     {@code recording_check}
 */
record DeadLetter(String callControlId, String record, String reason, long attempt, Instant deadLetteredAt) {
    /** What the log lines about it say (all but when it was given up). */
    Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", callControlId);
        fields.put("record", record);
        fields.put("reason", reason);
        fields.put("attempt", attempt);
        return fields;
    }

    String json() {
        Map<String, Object> line = fields();
        line.put("dead_lettered_at", deadLetteredAt.toString());
        try {
            return Json.mapper().writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a dead letter", e);
        }
    }
}
