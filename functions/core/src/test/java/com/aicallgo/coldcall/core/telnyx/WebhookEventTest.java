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
}
