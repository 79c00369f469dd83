package com.aicallgo.coldcall.core.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IsolationTest {
    private final Instant now = Instant.parse("2025-11-15T10:30:00Z");
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final JsonLog log = new JsonLog("test", new PrintStream(out, true, StandardCharsets.UTF_8));
    private final Map<String, Long> failures = new HashMap<>();
    private final Map<String, Instant> retries = new HashMap<>();
    private final List<String> deadLetters = new ArrayList<>();
    private final Isolation.Retries<String> policy = new Isolation.Retries<>("test entry", "trying later",
            entry -> failures.merge(entry, 1L, Long::sum), retries::put, (entry, record) -> deadLetters.add(record),
            log, clock);

    @Test
    void anEntryThatThrowsIsHandedOverWithItsReasonAndOneThatDoesNotIsAnswered() {
        assertEquals("ok", Isolation.handle("a", entry -> "ok", (entry, reason) -> "failed"));
        assertEquals("a: IllegalStateException: broken", Isolation.handle("a", entry -> {
            throw new IllegalStateException("broken");
        }, (entry, reason) -> entry + ": " + reason));
        assertEquals("NullPointerException", Isolation.handle("a", entry -> {
            throw new NullPointerException();
        }, (entry, reason) -> reason));
        assertThrows(Error.class, () -> Isolation.handle("a", entry -> {
            throw new Error("not ours to catch");
        }, (entry, reason) -> reason));
    }

    @Test
    void anEntryIsRetriedWithBackoffThenDeadLetteredOnItsFifthFailure() throws Exception {
        for (int attempt = 1; attempt < Isolation.POISON_ATTEMPTS; attempt++) {
            assertFalse(policy.failed("e", "v3:a", "call_log", "boom"));
            assertTrue(retries.get("e").isAfter(now), "retried later");
        }
        assertTrue(deadLetters.isEmpty());
        assertTrue(policy.failed("e", "v3:a", "call_log", "boom"));
        JsonNode letter = Json.mapper().readTree(deadLetters.getFirst());
        assertEquals(List.of("call_control_id", "record", "reason", "attempt", "dead_lettered_at"),
                iterate(letter.fieldNames()));
        assertEquals("v3:a", letter.get("call_control_id").asText());
        assertEquals("call_log", letter.get("record").asText());
        assertEquals("boom", letter.get("reason").asText());
        assertEquals(5, letter.get("attempt").asInt());
        assertEquals(now.toString(), letter.get("dead_lettered_at").asText());
        String lines = out.toString(StandardCharsets.UTF_8);
        assertTrue(lines.contains("test entry failed; trying later"), lines);
        assertTrue(lines.contains("test entry failed every attempt: it is in the dead-letter list"), lines);
        assertTrue(lines.contains("\"DeadLetters\":1"), lines);
    }

    private static List<String> iterate(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
