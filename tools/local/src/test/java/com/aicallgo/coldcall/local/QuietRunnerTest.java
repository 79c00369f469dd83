package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuietRunnerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void replayedEventIsMovedToNowKeepingItsDurations() throws Exception {
        Path root = Path.of("../..").toAbsolutePath().normalize();
        JsonNode event = JSON.readTree(root.resolve("events/call-status/call-hangup-completed.json").toFile());
        byte[] body = event.path("body").asText().getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.parse("2030-01-02T03:04:05Z");

        JsonNode data = JSON.readTree(DevKeys.restamp(body, now)).path("data");

        JsonNode original = JSON.readTree(body).path("data");
        assertEquals(now.toString(), data.path("occurred_at").asText());
        Duration talk = Duration.between(Instant.parse(original.path("payload").path("start_time").asText()),
                Instant.parse(original.path("payload").path("end_time").asText()));
        assertEquals(talk, Duration.between(Instant.parse(data.path("payload").path("start_time").asText()),
                Instant.parse(data.path("payload").path("end_time").asText())));
        assertEquals(original.path("id").asText(), data.path("id").asText(), "the event id is kept: a replay is a redelivery");
    }

    @Test
    void somethingThatIsNotATelnyxEventIsLeftAlone() throws Exception {
        byte[] body = "{\"call_control_id\":\"v3:x\"}".getBytes(StandardCharsets.UTF_8);
        assertSame(body, DevKeys.restamp(body, Instant.now()));
        byte[] notJson = "not json".getBytes(StandardCharsets.UTF_8);
        assertSame(notJson, DevKeys.restamp(notJson, Instant.now()));
    }

    @Test
    void anIdleDrainMovedNothingAndABusyOneDid() throws Exception {
        assertFalse(LocalRunner.moved(JSON.readTree("""
                {"outbox":{"posted":0,"already_posted":0,"requeued":0,"dead_lettered":0,"backlog":3,"dead_letters":2},
                 "recordings":{"checked":0,"captured":0,"waiting":4}}""")));
        assertTrue(LocalRunner.moved(JSON.readTree("{\"outbox\":{\"posted\":1,\"backlog\":0}}")));
        assertTrue(LocalRunner.moved(JSON.readTree("{\"recordings\":{\"checked\":2}}")));
    }

    @Test
    void metricLinesGoToTheFileNotTheConsoleUnlessVerbose() throws Exception {
        Path file = Files.createTempFile("metrics", ".jsonl");
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        try (java.io.PrintStream tee = Metrics.tee(new java.io.PrintStream(console, true, StandardCharsets.UTF_8), file, false)) {
            tee.println("{\"_aws\":{\"Timestamp\":1},\"OutboxBacklog\":0}");
            tee.println("{\"level\":\"INFO\"}");
            Metrics.hold();
            tee.println("{\"level\":\"INFO\",\"held\":true}");
            Metrics.release(false);
        }
        assertEquals("{\"level\":\"INFO\"}\n", console.toString(StandardCharsets.UTF_8));
        assertEquals("{\"_aws\":{\"Timestamp\":1},\"OutboxBacklog\":0}\n", Files.readString(file));
    }
}
