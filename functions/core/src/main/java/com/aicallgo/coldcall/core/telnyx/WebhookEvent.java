package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A Telnyx webhook (API v2): {@code {"data": {"event_type", "id", "occurred_at", "payload"}, "meta": {...}}}.
 * Parsed leniently (Telnyx adds fields; a number where we expect text is taken as text); only what we use is
 * required.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WebhookEvent(Data data) {
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Data(String recordType, String eventType, String id, String occurredAt, Payload payload) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Payload(
            String callControlId,
            String callLegId,
            String callSessionId,
            String connectionId,
            String from,
            String to,
            String direction,
            String state,
            String hangupCause,
            String hangupSource,
            String sipHangupCause,
            String startTime,
            String endTime,
            String recordingId,
            RecordingUrls recordingUrls,
            String recordingStartedAt,
            String recordingEndedAt,
            String channels,
            String format,
            String reason,
            String result) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecordingUrls(String mp3, String wav) {
    }

    private static final ObjectReader READER = lenientMapper().readerFor(WebhookEvent.class);

    private static JsonMapper lenientMapper() {
        JsonMapper mapper = ((JsonMapper) Json.mapper()).rebuild()
                .enable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert)
                .setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.TryConvert);
        return mapper;
    }

    /**
     * Parses a webhook body and checks the fields every event needs.
     *
     * @throws ApiException {@code invalid_request} naming the field that is missing or malformed
     */
    public static WebhookEvent parse(byte[] body) {
        WebhookEvent event;
        try {
            event = READER.readValue(body);
        } catch (JacksonException e) {
            throw ApiException.invalid("body", "is not a Telnyx webhook JSON object");
        } catch (java.io.IOException e) {
            throw ApiException.invalid("body", "cannot be read");
        }
        if (event == null || event.data() == null) {
            throw ApiException.invalid("data", "is required");
        }
        if (blank(event.data().eventType())) {
            throw ApiException.invalid("data.event_type", "is required");
        }
        if (blank(event.data().id())) {
            throw ApiException.invalid("data.id", "is required");
        }
        if (event.data().payload() == null) {
            throw ApiException.invalid("data.payload", "is required");
        }
        if (blank(event.data().occurredAt())) {
            throw ApiException.invalid("data.occurred_at", "is required");
        }
        time("data.occurred_at", event.data().occurredAt());
        return event;
    }

    public String eventType() {
        return data.eventType();
    }

    public String id() {
        return data.id();
    }

    public Payload payload() {
        return data.payload();
    }

    public Instant occurredAt() {
        return time("data.occurred_at", data.occurredAt());
    }

    /** The payload's call control id, required by every event we act on. */
    public String callControlId() {
        String id = data.payload().callControlId();
        if (blank(id) || id.length() > 256) {
            throw ApiException.invalid("data.payload.call_control_id", "is required (1 to 256 characters)");
        }
        return id;
    }

    /** An ISO-8601 time, {@code null} when absent. */
    public static Instant time(String field, String value) {
        if (blank(value)) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field, "is not an ISO-8601 time");
        }
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
