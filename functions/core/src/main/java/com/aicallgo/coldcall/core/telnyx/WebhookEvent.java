package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.Ids;
import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;

/**
 * A Telnyx webhook (API v2), {@code {"data": {"event_type", "id", "occurred_at", "payload"}, "meta": {...}}}, as the
 * typed view {@link #parse} builds once. Parsed leniently (Telnyx adds fields; a number where we expect text is taken
 * as text); only what we use is required.
 *
 * @param callControlId the payload's call control id, checked once here; {@code null} when absent: Telnyx's spec
 *     leaves it out of recording events, so an event is attributed by it first and then by other ids
 *     ({@link com.aicallgo.coldcall.core.calls.Attribution})
 */
public record WebhookEvent(Type type, String eventType, String id, Instant occurredAt, Payload payload,
        CallControlId callControlId) {
    /** The event types we act on; every other is {@link #OTHER}. */
    public enum Type {
        CALL_INITIATED("call.initiated"),
        CALL_ANSWERED("call.answered"),
        CALL_HANGUP("call.hangup"),
        RECORDING_SAVED("call.recording.saved"),
        RECORDING_ERROR("call.recording.error"),
        OTHER(null);

        private final String wire;

        Type(String wire) {
            this.wire = wire;
        }

        public static Type of(String wire) {
            for (Type type : values()) {
                if (wire.equals(type.wire)) {
                    return type;
                }
            }
            return OTHER;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Envelope(Data data) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Data(String eventType, String id, String occurredAt, Payload payload) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Payload(
            String callControlId,
            String callLegId,
            String callSessionId,
            String connectionId,
            String clientState,
            String from,
            String to,
            String direction,
            String state,
            String hangupCause,
            String hangupSource,
            String sipHangupCause,
            @JsonDeserialize(using = Time.class) Instant startTime,
            @JsonDeserialize(using = Time.class) Instant endTime,
            String recordingId,
            RecordingUrls recordingUrls,
            RecordingUrls publicRecordingUrls,
            @JsonDeserialize(using = Time.class) Instant recordingStartedAt,
            @JsonDeserialize(using = Time.class) Instant recordingEndedAt,
            String channels,
            String format,
            String reason,
            String result,
            /* a call.hangup's quality figures as sent, whatever their shape: CallQualityStats reads them leniently */
            JsonNode callQualityStats,
            /* the browser leg's SIP address (sip:<username>@sip.telnyx.com): names the rep's login */
            String fromSipUri,
            /* the INVITE's custom SIP headers, as sent ([{name, value}]): read leniently by #header */
            JsonNode customHeaders) {

        /** The value of the custom SIP header {@code name} (case-insensitive), or {@code null}. */
        public String header(String name) {
            if (customHeaders == null || !customHeaders.isArray()) {
                return null;
            }
            for (JsonNode header : customHeaders) {
                JsonNode value = header.path("value");
                if (name.equalsIgnoreCase(header.path("name").asText("")) && value.isTextual()) {
                    return value.textValue();
                }
            }
            return null;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RecordingUrls(String mp3, String wav) {
    }

    /**
     * A payload's time, read once as it is bound: text that is not ISO-8601 is not thrown here but noted (in the
     * reader's {@link #UNREADABLE} set), so that {@link #parse} names it in its own order of checks.
     */
    private static final class Time extends StdScalarDeserializer<Instant> {
        Time() {
            super(Instant.class);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws java.io.IOException {
            if (!parser.currentToken().isScalarValue()) {
                return (Instant) context.handleUnexpectedToken(Instant.class, parser);
            }
            String text = parser.getValueAsString();
            if (blank(text)) {
                return null;
            }
            try {
                return OffsetDateTime.parse(text.trim()).toInstant();
            } catch (DateTimeParseException e) {
                Set<String> unreadable = (Set<String>) context.getAttribute(UNREADABLE);
                if (unreadable == null) {
                    throw context.weirdStringException(text, Instant.class, "not an ISO-8601 time");
                }
                unreadable.add(parser.currentName());
                return null;
            }
        }
    }

    private static final Object UNREADABLE = new Object();

    /** No Telnyx event is older than this. */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** How far ahead of our clock an event's time may be (clock skew, and nothing more). */
    public static final Duration AHEAD = Duration.ofDays(1);

    private static final ObjectReader READER = lenientMapper().readerFor(Envelope.class);

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
     * @throws Failure {@code invalid_request} naming the field that is missing or malformed
     */
    public static WebhookEvent parse(byte[] body) {
        return parse(body, Clock.systemUTC());
    }

    /**
     * Parses a webhook body and checks the fields every event needs, and that every time it carries lies between
     * {@link #EARLIEST} and {@code clock}'s now plus {@link #AHEAD}, and every id follows {@link Ids}' rule.
     *
     * @throws Failure {@code invalid_request} naming the field that is missing or malformed
     */
    public static WebhookEvent parse(byte[] body, Clock clock) {
        Envelope envelope;
        Set<String> unreadable = new HashSet<>();
        try {
            envelope = READER.withAttribute(UNREADABLE, unreadable).readValue(body);
        } catch (JacksonException e) {
            throw Failure.invalid("body", "is not a Telnyx webhook JSON object");
        } catch (java.io.IOException e) {
            throw Failure.invalid("body", "cannot be read");
        }
        Data data = envelope == null ? null : envelope.data();
        if (data == null) {
            throw Failure.invalid("data", "is required");
        }
        if (blank(data.eventType())) {
            throw Failure.invalid("data.event_type", "is required");
        }
        if (blank(data.id())) {
            throw Failure.invalid("data.id", "is required");
        }
        Ids.require("data.id", data.id());
        if (data.payload() == null) {
            throw Failure.invalid("data.payload", "is required");
        }
        if (blank(data.occurredAt())) {
            throw Failure.invalid("data.occurred_at", "is required");
        }
        Instant latest = clock.instant().plus(AHEAD);
        Instant occurred = bounded("data.occurred_at", time("data.occurred_at", data.occurredAt()), latest);
        Payload payload = data.payload();
        bounded(payloadTime("start_time", unreadable), payload.startTime(), latest);
        bounded(payloadTime("end_time", unreadable), payload.endTime(), latest);
        bounded(payloadTime("recording_started_at", unreadable), payload.recordingStartedAt(), latest);
        bounded(payloadTime("recording_ended_at", unreadable), payload.recordingEndedAt(), latest);
        CallControlId callControlId = blank(payload.callControlId()) ? null
                : CallControlId.of("data.payload.call_control_id", payload.callControlId());
        if (!blank(payload.recordingId())) {
            Ids.require("data.payload.recording_id", payload.recordingId());
        }
        return new WebhookEvent(Type.of(data.eventType()), data.eventType(), data.id(), occurred, payload,
                callControlId);
    }

    /** The payload field {@code name}, once it is known to have been read as a time (or to be absent). */
    private static String payloadTime(String name, Set<String> unreadable) {
        String field = "data.payload." + name;
        if (unreadable.contains(name)) {
            throw Failure.invalid(field, "is not an ISO-8601 time");
        }
        return field;
    }

    /** A time of the event, checked against the sane window. */
    private static Instant bounded(String field, Instant time, Instant latest) {
        if (time != null && (time.isBefore(EARLIEST) || time.isAfter(latest))) {
            throw Failure.invalid(field, "is outside " + EARLIEST + " .. now + 1 day");
        }
        return time;
    }

    /** An ISO-8601 time, {@code null} when absent. */
    private static Instant time(String field, String value) {
        if (blank(value)) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw Failure.invalid(field, "is not an ISO-8601 time");
        }
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
