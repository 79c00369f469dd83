package com.aicallgo.coldcall.core.telnyx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookEventTest {
    @ParameterizedTest
    @CsvSource({
        "call.initiated, CALL_INITIATED",
        "call.answered, CALL_ANSWERED",
        "call.hangup, CALL_HANGUP",
        "call.recording.saved, RECORDING_SAVED",
        "call.recording.error, RECORDING_ERROR",
        "call.bridged, OTHER",
        "call.dtmf.received, OTHER",
        "CALL.HANGUP, OTHER",
    })
    void theEventTypeIsParsedOnce(String wire, WebhookEvent.Type type) {
        WebhookEvent event = WebhookEvent.parse(("{\"data\":{\"event_type\":\"" + wire + "\",\"id\":\"e-1\","
                + "\"occurred_at\":\"2025-11-15T10:30:00.123+00:00\",\"payload\":{}}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(type, event.type());
        assertEquals(wire, event.eventType());
        assertEquals(Instant.parse("2025-11-15T10:30:00.123Z"), event.occurredAt());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[]| body",
        "{}| data",
        "{\"data\":{\"id\":\"e\",\"occurred_at\":\"2025-11-15T10:30:00Z\",\"payload\":{}}}| data.event_type",
        "{\"data\":{\"event_type\":\"call.hangup\",\"occurred_at\":\"2025-11-15T10:30:00Z\",\"payload\":{}}}| data.id",
        "{\"data\":{\"event_type\":\"call.hangup\",\"id\":\"e\",\"occurred_at\":\"2025-11-15T10:30:00Z\"}}| data.payload",
        "{\"data\":{\"event_type\":\"call.hangup\",\"id\":\"e\",\"payload\":{}}}| data.occurred_at",
        "{\"data\":{\"event_type\":\"call.hangup\",\"id\":\"e\",\"occurred_at\":\"yesterday\",\"payload\":{}}}| data.occurred_at",
    })
    void aBodyThatIsNoEventNamesWhatIsWrong(String body, String field) {
        Failure e = assertThrows(Failure.class, () -> WebhookEvent.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertEquals(java.util.Set.of(field), e.fields().keySet());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"start_time\":\"soon\"| data.payload.start_time| is not an ISO-8601 time",
        "\"start_time\":12| data.payload.start_time| is not an ISO-8601 time",
        "\"end_time\":\"1999-12-31T23:59:59Z\"| data.payload.end_time| is outside 2000-01-01T00:00:00Z .. now + 1 day",
        "\"recording_started_at\":\"x\",\"start_time\":\"y\"| data.payload.start_time| is not an ISO-8601 time",
        "\"recording_ended_at\":\"2999-01-01T00:00:00Z\"| data.payload.recording_ended_at| is outside 2000-01-01T00:00:00Z .. now + 1 day",
    })
    void aPayloadTimeThatIsNoTimeIsNamed(String times, String field, String problem) {
        Failure e = assertThrows(Failure.class, () -> WebhookEvent.parse(("{\"data\":{\"event_type\":\"call.hangup\","
                + "\"id\":\"e\",\"occurred_at\":\"2025-11-15T10:30:00Z\",\"payload\":{" + times + "}}}")
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(java.util.Map.of(field, problem), e.fields());
    }

    @Test
    void payloadTimesAreParsedOnceIntoInstants() {
        WebhookEvent event = WebhookEvent.parse(("{\"data\":{\"event_type\":\"call.hangup\",\"id\":\"e\","
                + "\"occurred_at\":\"2025-11-15T10:30:00Z\",\"payload\":{\"start_time\":\"2025-11-15T10:29:00+01:00\","
                + "\"end_time\":\" \",\"recording_started_at\":\"2025-11-15T10:29:30.5Z\"}}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(Instant.parse("2025-11-15T09:29:00Z"), event.payload().startTime());
        assertEquals(null, event.payload().endTime());
        assertEquals(Instant.parse("2025-11-15T10:29:30.500Z"), event.payload().recordingStartedAt());
    }
}
