package com.aicallgo.coldcall.local.twin;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A local Telnyx for both call flows of a browser-placed call. <b>Direct</b> (parking off): the SDK's call goes
 * straight to the number and our backend starts the recording with {@code record_start}. <b>Parked</b> (Park
 * Outbound Calls on): the browser's leg A is parked ({@code call.initiated} with {@code state: "parked"}) and rings
 * until a Call Control command connects it; {@code transfer} creates leg B to the number, which records from its
 * answer, and a failed transfer ends only B. The twin speaks the WebRTC SDK's Verto signalling over a WebSocket,
 * answers Call Control's {@code record_start}, {@code transfer}, {@code hangup} and the call status API, keeps a
 * recording file per recorded leg, and sends the call's webhooks, signed, to the runner's own webhook route. What
 * each call does is chosen by the number dialled ({@link TestNumber}).
 */
public final class Twin implements AutoCloseable {
    /** How a browser call reaches its number: Telnyx bridges it (direct) or parks it for a command (parked). */
    public enum Flow {
        DIRECT, PARKED;

        /** {@code CALL_FLOW}: {@code direct} (default) or {@code parked}. */
        public static Flow of(String value) {
            if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("direct")) {
                return DIRECT;
            }
            if (value.trim().equalsIgnoreCase("parked")) {
                return PARKED;
            }
            throw new IllegalArgumentException("CALL_FLOW is '" + value + "': it takes direct or parked");
        }
    }

    /** What the twin needs from the runner: where it listens, where it posts, whom it lets in, how it behaves. */
    public record Settings(String host, String apiBase, URI webhookUrl, WebhookSigner signer, String sipUsername,
            String sipPassword, String connectionId, Flow flow, Duration linkTtl, boolean publicRecordingUrls) {
        @Override
        public String toString() {
            return "Settings[host=" + host + ", apiBase=" + apiBase + ", webhookUrl=" + webhookUrl + ", sipUsername="
                    + sipUsername + ", sipPassword=***, flow=" + flow + ", linkTtl=" + linkTtl + "]";
        }
    }

    /** An HTTP answer for a Call Control request. */
    public record Answer(int status, String body) {
    }

    static final long RING_AFTER_MS = 300;
    static final long ANSWER_AFTER_MS = 1_500;
    static final long BUSY_AFTER_MS = 1_500;
    static final long REJECT_AFTER_MS = 2_000;
    static final long NOT_FOUND_AFTER_MS = 800;
    static final long NO_ANSWER_AFTER_MS = 6_000;
    static final long CALLEE_HANGS_UP_AFTER_MS = 4_000;
    static final long RECORDING_AFTER_HANGUP_MS = 500;
    static final long TIME_LIMIT_MS = 30 * 60_000;
    /** A parked leg that gets no command ends after this (Telnyx's own limit is not documented). */
    static final long PARKED_GIVES_UP_MS = 120_000;
    /** Telnyx ignores a command whose {@code command_id} it saw for the same call within this time. */
    static final Duration COMMAND_ID_REMEMBERED = Duration.ofSeconds(60);
    /** Under {@link TestNumber#WEBHOOKS_TWICE_OUT_OF_ORDER} in the parked flow: the second copy of each event. */
    static final long SECOND_COPY_AFTER_MS = 1_200;
    /** Login tokens the runner's Telnyx stand-in mints. */
    public static final String TOKEN_PREFIX = "local-login-token.";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OK = "{\"data\":{\"result\":\"ok\"}}";
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{7,14}$");

    private final Settings settings;
    private final WebSocketServer socket;
    private final Webhooks webhooks;
    private final Recordings recordings;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "telnyx-twin");
        thread.setDaemon(true);
        return thread;
    });
    /** Every leg's call control id, to the browser call it belongs to. */
    private final Map<String, Call> byControlId = new ConcurrentHashMap<>();
    /** {@code call_control_id + "\n" + command_id} to when it was first seen. */
    private final Map<String, Instant> commandIds = new ConcurrentHashMap<>();

    private Twin(Settings settings) throws IOException {
        this.settings = settings;
        this.webhooks = new Webhooks(settings.webhookUrl(), settings.signer());
        this.recordings = new Recordings(settings.apiBase(), settings.linkTtl(), settings.publicRecordingUrls());
        this.socket = new WebSocketServer(settings.host(), 0, Session::new);
    }

    public static Twin start(Settings settings) throws IOException {
        Twin twin = new Twin(settings);
        twin.socket.start();
        return twin;
    }

    /** The SDK's {@code host}: where the page's signalling socket connects. */
    public String signallingUrl() {
        String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
        return "ws://" + host + ":" + socket.port();
    }

    /** What the page's {@code config.js} carries when it talks to the twin. */
    public Map<String, Object> pageConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("telnyxHost", signallingUrl());
        config.put("testNumbers", TestNumber.listing());
        return config;
    }

    public URI webhookUrl() {
        return webhooks.url();
    }

    public Flow flow() {
        return settings.flow();
    }

    public Recordings recordings() {
        return recordings;
    }

    /**
     * A Call Control command ({@code POST /v2/calls/{id}/actions/{action}}) on a leg of the twin's; {@code null} for
     * a call it does not know. A {@code command_id} seen for the same call within 60 s is ignored (200, nothing done).
     */
    public Answer command(String callControlId, String action, JsonNode body) {
        Call call = byControlId.get(callControlId);
        if (call == null) {
            return null;
        }
        JsonNode params = body == null || !body.isObject() ? JSON.createObjectNode() : body;
        String commandId = params.path("command_id").isTextual() ? params.path("command_id").asText() : "";
        synchronized (call) {
            Leg leg = call.leg(callControlId);
            if (!commandId.isEmpty()) {
                Instant now = Instant.now();
                commandIds.values().removeIf(seen -> seen.plus(COMMAND_ID_REMEMBERED).isBefore(now));
                Instant first = commandIds.putIfAbsent(callControlId + "\n" + commandId, now);
                if (first != null) {
                    call.journal("duplicate command ignored", Map.of("command", action, "leg", leg.name,
                            "command_id", commandId));
                    return new Answer(200, OK);
                }
            }
            Answer invalid = checkClientStates(params);
            if (invalid != null) {
                return invalid;
            }
            return switch (action) {
                case "record_start" -> recordStart(call, leg, params);
                case "transfer" -> transfer(call, leg, params);
                case "hangup" -> hangup(call, leg, params);
                default -> error(422, "99002", "Not modelled by the twin",
                        "The local Telnyx twin does not model the " + action + " command.", null);
            };
        }
    }

    /** {@code GET /v2/calls/{id}}: the call status API; 404 for an id never known, or 10 minutes after the end. */
    public Answer callStatus(String callControlId) {
        Call call = byControlId.get(callControlId);
        Map<String, Object> data = null;
        if (call != null) {
            synchronized (call) {
                data = call.leg(callControlId).status(Instant.now());
            }
        }
        if (data == null) {
            return error(404, "90015", "Invalid Call Control ID", "The call_control_id provided was not valid.",
                    "/call_control_id");
        }
        try {
            return new Answer(200, JSON.writeValueAsString(Map.of("data", data)));
        } catch (IOException e) {
            throw new IllegalStateException("a status always serialises", e);
        }
    }

    /** The recordings API's objects for {@code filters}, each with a freshly minted download link. */
    public List<Map<String, Object>> listRecordings(Map<String, String> filters) {
        Instant now = Instant.now();
        return recordings.find(filters).stream().map(r -> recordings.describe(r, now)).toList();
    }

    /** One recording by id, with a fresh link; {@code null} when there is none. */
    public Map<String, Object> recording(String recordingId) {
        Recordings.Recording recording = recordings.get(recordingId);
        return recording == null ? null : recordings.describe(recording, Instant.now());
    }

    /** Whether {@code callControlId} is a leg of the twin's (its recordings are then the twin's to list). */
    public boolean knows(String callControlId) {
        return byControlId.containsKey(callControlId);
    }

    /** The twin's recording id for a leg (the same one the recordings API lists). */
    public static String recordingId(String callControlId) {
        return UUID.nameUUIDFromBytes(callControlId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Every twin call, its legs and what happened to it, for {@code GET /_local/telnyx/twin}. */
    public Map<String, Object> journal() {
        List<Map<String, Object>> calls = new ArrayList<>();
        byControlId.values().stream().distinct().sorted((x, y) -> x.a.startedAt.compareTo(y.a.startedAt)).forEach(call -> {
            synchronized (call) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("call_control_id", call.a.controlId);
                entry.put("to", call.a.to);
                entry.put("flow", call.flow.name().toLowerCase(Locale.ROOT));
                entry.put("test_number", call.number.name().toLowerCase(Locale.ROOT));
                entry.put("state", call.a.endedAt != null ? "ended" : call.a.answeredAt != null ? "active" : "ringing");
                List<Map<String, Object>> legs = new ArrayList<>(List.of(call.a.describe()));
                call.transfers.forEach(b -> legs.add(b.describe()));
                entry.put("legs", legs);
                entry.put("steps", List.copyOf(call.steps));
                calls.add(entry);
            }
        });
        return Map.of("signalling", signallingUrl(), "webhooks_to", webhooks.url().toString(),
                "flow", settings.flow().name().toLowerCase(Locale.ROOT), "calls", calls);
    }

    @Override
    public void close() throws IOException {
        timers.shutdownNow();
        socket.close();
    }

    static void log(String level, String message, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", Instant.now().toString());
        line.put("level", level);
        line.put("component", "telnyx-twin");
        line.put("message", message);
        line.putAll(fields);
        try {
            System.out.println(JSON.writeValueAsString(line));
        } catch (IOException e) {
            throw new IllegalStateException("a log line always serialises", e);
        }
    }

    // ---- Call Control commands (each under the call's lock) ----

    private Answer recordStart(Call call, Leg leg, JsonNode params) {
        if (!leg.alive()) {
            return ended();
        }
        if (leg.answeredAt == null) {
            return error(422, "90034", "Call not answered yet", "This command can only be sent to an answered call.", null);
        }
        if (leg.recordingStartedAt == null) {
            leg.recordingStartedAt = Instant.now();
            leg.recordingChannels = params.path("channels").asText("dual");
            call.journal("record_start", Map.of("leg", leg.name));
        }
        return new Answer(200, OK);
    }

    /**
     * {@code transfer} of the parked leg A: a new leg B to {@code to}, with {@code target_leg_client_state} as its
     * state and, with {@code record: "record-from-answer"}, a recording from B's answer. B's outcome is chosen by its
     * number; a failed transfer ends only B, and A stays up for another command.
     */
    private Answer transfer(Call call, Leg leg, JsonNode params) {
        if (!leg.alive()) {
            return ended();
        }
        if (call.flow != Flow.PARKED || leg != call.a) {
            return error(422, "99003", "Not modelled by the twin",
                    "The twin models transfer of a parked browser leg only (CALL_FLOW=parked).", null);
        }
        if (call.b != null && call.b.alive()) {
            return error(422, "99001", "Transfer in progress",
                    "The twin takes one transfer at a time: leg " + call.b.controlId + " is still up.", null);
        }
        String to = params.path("to").asText("");
        if (!E164.matcher(to).matches() && !to.startsWith("sip:")) {
            return error(422, "99004", "Invalid value for to", "to must be an E.164 number or a SIP URI.", "/to");
        }
        String from = params.path("from").isTextual() ? params.path("from").asText() : leg.to;
        String record = params.path("record").asText("");
        if (!record.isEmpty() && !record.equals("record-from-answer")) {
            return enumError("/record", "record-from-answer");
        }
        String channels = params.path("record_channels").asText("dual");
        if (!channels.equals("dual") && !channels.equals("single")) {
            return enumError("/record_channels", "dual, single");
        }
        String format = params.path("record_format").asText("mp3");
        if (!format.equals("mp3") && !format.equals("wav")) {
            return enumError("/record_format", "wav, mp3");
        }
        int timeoutSecs = params.path("timeout_secs").asInt(30);
        if (timeoutSecs < 5 || timeoutSecs > 600) {
            return error(422, "99005", "Invalid value for timeout_secs", "timeout_secs must be 5 to 600.", "/timeout_secs");
        }
        if (params.path("client_state").isTextual()) {
            leg.clientState = params.path("client_state").asText();
        }
        String targetState = params.path("target_leg_client_state").isTextual()
                ? params.path("target_leg_client_state").asText() : null;
        Leg b = new Leg("B", leg.sessionId, leg.connectionId, from, to, targetState);
        b.recordFromAnswer = !record.isEmpty();
        b.recordingChannels = channels;
        call.b = b;
        call.transfers.add(b);
        byControlId.put(b.controlId, call);
        call.journal("transfer", Map.of("to", to, "from", from, "b_call_control_id", b.controlId,
                "record", record.isEmpty() ? "none" : record));
        ObjectNode initiated = b.event("call.initiated", b.startedAt);
        initiated.with("payload").put("direction", "outgoing").put("state", "bridging")
                .put("start_time", b.startedAt.toString());
        deliver(call, initiated, 0);
        TestNumber outcome = TestNumber.of(to);
        long noAnswerAfter = Math.min(NO_ANSWER_AFTER_MS, timeoutSecs * 1000L);
        switch (outcome) {
            case BUSY -> call.later(BUSY_AFTER_MS, () -> transferFails(call, b, new Ending("user_busy", "callee", "486")));
            case REJECTED -> call.later(REJECT_AFTER_MS,
                    () -> transferFails(call, b, new Ending("call_rejected", "callee", "603")));
            case INVALID_NUMBER -> call.later(NOT_FOUND_AFTER_MS,
                    () -> transferFails(call, b, new Ending("not_found", "callee", "404")));
            case NO_ANSWER -> call.later(noAnswerAfter, () -> transferFails(call, b, new Ending("timeout", "callee", "480")));
            default -> {
                if (ANSWER_AFTER_MS < timeoutSecs * 1000L) {
                    call.later(ANSWER_AFTER_MS, () -> bAnswers(call, b));
                } else {
                    call.later(timeoutSecs * 1000L, () -> transferFails(call, b, new Ending("timeout", "callee", "408")));
                }
            }
        }
        log("INFO", "transfer", Map.of("call_control_id", leg.controlId, "b_call_control_id", b.controlId,
                "test_number", outcome.name().toLowerCase(Locale.ROOT)));
        return new Answer(200, OK);
    }

    /**
     * {@code hangup}: the leg ends. On the browser's leg the page gets a BYE carrying the command's
     * {@code custom_headers}; a bridged partner ends with it, an unbridged B is cancelled.
     */
    private Answer hangup(Call call, Leg leg, JsonNode params) {
        if (!leg.alive()) {
            return ended();
        }
        List<Map<String, String>> headers = new ArrayList<>();
        JsonNode custom = params.path("custom_headers");
        if (!custom.isMissingNode() && !custom.isNull()) {
            if (!custom.isArray()) {
                return error(422, "99006", "Invalid value for custom_headers", "custom_headers is a list of {name, value}.",
                        "/custom_headers");
            }
            for (JsonNode header : custom) {
                if (!header.path("name").isTextual() || !header.path("value").isTextual()) {
                    return error(422, "99006", "Invalid value for custom_headers",
                            "custom_headers is a list of {name, value}.", "/custom_headers");
                }
                headers.add(Map.of("name", header.path("name").asText(), "value", header.path("value").asText()));
            }
        }
        if (params.path("client_state").isTextual()) {
            leg.clientState = params.path("client_state").asText();
        }
        call.journal("hangup command", Map.of("leg", leg.name, "custom_headers", headers));
        Ending ending = new Ending("normal_clearing", "callee", "unspecified");
        if (leg == call.a) {
            Bye bye = new Bye("NORMAL_CLEARING", 16, null, null, headers);
            timers.execute(() -> endCall(call, call.a, ending, bye));
        } else if (leg.answeredAt != null) {
            timers.execute(() -> endCall(call, leg, ending, new Bye("NORMAL_CLEARING", 16, null, null, List.of())));
        } else {
            timers.execute(() -> transferFails(call, leg, new Ending("originator_cancel", "caller", "487")));
        }
        return new Answer(200, OK);
    }

    private static Answer checkClientStates(JsonNode params) {
        for (String field : List.of("client_state", "target_leg_client_state")) {
            JsonNode value = params.path(field);
            if (value.isMissingNode() || value.isNull()) {
                continue;
            }
            boolean valid = value.isTextual() && !value.asText().contains("\n");
            if (valid) {
                try {
                    Base64.getDecoder().decode(value.asText());
                } catch (IllegalArgumentException e) {
                    valid = false;
                }
            }
            if (!valid) {
                return error(422, "90017", "Invalid client_state", "The client_state must be a valid Base64 string.",
                        "/" + field);
            }
        }
        return null;
    }

    private static Answer ended() {
        return error(422, "90018", "Call has already ended", "This call is no longer active and can't receive commands.",
                null);
    }

    private static Answer enumError(String pointer, String values) {
        return error(422, "10032", "Invalid enumerated value", "The value must be one of: " + values + ".", pointer);
    }

    private static Answer error(int status, String code, String title, String detail, String pointer) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("title", title);
        error.put("detail", detail);
        if (pointer != null) {
            error.put("source", Map.of("pointer", pointer));
        }
        try {
            return new Answer(status, JSON.writeValueAsString(Map.of("errors", List.of(error))));
        } catch (IOException e) {
            throw new IllegalStateException("an error always serialises", e);
        }
    }

    // ---- what happens to the legs ----

    /** How a leg ended, as its {@code call.hangup} says. */
    record Ending(String cause, String source, String sipCode) {
    }

    /** The BYE the page's SDK gets: cause and code always; SIP code and reason, and custom headers, when known. */
    record Bye(String cause, int causeCode, Integer sipCode, String sipReason, List<Map<String, String>> headers) {
    }

    /** Leg B answers: the page's call is answered, both legs bridged, and B records from now if asked. */
    private void bAnswers(Call call, Leg b) {
        List<ObjectNode> events = new ArrayList<>();
        synchronized (call) {
            if (!b.alive() || !call.a.alive()) {
                return;
            }
            Instant now = Instant.now();
            call.cancelTimers(); // the parked leg's give-up timer among them
            b.answeredAt = now;
            call.a.answeredAt = now;
            if (b.recordFromAnswer) {
                b.recordingStartedAt = now;
            }
            call.journal("answer", Map.of("leg", "B"));
            events.add(answered(b, now));
            // INFERRED: the browser's INVITE is answered when it is bridged, so leg A reports call.answered too
            events.add(answered(call.a, now));
            events.add(call.a.event("call.bridged", now));
            events.add(b.event("call.bridged", now));
        }
        call.session.answerBrowser(call);
        events.forEach(event -> deliver(call, event, 0));
        if (call.number == TestNumber.CALLEE_HANGS_UP) {
            call.later(CALLEE_HANGS_UP_AFTER_MS, () -> endCall(call, b, new Ending("normal_clearing", "callee", "unspecified"),
                    new Bye("NORMAL_CLEARING", 16, null, null, List.of())));
        } else {
            call.later(TIME_LIMIT_MS, () -> endCall(call, b, new Ending("time_limit", "unknown", "unspecified"),
                    new Bye("ALLOTTED_TIMEOUT", 602, null, null, List.of())));
        }
    }

    /** The transfer did not connect: only B ends, and the page's leg A rings on, waiting for another command. */
    private void transferFails(Call call, Leg b, Ending ending) {
        List<ObjectNode> events;
        synchronized (call) {
            if (!b.alive() || b.answeredAt != null) {
                return;
            }
            call.journal("transfer failed", Map.of("leg", "B", "hangup_cause", ending.cause()));
            events = finishLeg(call, b, ending);
        }
        log("INFO", "transfer failed", Map.of("call_control_id", call.a.controlId, "b_call_control_id", b.controlId,
                "hangup_cause", ending.cause()));
        send(call, events);
    }

    private ObjectNode answered(Leg leg, Instant at) {
        ObjectNode event = leg.event("call.answered", at);
        event.with("payload").put("state", "answered").put("start_time", leg.startedAt.toString());
        return event;
    }

    /**
     * The call ends from {@code first}: its {@code call.hangup}, then the other leg's (a bridged partner with the same
     * cause; an unanswered B cancelled), the BYE to the page when leg A ends and {@code bye} is given (the page
     * itself ended the call otherwise), and each recording's event a moment later.
     */
    private void endCall(Call call, Leg first, Ending ending, Bye bye) {
        List<ObjectNode> events = new ArrayList<>();
        boolean aEnds;
        synchronized (call) {
            if (!first.alive()) {
                return;
            }
            aEnds = call.a.alive();
            call.cancelTimers();
            call.journal("hangup", Map.of("leg", first.name, "by", ending.source(), "hangup_cause", ending.cause()));
            events.addAll(finishLeg(call, first, ending));
            Leg other = first == call.a ? call.b : call.a;
            if (other != null && other.alive()) {
                Ending partner = other.answeredAt != null || other == call.a
                        ? ending : new Ending("originator_cancel", "caller", "487");
                events.addAll(finishLeg(call, other, partner));
            }
        }
        if (aEnds) {
            call.session.calls.remove(call.callId);
            if (bye != null) {
                call.session.byeBrowser(call, bye);
            }
        }
        log("INFO", "call ended", Map.of("call_control_id", call.a.controlId, "test_number",
                call.number.name().toLowerCase(Locale.ROOT), "hangup_cause", ending.cause(), "hangup_source", ending.source()));
        if (call.flow == Flow.DIRECT && call.number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
            List<ObjectNode> order = new ArrayList<>();
            events.stream().filter(e -> !e.path("event_type").asText().equals("call.hangup")).forEach(order::add);
            events.stream().filter(e -> e.path("event_type").asText().equals("call.hangup")).forEach(order::add);
            synchronized (call) {
                order.addAll(call.heldBack); // a call.initiated never sent: the call was not answered
                call.heldBack.clear();
            }
            twiceInOrder(call, order);
            return;
        }
        send(call, events);
    }

    /** Ends one leg (under the call's lock): its {@code call.hangup} and, when it recorded, its recording event. */
    private List<ObjectNode> finishLeg(Call call, Leg leg, Ending ending) {
        leg.endedAt = Instant.now();
        ObjectNode hangup = leg.event("call.hangup", leg.endedAt);
        hangup.with("payload").put("state", "hangup").put("hangup_cause", ending.cause())
                .put("hangup_source", ending.source()).put("sip_hangup_cause", ending.sipCode())
                .put("start_time", leg.startedAt.toString()).put("end_time", leg.endedAt.toString());
        List<ObjectNode> events = new ArrayList<>(List.of(hangup));
        if (leg.recordingStartedAt != null) {
            events.add(recordingEvent(call, leg));
        }
        return events;
    }

    private ObjectNode recordingEvent(Call call, Leg leg) {
        Instant saved = leg.endedAt.plusMillis(RECORDING_AFTER_HANGUP_MS);
        if (call.number == TestNumber.RECORDING_FAILS) {
            ObjectNode error = leg.recordingEvent("call.recording.error", saved, true);
            error.with("payload").put("reason", "Internal server error");
            return error;
        }
        String id = recordingId(leg.controlId);
        double seconds = (leg.endedAt.toEpochMilli() - leg.recordingStartedAt.toEpochMilli()) / 1000.0;
        recordings.save(new Recordings.Recording(id, leg.controlId, leg.legId, leg.sessionId, leg.recordingChannels,
                leg.recordingStartedAt, leg.endedAt, Mp3.silence(seconds)));
        // the spec's CallRecordingSaved has neither call_control_id nor recording_id; Telnyx's documented deliveries do
        boolean full = call.number != TestNumber.RECORDING_SAVED_MINIMAL;
        ObjectNode event = leg.recordingEvent("call.recording.saved", saved, full);
        ObjectNode payload = event.with("payload");
        if (full) {
            payload.put("recording_id", id).put("format", "mp3");
        }
        payload.put("channels", leg.recordingChannels).put("recording_started_at", leg.recordingStartedAt.toString())
                .put("recording_ended_at", leg.endedAt.toString());
        payload.putObject("recording_urls").put("mp3", recordings.mint(id, Instant.now()));
        ObjectNode lasting = payload.putObject("public_recording_urls");
        if (recordings.publicUrl(id) != null) {
            lasting.put("mp3", recordings.publicUrl(id));
        }
        call.journal("recording saved", Map.of("leg", leg.name, "recording_id", id));
        return event;
    }

    /** Hang-ups now, recording events a moment later, as Telnyx saves the file after the call. */
    private void send(Call call, List<ObjectNode> events) {
        for (ObjectNode event : events) {
            boolean recording = event.path("event_type").asText().startsWith("call.recording.");
            deliver(call, event, recording ? RECORDING_AFTER_HANGUP_MS : 0);
        }
    }

    /**
     * One webhook on its way: withheld when the number says hang-ups are lost; in the parked flow sent twice (the
     * second copy after later events) when the number says so.
     */
    private void deliver(Call call, ObjectNode event, long delayMillis) {
        String type = event.path("event_type").asText();
        String leg = call.legName(event.path("payload").path("call_leg_id").asText());
        synchronized (call) {
            if (call.number == TestNumber.HANGUP_WEBHOOK_LOST && type.equals("call.hangup")) {
                call.journal("webhook withheld", Map.of("event_type", type, "leg", leg));
                return;
            }
            call.journal("webhook", Map.of("event_type", type, "leg", leg));
        }
        webhooks.deliver(event, delayMillis);
        if (call.flow == Flow.PARKED && call.number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
            synchronized (call) {
                call.journal("webhook", Map.of("event_type", type, "leg", leg, "copy", 2));
            }
            webhooks.deliver(event, delayMillis + SECOND_COPY_AFTER_MS);
        }
    }

    /** Each event of {@code order} sent in that order, then all of them again: duplicates, out of order. */
    private void twiceInOrder(Call call, List<ObjectNode> order) {
        long delay = 0;
        for (int round = 0; round < 2; round++) {
            for (ObjectNode event : order) {
                synchronized (call) {
                    call.journal("webhook", Map.of("event_type", event.path("event_type").asText(), "copy", round + 1));
                }
                webhooks.deliver(event, delay);
                delay += 150;
            }
        }
    }

    /** One call the page placed: the browser's leg A and, in the parked flow, the leg B of each transfer. */
    private final class Call {
        final Session session;
        final String callId;
        final TestNumber number;
        final Flow flow = settings.flow();
        final Leg a;
        /** The current transfer's leg, or {@code null}. */
        Leg b;
        final List<Leg> transfers = new ArrayList<>();
        final List<ScheduledFuture<?>> pending = new ArrayList<>();
        final List<Map<String, Object>> steps = new ArrayList<>();
        /** Events held back to be sent late (the out-of-order test number, direct flow). */
        final List<ObjectNode> heldBack = new ArrayList<>();
        final String answerSdp;

        Call(Session session, String callId, String from, String to, String clientState, String answerSdp) {
            this.session = session;
            this.callId = callId;
            this.number = TestNumber.of(to);
            this.answerSdp = answerSdp;
            this.a = new Leg("A", UUID.randomUUID().toString(), settings.connectionId(), from, to, clientState);
        }

        Leg leg(String controlId) {
            if (a.controlId.equals(controlId)) {
                return a;
            }
            return transfers.stream().filter(leg -> leg.controlId.equals(controlId)).findFirst().orElseThrow();
        }

        String legName(String legId) {
            if (a.legId.equals(legId)) {
                return "A";
            }
            return transfers.stream().filter(leg -> leg.legId.equals(legId)).map(leg -> leg.name).findFirst().orElse("?");
        }

        void journal(String step, Map<String, ?> detail) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("step", step);
            entry.put("at", Instant.now().toString());
            entry.putAll(detail);
            steps.add(entry);
        }

        void later(long millis, Runnable step) {
            synchronized (this) {
                pending.add(timers.schedule(() -> {
                    try {
                        step.run();
                    } catch (RuntimeException e) {
                        log("ERROR", "twin step failed", Map.of("call_control_id", a.controlId, "error", String.valueOf(e)));
                    }
                }, millis, TimeUnit.MILLISECONDS));
            }
        }

        void cancelTimers() {
            pending.forEach(timer -> timer.cancel(false));
            pending.clear();
        }

        /** The ids the page's SDK learns: always leg A's, the leg the browser is on. */
        Map<String, Object> ids() {
            return Map.of("callID", callId, "telnyx_call_control_id", a.controlId, "telnyx_session_id", a.sessionId,
                    "telnyx_leg_id", a.legId);
        }
    }

    /** One signalling socket: the Verto JSON-RPC the SDK speaks. */
    private final class Session implements WebSocketServer.Listener {
        private final WebSocketServer.Connection connection;
        private final String sessid = UUID.randomUUID().toString();
        private final Map<String, Call> calls = new ConcurrentHashMap<>();
        private int nextId = 1;
        private boolean loggedIn;

        Session(WebSocketServer.Connection connection) {
            this.connection = connection;
        }

        @Override
        public void onText(String text) {
            JsonNode message;
            try {
                message = JSON.readTree(text);
            } catch (IOException e) {
                reply(null, null, Map.of("code", -32700, "message", "Parse error: not JSON"));
                return;
            }
            if (message == null || !message.isObject()) {
                reply(null, null, Map.of("code", -32600, "message", "Invalid Request: a JSON-RPC object is expected"));
                return;
            }
            JsonNode id = message.get("id");
            String method = message.path("method").asText("");
            JsonNode params = message.path("params");
            if (method.isEmpty()) {
                return; // the SDK's answer to one of our requests
            }
            if (!loggedIn && !method.equals("login") && !method.equals("telnyx_rtc.ping")) {
                reply(id, null, Map.of("code", -32000, "message", "Authentication Required"));
                return;
            }
            switch (method) {
                case "login" -> login(id, params);
                case "telnyx_rtc.gatewayState" -> reply(id, Map.of("params", Map.of("state", "REGED")), null);
                case "telnyx_rtc.invite" -> invite(id, params);
                case "telnyx_rtc.bye" -> bye(id, params);
                case "telnyx_rtc.modify" -> modify(id, params);
                case "telnyx_rtc.info" -> info(id, params);
                default -> reply(id, Map.of("method", method, "sessid", sessid), null);
            }
        }

        private void login(JsonNode id, JsonNode params) {
            String login = params.path("login").asText("");
            String password = params.path("passwd").asText(params.path("password").asText(""));
            String token = params.path("login_token").asText("");
            boolean byPassword = !login.isEmpty() && (settings.sipUsername() == null
                    ? !password.isEmpty()
                    : login.equals(settings.sipUsername()) && password.equals(settings.sipPassword()));
            boolean byToken = login.isEmpty() && token.startsWith(TOKEN_PREFIX);
            if (!byPassword && !byToken) {
                log("WARN", "login refused", Map.of("login", login.isEmpty() ? "(token)" : login));
                reply(id, null, Map.of("code", -32001, "message", "Authentication Failure"));
                return;
            }
            loggedIn = true;
            reply(id, Map.of("message", "logged in", "sessid", sessid), null);
            request("telnyx_rtc.clientReady", Map.of());
        }

        private void invite(JsonNode id, JsonNode params) {
            JsonNode dialog = params.path("dialogParams");
            String callId = dialog.path("callID").asText("");
            String to = dialog.path("destination_number").asText("");
            String sdp = params.path("sdp").asText("");
            if (callId.isEmpty() || to.isEmpty() || sdp.isEmpty()) {
                reply(id, null, Map.of("code", -32602, "message",
                        "Invalid params: dialogParams.callID, dialogParams.destination_number and sdp are required"));
                return;
            }
            String answerSdp;
            try {
                answerSdp = Sdp.answer(sdp);
            } catch (RuntimeException e) {
                reply(id, null, Map.of("code", -32602, "message", "Invalid params: the SDP offer could not be read"));
                return;
            }
            JsonNode clientState = dialog.path("clientState");
            Call call = new Call(this, callId, dialog.path("caller_id_number").asText(settings.sipUsername()), to,
                    clientState.isTextual() ? clientState.asText() : null, answerSdp);
            calls.put(callId, call);
            byControlId.put(call.a.controlId, call);
            reply(id, Map.of("callID", callId, "message", "CALL CREATED", "sessid", sessid), null);
            log("INFO", "call placed", Map.of("call_control_id", call.a.controlId, "flow",
                    call.flow.name().toLowerCase(Locale.ROOT), "test_number", call.number.name().toLowerCase(Locale.ROOT)));
            ObjectNode initiated;
            synchronized (call) {
                call.journal("invite", Map.of());
                initiated = call.a.event("call.initiated", call.a.startedAt);
                initiated.with("payload").put("direction", "outgoing")
                        .put("state", call.flow == Flow.PARKED ? "parked" : "bridging")
                        .put("start_time", call.a.startedAt.toString());
            }
            call.later(RING_AFTER_MS, () -> ring(call));
            if (call.flow == Flow.PARKED) {
                deliver(call, initiated, 0);
                call.later(PARKED_GIVES_UP_MS, () -> endCall(call, call.a, new Ending("timeout", "unknown", "408"),
                        new Bye("RECOVERY_ON_TIMER_EXPIRE", 102, 408, "Request Timeout", List.of())));
                return; // nothing more until a command
            }
            if (call.number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
                synchronized (call) {
                    call.heldBack.add(initiated);
                }
            } else {
                deliver(call, initiated, 0);
            }
            switch (call.number) {
                case BUSY -> call.later(BUSY_AFTER_MS, () -> endCall(call, call.a, new Ending("user_busy", "callee", "486"),
                        new Bye("USER_BUSY", 17, 486, "Busy Here", List.of())));
                case REJECTED -> call.later(REJECT_AFTER_MS, () -> endCall(call, call.a,
                        new Ending("call_rejected", "callee", "603"), new Bye("CALL_REJECTED", 21, 603, "Decline", List.of())));
                case INVALID_NUMBER -> call.later(NOT_FOUND_AFTER_MS, () -> endCall(call, call.a,
                        new Ending("not_found", "callee", "404"), new Bye("UNALLOCATED_NUMBER", 1, 404, "Not Found", List.of())));
                case NO_ANSWER -> call.later(NO_ANSWER_AFTER_MS, () -> endCall(call, call.a,
                        new Ending("timeout", "callee", "480"),
                        new Bye("NO_ANSWER", 19, 480, "Temporarily Unavailable", List.of())));
                default -> call.later(ANSWER_AFTER_MS, () -> answerDirect(call));
            }
        }

        private void ring(Call call) {
            synchronized (call) {
                if (!call.a.alive()) {
                    return;
                }
                call.journal("ringing", Map.of());
            }
            Map<String, Object> params = new LinkedHashMap<>(call.ids());
            params.put("display_direction", "outbound");
            request("telnyx_rtc.ringing", params);
        }

        /** The direct flow's answer: the number answers the browser's own leg. */
        private void answerDirect(Call call) {
            ObjectNode answered;
            synchronized (call) {
                if (!call.a.alive()) {
                    return;
                }
                call.a.answeredAt = Instant.now();
                call.journal("answer", Map.of());
                answered = answered(call.a, call.a.answeredAt);
            }
            answerBrowser(call);
            if (call.number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
                List<ObjectNode> order = new ArrayList<>(List.of(answered));
                synchronized (call) {
                    order.addAll(call.heldBack);
                    call.heldBack.clear();
                }
                twiceInOrder(call, order);
            } else {
                deliver(call, answered, 0);
            }
            if (call.number == TestNumber.CALLEE_HANGS_UP) {
                call.later(CALLEE_HANGS_UP_AFTER_MS, () -> endCall(call, call.a,
                        new Ending("normal_clearing", "callee", "unspecified"),
                        new Bye("NORMAL_CLEARING", 16, null, null, List.of())));
            } else {
                call.later(TIME_LIMIT_MS, () -> endCall(call, call.a, new Ending("time_limit", "unknown", "unspecified"),
                        new Bye("ALLOTTED_TIMEOUT", 602, null, null, List.of())));
            }
        }

        void answerBrowser(Call call) {
            Map<String, Object> params = new LinkedHashMap<>(call.ids());
            params.put("sdp", call.answerSdp);
            request("telnyx_rtc.answer", params);
        }

        /**
         * The far end's BYE. Real Telnyx sends {@code cause}, {@code causeCode} and, when the far end gave one, the SIP
         * code and reason (the fields Telnyx's own SDKs read from a received BYE). The hang-up command's custom headers
         * ride in {@code dialogParams.custom_headers}, as the headers of an inbound INVITE do: INFERRED, not seen live.
         */
        void byeBrowser(Call call, Bye bye) {
            Map<String, Object> params = new LinkedHashMap<>(call.ids());
            params.put("cause", bye.cause());
            params.put("causeCode", bye.causeCode());
            if (bye.sipCode() != null) {
                params.put("sipCode", bye.sipCode());
                params.put("sipReason", bye.sipReason());
            }
            if (!bye.headers().isEmpty()) {
                params.put("dialogParams", Map.of("custom_headers", bye.headers()));
            }
            request("telnyx_rtc.bye", params);
        }

        private void bye(JsonNode id, JsonNode params) {
            String callId = params.path("dialogParams").path("callID").asText(params.path("callID").asText(""));
            Call call = calls.get(callId);
            reply(id, Map.of("callID", callId, "message", "CALL ENDED", "sessid", sessid,
                    "cause", params.path("cause").asText("NORMAL_CLEARING"),
                    "causeCode", params.path("causeCode").asInt(16)), null);
            if (call != null) {
                String cause;
                synchronized (call) {
                    cause = params.path("cause").asText(call.a.answeredAt == null ? "USER_BUSY" : "NORMAL_CLEARING");
                }
                endCall(call, call.a, new Ending(cause.toLowerCase(Locale.ROOT), "caller",
                        cause.equals("ORIGINATOR_CANCEL") ? "487" : "unspecified"), null);
            }
        }

        private void modify(JsonNode id, JsonNode params) {
            String callId = params.path("dialogParams").path("callID").asText("");
            String action = params.path("action").asText("");
            Call call = calls.get(callId);
            if (call == null) {
                reply(id, null, Map.of("code", -32002, "message", "CALL DOES NOT EXIST"));
                return;
            }
            boolean held;
            synchronized (call) {
                boolean wasHeld = call.steps.stream().filter(s -> s.get("step").equals("hold") || s.get("step").equals("unhold"))
                        .reduce((x, y) -> y).map(s -> s.get("step").equals("hold")).orElse(false);
                held = action.equals("hold") || (action.equals("toggleHold") && !wasHeld);
                if (action.equals("hold") || action.equals("unhold") || action.equals("toggleHold")) {
                    call.journal(held ? "hold" : "unhold", Map.of());
                }
            }
            reply(id, Map.of("callID", callId, "action", action, "holdState", held ? "held" : "active", "sessid", sessid), null);
        }

        private void info(JsonNode id, JsonNode params) {
            String callId = params.path("dialogParams").path("callID").asText("");
            Call call = calls.get(callId);
            if (call != null && params.has("dtmf")) {
                synchronized (call) {
                    call.journal("dtmf", Map.of("digits", params.path("dtmf").asText()));
                }
            }
            reply(id, Map.of("message", "SENT", "sessid", sessid), null);
        }

        @Override
        public void onClose() {
            for (Call call : List.copyOf(calls.values())) {
                endCall(call, call.a, new Ending("normal_clearing", "caller", "unspecified"), null);
            }
        }

        private void request(String method, Map<String, ?> params) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("jsonrpc", "2.0");
            synchronized (this) {
                message.put("id", nextId++);
            }
            message.put("method", method);
            message.put("params", params);
            write(message);
        }

        private void reply(JsonNode id, Map<String, ?> result, Map<String, ?> error) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("jsonrpc", "2.0");
            message.put("id", id);
            if (error != null) {
                message.put("error", error);
            } else {
                message.put("result", result);
            }
            write(message);
        }

        private void write(Map<String, Object> message) {
            try {
                connection.send(JSON.writeValueAsString(message));
            } catch (IOException e) {
                throw new IllegalStateException("a message always serialises", e);
            }
        }
    }
}
