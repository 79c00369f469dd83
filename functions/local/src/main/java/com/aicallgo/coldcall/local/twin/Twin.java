package com.aicallgo.coldcall.local.twin;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A local Telnyx for the direct call flow (the SDK's call goes straight to the number; our backend starts the
 * recording with {@code record_start}): the WebRTC SDK's Verto signalling over a WebSocket, Call Control's
 * {@code record_start}, a recording file per recorded call, and the call's webhooks, signed, to the runner's own
 * webhook route. What each call does is chosen by the number dialled ({@link TestNumber}).
 */
public final class Twin implements AutoCloseable {
    /** What the twin needs from the runner: where it listens, where it posts, whom it lets in. */
    public record Settings(String host, String apiBase, URI webhookUrl, WebhookSigner signer, String sipUsername,
            String sipPassword, String connectionId) {
        @Override
        public String toString() {
            return "Settings[host=" + host + ", apiBase=" + apiBase + ", webhookUrl=" + webhookUrl + ", sipUsername="
                    + sipUsername + ", sipPassword=***]";
        }
    }

    /** An HTTP answer for a Call Control command. */
    public record Answer(int status, String body) {
    }

    static final long RING_AFTER_MS = 300;
    static final long ANSWER_AFTER_MS = 1_500;
    static final long BUSY_AFTER_MS = 1_500;
    static final long REJECT_AFTER_MS = 2_000;
    static final long NO_ANSWER_AFTER_MS = 6_000;
    static final long CALLEE_HANGS_UP_AFTER_MS = 4_000;
    static final long RECORDING_AFTER_HANGUP_MS = 500;
    static final long TIME_LIMIT_MS = 30 * 60_000;
    /** Login tokens the runner's Telnyx stand-in mints. */
    public static final String TOKEN_PREFIX = "local-login-token.";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;
    private final WebSocketServer socket;
    private final Webhooks webhooks;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "telnyx-twin");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Call> byControlId = new ConcurrentHashMap<>();
    private final Map<String, byte[]> recordings = new ConcurrentHashMap<>();

    private Twin(Settings settings) throws IOException {
        this.settings = settings;
        this.webhooks = new Webhooks(settings.webhookUrl(), settings.signer());
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

    /** {@code record_start} on a call of the twin's; {@code null} for a call it does not know. */
    public Answer recordStart(String callControlId) {
        Call call = byControlId.get(callControlId);
        if (call == null) {
            return null;
        }
        synchronized (call) {
            if (call.endedAt != null) {
                return error(90018, "Call has already ended", "This call is no longer active and can't receive commands.");
            }
            if (call.answeredAt == null) {
                return error(90034, "Call not answered yet", "This command can only be sent to an answered call.");
            }
            if (call.recordingStartedAt == null) {
                call.recordingStartedAt = Instant.now();
                call.journal("record_start", Map.of());
            }
        }
        return new Answer(200, "{\"data\":{\"result\":\"ok\"}}");
    }

    private static Answer error(int code, String title, String detail) {
        return new Answer(422, "{\"errors\":[{\"code\":\"" + code + "\",\"title\":\"" + title + "\",\"detail\":\"" + detail + "\"}]}");
    }

    /** The twin's recording id for a call (the same one the recordings API lists). */
    public static String recordingId(String callControlId) {
        return UUID.nameUUIDFromBytes(callControlId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Whether the recordings API lists this call's recording: a twin call only once it was saved. */
    public boolean lists(String callControlId) {
        Call call = byControlId.get(callControlId);
        return call == null || recordings.containsKey(recordingId(callControlId));
    }

    public String recordingUrl(String recordingId) {
        return settings.apiBase() + "/recordings/" + recordingId + ".mp3";
    }

    /** The recording file, or {@code null}. */
    public byte[] recording(String recordingId) {
        return recordings.get(recordingId);
    }

    /** Every twin call and what happened to it, for {@code GET /_local/telnyx/twin}. */
    public Map<String, Object> journal() {
        List<Map<String, Object>> calls = new ArrayList<>();
        byControlId.values().stream().sorted((a, b) -> a.startedAt.compareTo(b.startedAt)).forEach(call -> {
            synchronized (call) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("call_control_id", call.controlId);
                entry.put("to", call.to);
                entry.put("test_number", call.number.name().toLowerCase());
                entry.put("state", call.endedAt != null ? "ended" : call.answeredAt != null ? "active" : "ringing");
                entry.put("steps", List.copyOf(call.steps));
                calls.add(entry);
            }
        });
        return Map.of("signalling", signallingUrl(), "webhooks_to", webhooks.url().toString(), "calls", calls);
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

    /** One call the page placed. */
    private final class Call {
        final String callId;
        final String controlId = "v3:twin-" + UUID.randomUUID();
        final String legId = UUID.randomUUID().toString();
        final String sessionId = UUID.randomUUID().toString();
        final String from;
        final String to;
        final String clientState;
        final TestNumber number;
        final Session session;
        final Instant startedAt = Instant.now();
        final List<ScheduledFuture<?>> pending = new ArrayList<>();
        final List<Map<String, Object>> steps = new ArrayList<>();
        /** Events held back to be sent late (the out-of-order test number). */
        final List<ObjectNode> heldBack = new ArrayList<>();
        Instant answeredAt;
        Instant endedAt;
        Instant recordingStartedAt;

        Call(Session session, String callId, String from, String to, String clientState) {
            this.session = session;
            this.callId = callId;
            this.from = from;
            this.to = to;
            this.clientState = clientState;
            this.number = TestNumber.of(to);
        }

        void journal(String step, Map<String, ?> detail) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("step", step);
            entry.put("at", Instant.now().toString());
            entry.putAll(detail);
            steps.add(entry);
        }

        void later(long millis, Runnable step) {
            pending.add(timers.schedule(() -> {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    log("ERROR", "twin step failed", Map.of("call_control_id", controlId, "error", String.valueOf(e)));
                }
            }, millis, TimeUnit.MILLISECONDS));
        }

        Map<String, Object> ids() {
            return Map.of("callID", callId, "telnyx_call_control_id", controlId, "telnyx_session_id", sessionId,
                    "telnyx_leg_id", legId);
        }

        ObjectNode event(String type, Instant at) {
            ObjectNode data = JSON.createObjectNode();
            data.put("record_type", "event").put("event_type", type).put("id", UUID.randomUUID().toString())
                    .put("occurred_at", at.toString());
            ObjectNode payload = data.putObject("payload");
            payload.put("call_control_id", controlId).put("call_leg_id", legId).put("call_session_id", sessionId)
                    .put("client_state", clientState).put("connection_id", settings.connectionId())
                    .put("from", from).put("to", to).put("direction", "outgoing");
            return data;
        }

        void send(ObjectNode event) {
            journal("webhook", Map.of("event_type", event.path("event_type").asText()));
            webhooks.deliver(event, 0);
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
                    clientState.isTextual() ? clientState.asText() : null);
            calls.put(callId, call);
            byControlId.put(call.controlId, call);
            reply(id, Map.of("callID", callId, "message", "CALL CREATED", "sessid", sessid), null);
            log("INFO", "call placed", Map.of("call_control_id", call.controlId, "test_number",
                    call.number.name().toLowerCase()));
            synchronized (call) {
                call.journal("invite", Map.of());
                ObjectNode initiated = call.event("call.initiated", call.startedAt);
                initiated.with("payload").put("state", "bridging").put("start_time", call.startedAt.toString());
                if (call.number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
                    call.heldBack.add(initiated);
                } else {
                    call.send(initiated);
                }
            }
            call.later(RING_AFTER_MS, () -> ring(call));
            switch (call.number) {
                case BUSY -> call.later(BUSY_AFTER_MS, () -> end(call, true, "USER_BUSY", 17, 486, "Busy Here", "user_busy"));
                case REJECTED -> call.later(REJECT_AFTER_MS,
                        () -> end(call, true, "CALL_REJECTED", 21, 603, "Decline", "call_rejected"));
                case NO_ANSWER -> call.later(NO_ANSWER_AFTER_MS,
                        () -> end(call, true, "NO_ANSWER", 19, 480, "Temporarily Unavailable", "timeout"));
                default -> call.later(ANSWER_AFTER_MS, () -> answer(call, answerSdp));
            }
        }

        private void ring(Call call) {
            synchronized (call) {
                if (call.endedAt != null) {
                    return;
                }
                call.journal("ringing", Map.of());
            }
            Map<String, Object> params = new LinkedHashMap<>(call.ids());
            params.put("display_direction", "outbound");
            request("telnyx_rtc.ringing", params);
        }

        private void answer(Call call, String sdp) {
            ObjectNode answered;
            synchronized (call) {
                if (call.endedAt != null) {
                    return;
                }
                call.answeredAt = Instant.now();
                call.journal("answer", Map.of());
                answered = call.event("call.answered", call.answeredAt);
                answered.with("payload").put("state", "answered").put("start_time", call.startedAt.toString());
            }
            Map<String, Object> params = new LinkedHashMap<>(call.ids());
            params.put("sdp", sdp);
            request("telnyx_rtc.answer", params);
            if (call.number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
                List<ObjectNode> order = new ArrayList<>(List.of(answered));
                synchronized (call) {
                    order.addAll(call.heldBack);
                    call.heldBack.clear();
                }
                twiceInOrder(call, order);
            } else {
                call.send(answered);
            }
            if (call.number == TestNumber.CALLEE_HANGS_UP) {
                call.later(CALLEE_HANGS_UP_AFTER_MS, () -> end(call, true, "NORMAL_CLEARING", 16, 200, null, "normal_clearing"));
            } else {
                call.later(TIME_LIMIT_MS, () -> end(call, true, "ALLOTTED_TIMEOUT", 602, 200, null, "time_limit"));
            }
        }

        /** Each event of {@code order} sent in that order, then all of them again: duplicates, out of order. */
        private void twiceInOrder(Call call, List<ObjectNode> order) {
            long delay = 0;
            for (int round = 0; round < 2; round++) {
                for (ObjectNode event : order) {
                    call.journal("webhook", Map.of("event_type", event.path("event_type").asText(), "copy", round + 1));
                    webhooks.deliver(event, delay);
                    delay += 150;
                }
            }
        }

        /**
         * The call ends: the far end's BYE to the page when the callee (or the network) ends it, then
         * {@code call.hangup} and, when a recording was running, its saved (or error) event.
         */
        private void end(Call call, boolean byCallee, String cause, int causeCode, int sipCode, String sipReason,
                String hangupCause) {
            ObjectNode hangup;
            ObjectNode recordingEvent = null;
            synchronized (call) {
                if (call.endedAt != null) {
                    return;
                }
                call.endedAt = Instant.now();
                call.pending.forEach(timer -> timer.cancel(false));
                call.journal("hangup", Map.of("by", byCallee ? "callee" : "caller", "cause", cause));
                hangup = call.event("call.hangup", call.endedAt);
                hangup.with("payload").put("state", "hangup").put("hangup_cause", hangupCause)
                        .put("hangup_source", byCallee ? "callee" : "caller")
                        .put("sip_hangup_cause", sipCode == 200 ? "unspecified" : Integer.toString(sipCode))
                        .put("start_time", call.startedAt.toString()).put("end_time", call.endedAt.toString());
                if (call.recordingStartedAt != null) {
                    Instant saved = call.endedAt.plusMillis(RECORDING_AFTER_HANGUP_MS);
                    String recordingId = recordingId(call.controlId);
                    if (call.number == TestNumber.RECORDING_FAILS) {
                        recordingEvent = call.event("call.recording.error", saved);
                        recordingEvent.with("payload").put("reason", "Internal server error");
                    } else {
                        double seconds = (call.endedAt.toEpochMilli() - call.recordingStartedAt.toEpochMilli()) / 1000.0;
                        recordings.put(recordingId, Mp3.silence(seconds));
                        recordingEvent = call.event("call.recording.saved", saved);
                        ObjectNode payload = recordingEvent.with("payload");
                        payload.put("recording_id", recordingId).put("channels", "dual").put("format", "mp3")
                                .put("recording_started_at", call.recordingStartedAt.toString())
                                .put("recording_ended_at", call.endedAt.toString());
                        payload.putObject("recording_urls").put("mp3", recordingUrl(recordingId));
                        payload.putObject("public_recording_urls");
                    }
                }
            }
            calls.remove(call.callId);
            if (byCallee) {
                Map<String, Object> params = new LinkedHashMap<>(call.ids());
                params.put("cause", cause);
                params.put("causeCode", causeCode);
                if (sipCode != 200) {
                    params.put("sipCode", sipCode);
                    params.put("sipReason", sipReason);
                }
                request("telnyx_rtc.bye", params);
            }
            log("INFO", "call ended", Map.of("call_control_id", call.controlId, "test_number",
                    call.number.name().toLowerCase(), "hangup_cause", hangupCause, "hangup_source", byCallee ? "callee" : "caller"));
            switch (call.number) {
                case HANGUP_WEBHOOK_LOST -> {
                    synchronized (call) {
                        call.journal("webhook withheld", Map.of("event_type", "call.hangup"));
                    }
                    if (recordingEvent != null) {
                        sendLater(call, recordingEvent);
                    }
                }
                case WEBHOOKS_TWICE_OUT_OF_ORDER -> {
                    List<ObjectNode> order = new ArrayList<>();
                    if (recordingEvent != null) {
                        order.add(recordingEvent);
                    }
                    order.add(hangup);
                    synchronized (call) {
                        order.addAll(call.heldBack); // a call.initiated never sent: the call was not answered
                        call.heldBack.clear();
                        twiceInOrder(call, order);
                    }
                }
                default -> {
                    synchronized (call) {
                        call.send(hangup);
                    }
                    if (recordingEvent != null) {
                        sendLater(call, recordingEvent);
                    }
                }
            }
        }

        private void sendLater(Call call, ObjectNode event) {
            synchronized (call) {
                call.journal("webhook", Map.of("event_type", event.path("event_type").asText()));
            }
            webhooks.deliver(event, RECORDING_AFTER_HANGUP_MS);
        }

        private void bye(JsonNode id, JsonNode params) {
            String callId = params.path("dialogParams").path("callID").asText(params.path("callID").asText(""));
            Call call = calls.get(callId);
            reply(id, Map.of("callID", callId, "message", "CALL ENDED", "sessid", sessid,
                    "cause", params.path("cause").asText("NORMAL_CLEARING"),
                    "causeCode", params.path("causeCode").asInt(16)), null);
            if (call != null) {
                String cause = params.path("cause").asText(call.answeredAt == null ? "USER_BUSY" : "NORMAL_CLEARING");
                end(call, false, cause, params.path("causeCode").asInt(16), 200, null, cause.toLowerCase());
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
                        .reduce((a, b) -> b).map(s -> s.get("step").equals("hold")).orElse(false);
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
                end(call, false, "NORMAL_CLEARING", 16, 200, null, "normal_clearing");
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
