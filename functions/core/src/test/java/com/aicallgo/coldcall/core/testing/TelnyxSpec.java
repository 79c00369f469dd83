package com.aicallgo.coldcall.core.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Telnyx's own definitions of what it sends us and what we send it, written down by us from its OpenAPI
 * description (team-telnyx/openapi {@code openapi/spec3.yml}, read through the stored snapshot and the SDKs Telnyx
 * generates from it, whose files say "generated from our OpenAPI spec": telnyx-python {@code src/telnyx/types/...}
 * and the telnyx Ruby gem's models), plus the few facts its webhook guides add. Not a copy of the spec: only the
 * fields, types, enums and formats of the event types and commands we use.
 *
 * <p>Rules: a field the facts name must have the named JSON type, enum value and format; a missing required field
 * fails; on webhooks and API answers an unknown field is allowed (Telnyx adds fields), on the commands we send it is
 * not (a misspelt {@code record_chanels} would otherwise pass silently). Every message names the JSON path, e.g.
 * {@code $.data.payload.sip_hangup_cause}, and the schema the fact comes from.
 */
public final class TelnyxSpec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TelnyxSpec() {
    }

    // ---------------------------------------------------------------------------------------------------------
    // The little schema language
    // ---------------------------------------------------------------------------------------------------------

    /** A JSON type with its constraints; {@code check} adds one line per violation. */
    interface Type {
        void check(JsonNode value, String path, List<String> out);

        String describe();
    }

    /** One field of an object schema. */
    record Field(String name, Type type, boolean required, boolean nullable) {
        Field orNull() {
            return new Field(name, type, required, true);
        }
    }

    /** An object schema: its fields, whether other fields are allowed, and where its facts come from. */
    record Schema(String name, String source, boolean open, Map<String, Field> fields) implements Type {
        static Schema open(String name, String source, Field... fields) {
            return new Schema(name, source, true, index(fields));
        }

        static Schema closed(String name, String source, Field... fields) {
            return new Schema(name, source, false, index(fields));
        }

        private static Map<String, Field> index(Field... fields) {
            Map<String, Field> map = new LinkedHashMap<>();
            for (Field field : fields) {
                if (map.put(field.name(), field) != null) {
                    throw new IllegalArgumentException("field " + field.name() + " twice");
                }
            }
            return map;
        }

        @Override
        public void check(JsonNode value, String path, List<String> out) {
            if (!value.isObject()) {
                out.add(path + ": expected an object (" + name + "), got " + kind(value));
                return;
            }
            for (Field field : fields.values()) {
                JsonNode child = value.get(field.name());
                String at = path + "." + field.name();
                if (child == null) {
                    if (field.required()) {
                        out.add(at + ": required by " + name + " but missing");
                    }
                } else if (child.isNull()) {
                    if (!field.nullable()) {
                        out.add(at + ": null, but " + name + " says " + field.type().describe());
                    }
                } else {
                    field.type().check(child, at, out);
                }
            }
            if (!open) {
                Iterator<String> names = value.fieldNames();
                while (names.hasNext()) {
                    String unknown = names.next();
                    if (!fields.containsKey(unknown)) {
                        out.add(path + "." + unknown + ": not a field of " + name + " (" + source + ")");
                    }
                }
            }
        }

        @Override
        public String describe() {
            return "an object (" + name + ")";
        }
    }

    static Field req(String name, Type type) {
        return new Field(name, type, true, false);
    }

    static Field opt(String name, Type type) {
        return new Field(name, type, false, false);
    }

    private static String kind(JsonNode value) {
        if (value.isTextual()) {
            return "the string " + value;
        }
        if (value.isNumber()) {
            return "the number " + value;
        }
        if (value.isBoolean()) {
            return "the boolean " + value;
        }
        return value.isArray() ? "an array" : value.isObject() ? "an object" : value.getNodeType().toString().toLowerCase();
    }

    /** A string, optionally of a format checked by {@code format}. */
    private record Text(String description, java.util.function.Predicate<String> format) implements Type {
        @Override
        public void check(JsonNode value, String path, List<String> out) {
            if (!value.isTextual()) {
                out.add(path + ": expected " + description + ", got " + kind(value));
            } else if (!format.test(value.asText())) {
                out.add(path + ": " + value + " is not " + description);
            }
        }

        @Override
        public String describe() {
            return description;
        }
    }

    private record OneOf(Set<String> values) implements Type {
        @Override
        public void check(JsonNode value, String path, List<String> out) {
            if (!value.isTextual()) {
                out.add(path + ": expected one of " + values + ", got " + kind(value));
            } else if (!values.contains(value.asText())) {
                out.add(path + ": " + value + " is not one of " + values);
            }
        }

        @Override
        public String describe() {
            return "one of " + values;
        }
    }

    private record Int(long min, long max) implements Type {
        @Override
        public void check(JsonNode value, String path, List<String> out) {
            if (!value.isIntegralNumber()) {
                out.add(path + ": expected " + describe() + ", got " + kind(value));
            } else if (value.asLong() < min || value.asLong() > max) {
                out.add(path + ": " + value + " is outside " + min + ".." + max);
            }
        }

        @Override
        public String describe() {
            return min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "an integer" : "an integer in " + min + ".." + max;
        }
    }

    private record Bool() implements Type {
        @Override
        public void check(JsonNode value, String path, List<String> out) {
            if (!value.isBoolean()) {
                out.add(path + ": expected a boolean, got " + kind(value));
            }
        }

        @Override
        public String describe() {
            return "a boolean";
        }
    }

    private record ArrayOf(Type items) implements Type {
        @Override
        public void check(JsonNode value, String path, List<String> out) {
            if (!value.isArray()) {
                out.add(path + ": expected an array of " + items.describe() + ", got " + kind(value));
                return;
            }
            for (int i = 0; i < value.size(); i++) {
                items.check(value.get(i), path + "[" + i + "]", out);
            }
        }

        @Override
        public String describe() {
            return "an array of " + items.describe();
        }
    }

    /** A string or an array of them (dial's {@code to}). */
    private record TextOrArray(Type text) implements Type {
        @Override
        public void check(JsonNode value, String path, List<String> out) {
            if (value.isArray()) {
                new ArrayOf(text).check(value, path, out);
            } else {
                text.check(value, path, out);
            }
        }

        @Override
        public String describe() {
            return text.describe() + " or an array of them";
        }
    }

    /** A field whose name the schema lists but whose type we do not use, so do not encode: anything goes. */
    private record Unused() implements Type {
        @Override
        public void check(JsonNode value, String path, List<String> out) {
        }

        @Override
        public String describe() {
            return "any value (listed by the spec, not used by us)";
        }
    }

    private static final Pattern UUID_FORM =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** A SIP response code (RFC 3261: 100-699), or the spec's {@code unspecified}. */
    private static final Pattern SIP_CODE = Pattern.compile("[1-6][0-9][0-9]");

    static final Type STRING = new Text("a string", s -> true);
    static final Type DATE_TIME = new Text("an ISO 8601 date-time with an offset (format: date-time)",
            TelnyxSpec::isDateTime);
    static final Type UUID = new Text("a UUID (format: uuid)", s -> UUID_FORM.matcher(s).matches());
    /** Commands: "It must be a valid Base-64 encoded string" (90017 otherwise); Telnyx cuts it at a newline. */
    static final Type BASE64 = new Text("valid Base-64 on one line", TelnyxSpec::isBase64);
    static final Type SIP_RESPONSE = new Text("a SIP response code as text (e.g. \"486\") or \"unspecified\"",
            s -> s.equals("unspecified") || SIP_CODE.matcher(s).matches());
    static final Type INTEGER = new Int(Long.MIN_VALUE, Long.MAX_VALUE);
    static final Type BOOLEAN = new Bool();
    static final Type UNUSED = new Unused();

    static Type oneOf(String... values) {
        return new OneOf(new TreeSet<>(Arrays.asList(values)));
    }

    static Type integer(long min, long max) {
        return new Int(min, max);
    }

    static Type arrayOf(Type items) {
        return new ArrayOf(items);
    }

    /** RFC 3339 (OpenAPI's {@code format: date-time}): a four-digit year and an offset. */
    private static final Pattern RFC_3339 =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})");

    private static boolean isDateTime(String s) {
        if (!RFC_3339.matcher(s).matches()) {
            return false;
        }
        try {
            OffsetDateTime.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static boolean isBase64(String s) {
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return false;
        }
        try {
            Base64.getDecoder().decode(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Shared pieces
    // ---------------------------------------------------------------------------------------------------------

    /** spec3.yml {@code CustomSipHeader}: {@code {name, value}}, both required strings. */
    static final Schema CUSTOM_SIP_HEADER = Schema.open("CustomSipHeader", "spec3.yml components.schemas.CustomSipHeader",
            req("name", STRING), req("value", STRING));

    /**
     * spec3.yml {@code SipHeader}: {@code name} is {@code User-to-User} or {@code Diversion} (telnyx-python
     * {@code types/call_initiated.py PayloadSipHeader}).
     */
    static final Schema SIP_HEADER = Schema.open("SipHeader", "spec3.yml components.schemas.SipHeader",
            req("name", oneOf("User-to-User", "Diversion")), req("value", STRING));

    /** The URL pair of a recording: {@code mp3}, {@code wav}, each {@code nullable: true} in spec3.yml. */
    static Schema urls(String name) {
        return Schema.open(name, "spec3.yml CallRecordingSaved.payload." + name,
                opt("mp3", STRING).orNull(), opt("wav", STRING).orNull());
    }

    /**
     * The ids every call event payload carries. The OpenAPI types {@code client_state} as a string; Telnyx's
     * deliveries carry {@code null} when no command set one (Telnyx's knowledge-base IVR demo sample), so
     * null is allowed. Webhooks do not enforce Base-64 on it: the iOS SDK sends it unencoded (telnyx-webrtc-android
     * issue 797), and Telnyx passes it through.
     */
    private static Field[] callIds(Field... more) {
        List<Field> fields = new ArrayList<>(List.of(
                opt("call_control_id", STRING),
                opt("call_leg_id", STRING),
                opt("call_session_id", STRING),
                opt("client_state", STRING).orNull(),
                opt("connection_id", STRING)));
        fields.addAll(List.of(more));
        return fields.toArray(Field[]::new);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Webhooks (what Telnyx sends us)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * spec3.yml {@code CallInitiated} (developers.telnyx.com/api-reference/callbacks/call-initiated); telnyx-python
     * {@code types/call_initiated.py}. {@code start_time} is in the current schema (not in older snapshots).
     */
    static final Schema CALL_INITIATED = Schema.open("CallInitiated.payload", "spec3.yml components.schemas.CallInitiated",
            callIds(
                    opt("from", STRING),
                    opt("to", STRING),
                    opt("direction", oneOf("incoming", "outgoing")),
                    opt("state", oneOf("parked", "bridging")),
                    opt("start_time", DATE_TIME),
                    opt("custom_headers", arrayOf(CUSTOM_SIP_HEADER)),
                    opt("sip_headers", arrayOf(SIP_HEADER)),
                    opt("tags", arrayOf(STRING)),
                    opt("caller_id_name", STRING),
                    opt("call_screening_result", STRING),
                    opt("connection_codecs", STRING),
                    opt("offered_codecs", STRING),
                    opt("shaken_stir_attestation", STRING),
                    opt("shaken_stir_validated", BOOLEAN)));

    /** spec3.yml {@code CallAnswered} (developers.telnyx.com/api-reference/callbacks/call-answered). */
    static final Schema CALL_ANSWERED = Schema.open("CallAnswered.payload", "spec3.yml components.schemas.CallAnswered",
            callIds(
                    opt("from", STRING),
                    opt("to", STRING),
                    opt("state", oneOf("answered")),
                    // start_time: in the current schema and in every docs sample; the call's start, not the answer
                    opt("start_time", DATE_TIME),
                    opt("custom_headers", arrayOf(CUSTOM_SIP_HEADER)),
                    opt("sip_headers", arrayOf(SIP_HEADER)),
                    opt("tags", arrayOf(STRING))));

    /** spec3.yml {@code CallBridged} (developers.telnyx.com/api-reference/callbacks/call-bridged). */
    static final Schema CALL_BRIDGED = Schema.open("CallBridged.payload", "spec3.yml components.schemas.CallBridged",
            callIds(
                    opt("from", STRING),
                    opt("to", STRING),
                    opt("state", oneOf("bridged")),
                    opt("tags", arrayOf(STRING))));

    /** spec3.yml {@code CallHangup.payload.call_quality_stats}: every figure is a string; the object may be null. */
    static final Schema CALL_QUALITY_STATS = Schema.open("CallHangup.payload.call_quality_stats",
            "spec3.yml CallHangup; telnyx-python types/call_hangup_webhook_event.py",
            opt("inbound", Schema.open("call_quality_stats.inbound", "spec3.yml CallHangup",
                    opt("jitter_max_variance", STRING), opt("jitter_packet_count", STRING), opt("mos", STRING),
                    opt("packet_count", STRING), opt("skip_packet_count", STRING))),
            opt("outbound", Schema.open("call_quality_stats.outbound", "spec3.yml CallHangup",
                    opt("packet_count", STRING), opt("skip_packet_count", STRING))));

    /**
     * spec3.yml {@code CallHangup} (developers.telnyx.com/api-reference/callbacks/call-hangup). {@code hangup_cause}:
     * the enum of the current schema, which added {@code no_answer} to the older eight. {@code sip_hangup_cause}:
     * "The reason the call was ended (SIP response code). If the SIP response is unavailable ... set to
     * {@code unspecified}" (our reading: a 3-digit SIP code as text, never a Q.850 cause number). {@code end_time}
     * is not in the schema but is in Telnyx's real-looking samples (getting-started guide), so it is typed.
     */
    static final Schema CALL_HANGUP = Schema.open("CallHangup.payload", "spec3.yml components.schemas.CallHangup",
            callIds(
                    opt("from", STRING),
                    opt("to", STRING),
                    opt("state", oneOf("hangup")),
                    opt("hangup_cause", oneOf("call_rejected", "normal_clearing", "originator_cancel", "timeout",
                            "time_limit", "user_busy", "not_found", "no_answer", "unspecified")),
                    opt("hangup_source", oneOf("caller", "callee", "unknown")),
                    opt("sip_hangup_cause", SIP_RESPONSE),
                    opt("start_time", DATE_TIME),
                    opt("end_time", DATE_TIME),
                    opt("call_quality_stats", CALL_QUALITY_STATS).orNull(),
                    opt("custom_headers", arrayOf(CUSTOM_SIP_HEADER)),
                    opt("sip_headers", arrayOf(SIP_HEADER)),
                    opt("tags", arrayOf(STRING))));

    /**
     * spec3.yml {@code CallRecordingSaved} (developers.telnyx.com/api-reference/callbacks/call-recording-saved): the
     * schema lists {@code call_leg_id, call_session_id, channels, client_state, connection_id,
     * public_recording_urls, recording_started_at, recording_ended_at, recording_urls} and neither
     * {@code call_control_id} nor {@code recording_id}. Telnyx's docs samples (storing-call-recordings) also carry
     * {@code call_control_id}, {@code recording_id}, {@code format}, {@code start_time}, {@code end_time}, typed here
     * when present.
     */
    static final Schema CALL_RECORDING_SAVED = Schema.open("CallRecordingSaved.payload",
            "spec3.yml components.schemas.CallRecordingSaved",
            callIds(
                    opt("channels", oneOf("single", "dual")),
                    opt("recording_started_at", DATE_TIME),
                    opt("recording_ended_at", DATE_TIME),
                    opt("recording_urls", urls("recording_urls")),
                    opt("public_recording_urls", urls("public_recording_urls")),
                    // docs samples, not the schema:
                    opt("recording_id", STRING),
                    opt("format", oneOf("mp3", "wav")),
                    opt("start_time", DATE_TIME),
                    opt("end_time", DATE_TIME)));

    /**
     * spec3.yml {@code callRecordingError} (developers.telnyx.com/api-reference/callbacks/call-recording-error):
     * {@code reason} is an enum of four texts. The rendered docs example carries the same text in {@code result}
     * instead; both are typed.
     */
    static final Schema CALL_RECORDING_ERROR = Schema.open("CallRecordingError.payload",
            "spec3.yml components.schemas.callRecordingError",
            callIds(
                    opt("reason", oneOf("Failed to authorize with storage using custom credentials",
                            "Invalid credentials json", "Unsupported backend", "Internal server error")),
                    opt("result", STRING)));

    /** The payload schema of each event type we have facts for; other event types get the envelope check only. */
    static final Map<String, Schema> PAYLOADS = Map.of(
            "call.initiated", CALL_INITIATED,
            "call.answered", CALL_ANSWERED,
            "call.bridged", CALL_BRIDGED,
            "call.hangup", CALL_HANGUP,
            "call.recording.saved", CALL_RECORDING_SAVED,
            "call.recording.error", CALL_RECORDING_ERROR);

    /**
     * {@code meta}: not in the voice event schemas (e.g. {@code CallHangupEvent} is only {@code {data}}), but in
     * every delivery the webhook guides show and in spec3.yml's {@code CallCost.meta}: {@code attempt} (integer,
     * minimum 1) and {@code delivered_to} (string).
     */
    static final Schema META = Schema.open("meta", "spec3.yml CallCost.meta; KB receiving-webhooks-for-programmable-voice",
            opt("attempt", integer(1, Long.MAX_VALUE)), opt("delivered_to", STRING));

    /**
     * The envelope of every voice event (spec3.yml {@code CallHangup} etc.: {@code record_type} enum {@code event},
     * {@code event_type}, {@code id} format uuid, {@code occurred_at} format date-time, {@code payload}). The
     * OpenAPI marks none of them required; the webhook guide (developers.telnyx.com, "Receiving Webhooks for
     * Programmable Voice") shows every delivery with all five, so we require them.
     */
    static Schema envelope(Schema payload) {
        return Schema.open("webhook", "spec3.yml voice event schemas; KB receiving-webhooks-for-programmable-voice",
                req("data", Schema.open("data", "spec3.yml voice event schemas",
                        req("record_type", oneOf("event")),
                        req("event_type", STRING),
                        req("id", UUID),
                        req("occurred_at", DATE_TIME),
                        req("payload", payload))),
                opt("meta", META));
    }

    private static final Schema ANY_PAYLOAD = Schema.open("payload", "an event type without encoded facts");

    /** Every way {@code body} differs from Telnyx's definition of a webhook; empty when it matches. */
    public static List<String> webhookViolations(String body) {
        Optional<JsonNode> json = parse(body);
        if (json.isEmpty()) {
            return List.of("$: not JSON");
        }
        String type = json.get().path("data").path("event_type").asText("");
        Schema payload = PAYLOADS.getOrDefault(type, ANY_PAYLOAD);
        List<String> out = new ArrayList<>();
        envelope(payload).check(json.get(), "$", out);
        return out.stream().map(line -> line + (type.isEmpty() ? "" : " [" + type + "]")).toList();
    }

    /** Fails (as a test assertion) when {@code body} is not a webhook as Telnyx defines it. */
    public static void checkWebhook(String body) {
        checkWebhook("webhook body", body);
    }

    /** As {@link #checkWebhook(String)}, naming {@code where} the body came from (a file, a test). */
    public static void checkWebhook(String where, String body) {
        List<String> violations = webhookViolations(body);
        if (!violations.isEmpty()) {
            throw new AssertionError(where + " is not a Telnyx webhook as its spec defines one:\n  "
                    + String.join("\n  ", violations));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Commands (what we send Telnyx). Closed: every field name the spec's request lists, unknown names fail.
    // ---------------------------------------------------------------------------------------------------------

    /** Fields common to the commands: {@code client_state} (Base-64, error 90017) and {@code command_id}. */
    private static Field[] command(Field... more) {
        List<Field> fields = new ArrayList<>(List.of(opt("client_state", BASE64), opt("command_id", STRING)));
        fields.addAll(List.of(more));
        return fields.toArray(Field[]::new);
    }

    /** The {@code record} family that dial, answer, bridge and transfer share (spec3.yml, each request schema). */
    private static List<Field> recordFromAnswer() {
        return List.of(
                opt("record", oneOf("record-from-answer")),
                opt("record_channels", oneOf("single", "dual")),
                opt("record_format", oneOf("wav", "mp3")),
                opt("record_max_length", integer(0, 43_200)),
                opt("record_timeout_secs", integer(0, Long.MAX_VALUE)),
                opt("record_track", oneOf("both", "inbound", "outbound")),
                opt("record_trim", oneOf("trim-silence")),
                opt("record_custom_file_name", STRING));
    }

    private static Field[] with(Field[] base, List<Field> more) {
        List<Field> all = new ArrayList<>(List.of(base));
        all.addAll(more);
        return all.toArray(Field[]::new);
    }

    /**
     * {@code POST /v2/calls/{call_control_id}/actions/record_start}: spec3.yml {@code StartRecordingRequest}
     * (developers.telnyx.com/api-reference/call-commands/recording-start); telnyx-python
     * {@code types/calls/action_start_recording_params.py}. Required: {@code format}, {@code channels}.
     */
    static final Schema RECORD_START = Schema.closed("StartRecordingRequest",
            "spec3.yml components.schemas.StartRecordingRequest",
            command(
                    req("format", oneOf("wav", "mp3")),
                    req("channels", oneOf("single", "dual")),
                    opt("custom_file_name", STRING),
                    opt("max_length", integer(0, 14_400)),
                    opt("play_beep", BOOLEAN),
                    opt("recording_track", oneOf("both", "inbound", "outbound")),
                    opt("timeout_secs", integer(0, Long.MAX_VALUE)),
                    opt("trim", oneOf("trim-silence")),
                    opt("transcription", BOOLEAN),
                    opt("transcription_engine", oneOf("A", "B", "deepgram/nova-3")),
                    opt("transcription_language", UNUSED),
                    opt("transcription_max_speaker_count", INTEGER),
                    opt("transcription_min_speaker_count", INTEGER),
                    opt("transcription_profanity_filter", BOOLEAN),
                    opt("transcription_speaker_diarization", BOOLEAN)));

    /**
     * {@code POST /v2/calls/{call_control_id}/actions/transfer}: spec3.yml {@code TransferCallRequest}
     * (developers.telnyx.com/api-reference/call-commands/transfer-call); telnyx-python
     * {@code types/calls/action_transfer_params.py}. Required: {@code to}. {@code timeout_secs} 5-600;
     * {@code from} defaults to the original call's {@code to}.
     */
    static final Schema TRANSFER = Schema.closed("TransferCallRequest",
            "spec3.yml components.schemas.TransferCallRequest",
            with(command(
                    req("to", STRING),
                    opt("from", STRING),
                    opt("from_display_name", STRING),
                    opt("timeout_secs", integer(5, 600)),
                    opt("time_limit_secs", integer(0, 14_400)),
                    opt("target_leg_client_state", BASE64),
                    opt("early_media", BOOLEAN),
                    opt("park_after_unbridge", STRING),
                    opt("custom_headers", arrayOf(CUSTOM_SIP_HEADER)),
                    opt("sip_headers", arrayOf(SIP_HEADER)),
                    opt("webhook_url", STRING),
                    opt("webhook_url_method", oneOf("POST", "GET")),
                    opt("media_encryption", oneOf("disabled", "SRTP", "DTLS")),
                    opt("mute_dtmf", oneOf("none", "both", "self", "opposite")),
                    opt("sip_transport_protocol", oneOf("UDP", "TCP", "TLS")),
                    opt("answering_machine_detection", oneOf("premium", "detect", "detect_beep", "detect_words",
                            "greeting_end", "disabled")),
                    opt("answering_machine_detection_config", UNUSED),
                    opt("audio_url", STRING),
                    opt("media_name", STRING),
                    opt("sip_auth_username", STRING),
                    opt("sip_auth_password", STRING),
                    opt("sound_modifications", UNUSED),
                    opt("webhook_urls", UNUSED),
                    opt("webhook_urls_method", UNUSED),
                    opt("webhook_retries_policies", UNUSED)), recordFromAnswer()));

    /**
     * {@code POST /v2/calls/{call_control_id}/actions/hangup}: spec3.yml {@code HangupRequest}
     * (developers.telnyx.com/api-reference/call-commands/hangup-call): {@code client_state}, {@code command_id}, and
     * in the current schema {@code custom_headers} (telnyx Ruby gem {@code Calls::ActionHangupParams}).
     */
    static final Schema HANGUP = Schema.closed("HangupRequest", "spec3.yml components.schemas.HangupRequest",
            command(opt("custom_headers", arrayOf(CUSTOM_SIP_HEADER))));

    /**
     * {@code POST /v2/calls/{call_control_id}/actions/answer}: spec3.yml {@code AnswerRequest}; telnyx-python
     * {@code types/calls/action_answer_params.py}. Nothing required.
     */
    static final Schema ANSWER = Schema.closed("AnswerRequest", "spec3.yml components.schemas.AnswerRequest",
            with(command(
                    opt("billing_group_id", STRING),
                    opt("custom_headers", arrayOf(CUSTOM_SIP_HEADER)),
                    opt("sip_headers", arrayOf(SIP_HEADER)),
                    opt("preferred_codecs", STRING),
                    opt("send_silence_when_idle", BOOLEAN),
                    opt("sound_modifications", UNUSED),
                    opt("stream_url", STRING),
                    opt("stream_track", oneOf("inbound_track", "outbound_track", "both_tracks")),
                    opt("stream_codec", UNUSED),
                    opt("stream_bidirectional_codec", UNUSED),
                    opt("stream_bidirectional_mode", UNUSED),
                    opt("stream_bidirectional_target_legs", UNUSED),
                    opt("transcription", BOOLEAN),
                    opt("transcription_config", UNUSED),
                    opt("webhook_url", STRING),
                    opt("webhook_url_method", oneOf("POST", "GET")),
                    opt("webhook_urls", UNUSED),
                    opt("webhook_urls_method", UNUSED),
                    opt("webhook_retries_policies", UNUSED)), recordFromAnswer()));

    /**
     * {@code POST /v2/calls/{call_control_id}/actions/bridge}: spec3.yml {@code BridgeRequest}; telnyx-python
     * {@code types/calls/action_bridge_params.py}. Required: {@code call_control_id} (the leg to bridge with).
     */
    static final Schema BRIDGE = Schema.closed("BridgeRequest", "spec3.yml components.schemas.BridgeRequest",
            with(command(
                    req("call_control_id", STRING),
                    opt("hold_after_unbridge", BOOLEAN),
                    opt("park_after_unbridge", STRING),
                    opt("mute_dtmf", oneOf("none", "both", "self", "opposite")),
                    opt("play_ringtone", BOOLEAN),
                    opt("ringtone", STRING),
                    opt("prevent_double_bridge", BOOLEAN),
                    opt("queue", STRING),
                    opt("video_room_id", STRING),
                    opt("video_room_context", STRING)), recordFromAnswer()));

    /**
     * {@code POST /v2/calls} (dial): spec3.yml {@code CallRequest}
     * (developers.telnyx.com/api-reference/call-commands/dial); telnyx-python {@code types/call_dial_params.py}.
     * Required: {@code connection_id}, {@code from}, {@code to} (a string or an array of them). {@code timeout_secs}
     * 5-600; {@code bridge_intent}/{@code bridge_on_answer} need {@code link_to}.
     */
    static final Schema DIAL = Schema.closed("CallRequest", "spec3.yml components.schemas.CallRequest",
            with(command(
                    req("connection_id", STRING),
                    req("from", STRING),
                    req("to", new TextOrArray(STRING)),
                    opt("from_display_name", STRING),
                    opt("link_to", STRING),
                    opt("bridge_intent", BOOLEAN),
                    opt("bridge_on_answer", BOOLEAN),
                    opt("park_after_unbridge", STRING),
                    opt("timeout_secs", integer(5, 600)),
                    opt("time_limit_secs", integer(0, 14_400)),
                    opt("custom_headers", arrayOf(CUSTOM_SIP_HEADER)),
                    opt("sip_headers", arrayOf(SIP_HEADER)),
                    opt("webhook_url", STRING),
                    opt("webhook_url_method", oneOf("POST", "GET")),
                    opt("webhook_urls", UNUSED),
                    opt("webhook_urls_method", UNUSED),
                    opt("webhook_retries_policies", UNUSED),
                    opt("media_encryption", oneOf("disabled", "SRTP", "DTLS")),
                    opt("sip_transport_protocol", oneOf("UDP", "TCP", "TLS")),
                    opt("answering_machine_detection", oneOf("premium", "detect", "detect_beep", "detect_words",
                            "greeting_end", "disabled")),
                    opt("answering_machine_detection_config", UNUSED),
                    opt("audio_url", STRING),
                    opt("media_name", STRING),
                    opt("billing_group_id", STRING),
                    opt("preferred_codecs", STRING),
                    opt("send_silence_when_idle", BOOLEAN),
                    opt("sip_auth_username", STRING),
                    opt("sip_auth_password", STRING),
                    opt("sound_modifications", UNUSED),
                    opt("conference_config", UNUSED),
                    opt("dialogflow_config", UNUSED),
                    opt("enable_dialogflow", BOOLEAN),
                    opt("supervise_call_control_id", STRING),
                    opt("supervisor_role", oneOf("barge", "whisper", "monitor")),
                    opt("stream_url", STRING),
                    opt("stream_track", oneOf("inbound_track", "outbound_track", "both_tracks")),
                    opt("stream_codec", UNUSED),
                    opt("stream_establish_before_call_originate", BOOLEAN),
                    opt("stream_bidirectional_codec", UNUSED),
                    opt("stream_bidirectional_mode", UNUSED),
                    opt("stream_bidirectional_sampling_rate", UNUSED),
                    opt("stream_bidirectional_target_legs", UNUSED),
                    opt("transcription", BOOLEAN),
                    opt("transcription_config", UNUSED)), recordFromAnswer()));

    /** The Call Control actions we have facts for, by the last path segment. */
    static final Map<String, Schema> ACTIONS = Map.of(
            "record_start", RECORD_START,
            "transfer", TRANSFER,
            "hangup", HANGUP,
            "answer", ANSWER,
            "bridge", BRIDGE);

    private static final Pattern ACTION_PATH = Pattern.compile("(?:.*)?/v2/calls/([^/?]+)/actions/([^/?]+)");
    private static final Pattern DIAL_PATH = Pattern.compile("(?:.*)?/v2/calls/?");

    /** Whether {@code path} (without the query) is a Call Control command: dial or an action. */
    public static boolean isCommand(String method, String path) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return method.equalsIgnoreCase("POST")
                && (ACTION_PATH.matcher(bare).matches() || DIAL_PATH.matcher(bare).matches());
    }

    /**
     * Every way a command we send differs from Telnyx's request schema. An action we have no facts for is itself a
     * violation: encode it here before sending it.
     */
    public static List<String> commandViolations(String method, String path, String body) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        Schema schema;
        String what;
        Matcher action = ACTION_PATH.matcher(bare);
        if (!method.equalsIgnoreCase("POST")) {
            return List.of(method + " " + path + ": Call Control commands are POSTs");
        } else if (action.matches()) {
            schema = ACTIONS.get(action.group(2));
            what = "actions/" + action.group(2);
            if (schema == null) {
                return List.of(path + ": no TelnyxSpec facts for the action " + action.group(2)
                        + "; encode its request schema in TelnyxSpec.ACTIONS before sending it");
            }
            if (action.group(1).isBlank()) {
                return List.of(path + ": empty call_control_id");
            }
        } else if (DIAL_PATH.matcher(bare).matches()) {
            schema = DIAL;
            what = "dial";
        } else {
            return List.of(path + ": not a Call Control command path");
        }
        Optional<JsonNode> json = parse(body);
        if (json.isEmpty()) {
            return List.of(what + " $: the body is not JSON");
        }
        List<String> out = new ArrayList<>();
        schema.check(json.get(), "$", out);
        return out.stream().map(line -> what + " " + line).toList();
    }

    /** Fails when a command body does not match its request schema. */
    public static void checkCommand(String method, String path, String body) {
        List<String> violations = commandViolations(method, path, body);
        if (!violations.isEmpty()) {
            throw new AssertionError(method + " " + path + " does not match Telnyx's request schema:\n  "
                    + String.join("\n  ", violations) + "\n  body: " + body);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // API answers we read
    // ---------------------------------------------------------------------------------------------------------

    /**
     * {@code GET /v2/calls/{call_control_id}} (developers.telnyx.com/api-reference/call-information/retrieve-a-call-status):
     * {@code data} per telnyx-python {@code types/call_retrieve_status_response.py}: required
     * {@code call_control_id, call_leg_id, call_session_id, is_alive, record_type} (enum {@code call}); optional
     * {@code call_duration} (integer seconds), {@code client_state}, {@code start_time}, {@code end_time} ("ISO 8601
     * formatted date"; {@code end_time} only once the call is over).
     */
    static final Schema CALL_STATUS = Schema.open("CallStatusResponse", "spec3.yml retrieve call status 200",
            req("data", Schema.open("Call", "spec3.yml retrieve call status 200 data",
                    req("call_control_id", STRING),
                    req("call_leg_id", STRING),
                    req("call_session_id", STRING),
                    req("is_alive", BOOLEAN),
                    req("record_type", oneOf("call")),
                    opt("call_duration", INTEGER),
                    opt("client_state", STRING).orNull(),
                    opt("start_time", DATE_TIME),
                    opt("end_time", DATE_TIME))));

    /**
     * spec3.yml {@code RecordingResponseData} (developers.telnyx.com/api-reference/call-recordings); telnyx-python
     * {@code types/recording_response_data.py}. Nothing required.
     */
    static final Schema RECORDING = Schema.open("RecordingResponseData", "spec3.yml components.schemas.RecordingResponseData",
            opt("id", STRING),
            opt("call_control_id", STRING),
            opt("call_leg_id", STRING),
            opt("call_session_id", STRING),
            opt("conference_id", STRING).orNull(),
            opt("channels", oneOf("single", "dual")),
            opt("created_at", DATE_TIME),
            opt("updated_at", DATE_TIME),
            opt("download_urls", Schema.open("download_urls", "spec3.yml RecordingResponseData.download_urls",
                    opt("mp3", STRING).orNull(), opt("wav", STRING).orNull())),
            opt("duration_millis", INTEGER),
            opt("record_type", oneOf("recording")),
            opt("recording_started_at", DATE_TIME),
            opt("recording_ended_at", DATE_TIME),
            opt("source", oneOf("conference", "call")),
            opt("status", oneOf("completed")));

    /** {@code GET /v2/recordings/{recording_id}}: {@code {data: RecordingResponseData}}. */
    static final Schema RECORDING_ONE = Schema.open("GetRecordingResponse", "spec3.yml GET /recordings/{recording_id} 200",
            req("data", RECORDING));

    /** {@code GET /v2/recordings}: {@code {data: [RecordingResponseData], meta: PaginationMeta}}. */
    static final Schema RECORDING_LIST = Schema.open("ListRecordingsResponse", "spec3.yml GET /recordings 200",
            req("data", arrayOf(RECORDING)),
            opt("meta", Schema.open("PaginationMeta", "spec3.yml components.schemas.PaginationMeta",
                    opt("page_number", INTEGER), opt("page_size", INTEGER), opt("total_pages", INTEGER),
                    opt("total_results", INTEGER))));

    /**
     * {@code GET /connections/{connection_id}/active_calls} 200 (developers.telnyx.com api-reference "List all active
     * calls for given connection"; telnyx-ruby {@code ConnectionListActiveCallsResponse}): cursor-paginated.
     */
    static final Schema ACTIVE_CALLS = Schema.open("ActiveCallsResponse", "active-calls.yml ActiveCallsResponse 200",
            req("data", arrayOf(Schema.open("ActiveCall", "active-calls.yml ActiveCallsResponse data",
                    req("call_control_id", STRING),
                    req("call_leg_id", STRING),
                    req("call_session_id", STRING),
                    req("call_duration", INTEGER),
                    req("record_type", oneOf("call")),
                    opt("client_state", STRING).orNull()))),
            opt("meta", Schema.open("CursorMeta", "active-calls.yml ActiveCallsResponse meta",
                    opt("cursors", Schema.open("cursors", "active-calls.yml meta.cursors",
                            opt("after", STRING).orNull(), opt("before", STRING).orNull())),
                    opt("total_items", INTEGER), opt("next", STRING).orNull(), opt("previous", STRING).orNull())));

    private static final Pattern ACTIVE_CALLS_PATH = Pattern.compile("(?:.*)?/v2/connections/([^/?]+)/active_calls");
    private static final Pattern CALL_STATUS_PATH = Pattern.compile("(?:.*)?/v2/calls/([^/?]+)");
    private static final Pattern RECORDING_PATH = Pattern.compile("(?:.*)?/v2/recordings/([^/?]+)");
    private static final Pattern RECORDINGS_PATH = Pattern.compile("(?:.*)?/v2/recordings/?");

    /** The schema of a 200 answer to {@code GET path}, if it is one of the reads we make. */
    static Optional<Schema> readSchema(String path) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (CALL_STATUS_PATH.matcher(bare).matches()) {
            return Optional.of(CALL_STATUS);
        }
        if (ACTIVE_CALLS_PATH.matcher(bare).matches()) {
            return Optional.of(ACTIVE_CALLS);
        }
        if (RECORDINGS_PATH.matcher(bare).matches()) {
            return Optional.of(RECORDING_LIST);
        }
        if (RECORDING_PATH.matcher(bare).matches()) {
            return Optional.of(RECORDING_ONE);
        }
        return Optional.empty();
    }

    /** Every way a 200 answer to {@code GET path} (a stub's body, say) differs from Telnyx's response schema. */
    public static List<String> readViolations(String path, String body) {
        Optional<Schema> schema = readSchema(path);
        if (schema.isEmpty()) {
            return List.of("GET " + path + ": not a Telnyx read TelnyxSpec has facts for");
        }
        Optional<JsonNode> json = parse(body);
        if (json.isEmpty()) {
            return List.of("GET " + path + " $: the answer is not JSON");
        }
        List<String> out = new ArrayList<>();
        schema.get().check(json.get(), "$", out);
        return out.stream().map(line -> schema.get().name() + " " + line).toList();
    }

    public static void checkRead(String path, String body) {
        List<String> violations = readViolations(path, body);
        if (!violations.isEmpty()) {
            throw new AssertionError("the answer to GET " + path + " is not Telnyx's:\n  " + String.join("\n  ", violations));
        }
    }

    static Optional<JsonNode> parse(String body) {
        try {
            return Optional.ofNullable(body == null ? null : JSON.readTree(body));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
