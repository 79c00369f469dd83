package com.aicallgo.coldcall.local.twin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** One signalling socket of the twin: the Verto JSON-RPC the WebRTC SDK speaks (login, invite, bye, modify, info). */
final class VertoSession implements WebSocketServer.Listener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Twin twin;
    private final WebSocketServer.Connection connection;
    /** The session id: a fresh one, or the one a reconnect login names. */
    private volatile String sessid = UUID.randomUUID().toString();
    private final String voiceSdkId = "twin-" + UUID.randomUUID();
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private int nextId = 1;
    private boolean loggedIn;
    /** The SIP user this socket logged in as: the shared login, or a rep's own credential. */
    private String sipUser;

    VertoSession(Twin twin, WebSocketServer.Connection connection) {
        this.twin = twin;
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
            case "telnyx_rtc.attach" -> attached(id, params);
            default -> reply(id, Map.of("method", method, "sessid", sessid), null);
        }
    }

    private void login(JsonNode id, JsonNode params) {
        String login = params.path("login").asText("");
        String password = params.path("passwd").asText(params.path("password").asText(""));
        String token = params.path("login_token").asText("");
        boolean byPassword = !login.isEmpty() && (twin.credentials().accepts(login, password)
                || (twin.settings().sipUsername() == null
                        ? !password.isEmpty()
                        : login.equals(twin.settings().sipUsername()) && password.equals(twin.settings().sipPassword())));
        boolean byToken = login.isEmpty() && token.startsWith(Twin.TOKEN_PREFIX);
        if (!byPassword && !byToken) {
            Twin.log("WARN", "login refused", Map.of("login", login.isEmpty() ? "(token)" : login));
            reply(id, null, Map.of("code", -32001, "message", "Authentication Failure"));
            return;
        }
        loggedIn = true;
        // a token names its credential (Telnyx: the JWT's subject); one the twin never made is the shared login's
        String ownUser = byToken ? twin.credentials().sipUserOfToken(token) : null;
        sipUser = byPassword ? login : ownUser != null ? ownUser : twin.settings().sipUsername();
        // the SDK's reconnect login names the session its dropped socket had: its calls come back to this socket
        String named = params.path("sessid").asText("");
        List<Call> back = twin.reattach(named);
        if (!named.isEmpty()) {
            sessid = named;
        }
        List<Call> answered = new ArrayList<>();
        for (Call call : back) {
            synchronized (call) {
                if (!call.a.alive()) {
                    continue;
                }
                call.session = this;
                calls.put(call.callId, call);
                call.journal("reattached", Map.of("sessid", sessid));
                if (call.a.answeredAt != null) {
                    answered.add(call);
                }
            }
        }
        Twin.log("INFO", "logged in", Map.of("sip_username", String.valueOf(sipUser), "by", byToken ? "token" : "password",
                "reattached", calls.size()));
        reply(id, Map.of("message", "logged in", "sessid", sessid), null);
        request("telnyx_rtc.clientReady", calls.isEmpty() ? Map.of()
                : Map.of("reattached_sessions", List.copyOf(calls.keySet())));
        // an answered call comes back as Telnyx's b2bua brings it: telnyx_rtc.attach with a new offer, which the
        // SDK answers with a new peer connection; a ringing one just goes on (its answer or BYE comes here)
        for (Call call : answered) {
            Map<String, Object> attach = new LinkedHashMap<>(call.ids());
            attach.put("sdp", Sdp.offer());
            attach.put("caller_id_name", call.a.from);
            attach.put("caller_id_number", call.a.from);
            attach.put("callee_id_name", call.a.to);
            attach.put("callee_id_number", call.a.to);
            attach.put("display_direction", "outbound");
            request("telnyx_rtc.attach", attach);
        }
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
        Call call = new Call(twin, this, callId, dialog.path("caller_id_number").asText(sipUser), to,
                clientState.isTextual() ? clientState.asText() : null, answerSdp);
        calls.put(callId, call);
        twin.register(call.a.controlId, call);
        reply(id, Map.of("callID", callId, "message", "CALL CREATED", "sessid", sessid), null);
        Twin.log("INFO", "call placed", Map.of("call_control_id", call.a.controlId, "flow",
                call.flow.name().toLowerCase(Locale.ROOT), "test_number", call.number.name().toLowerCase(Locale.ROOT)));
        ObjectNode initiated;
        synchronized (call) {
            call.journal("invite", Map.of());
            initiated = call.a.event("call.initiated", call.a.startedAt);
            initiated.with("payload").put("direction", "outgoing")
                    .put("state", call.flow == Twin.Flow.PARKED ? "parked" : "bridging")
                    .put("start_time", call.a.startedAt.toString());
            // the INVITE's custom headers (the SDK's customHeaders) ride on call.initiated, as Telnyx sends them
            JsonNode custom = dialog.path("custom_headers");
            if (custom.isArray() && !custom.isEmpty()) {
                initiated.with("payload").set("custom_headers", custom.deepCopy());
            }
        }
        call.later(Twin.RING_AFTER_MS, () -> ring(call));
        if (call.flow == Twin.Flow.PARKED) {
            call.deliver(initiated, 0);
            call.later(Twin.PARKED_GIVES_UP_MS, () -> call.end(call.a, new Call.Ending("timeout", "unknown", "408"),
                    new Call.Bye("RECOVERY_ON_TIMER_EXPIRE", 102, 408, "Request Timeout", List.of())));
            return; // nothing more until a command
        }
        if (call.number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
            synchronized (call) {
                call.heldBack.add(initiated);
            }
        } else {
            call.deliver(initiated, 0);
        }
        switch (call.number) {
            case BUSY -> call.later(Twin.BUSY_AFTER_MS, () -> call.end(call.a, new Call.Ending("user_busy", "callee", "486"),
                    new Call.Bye("USER_BUSY", 17, 486, "Busy Here", List.of())));
            case REJECTED -> call.later(Twin.REJECT_AFTER_MS, () -> call.end(call.a,
                    new Call.Ending("call_rejected", "callee", "603"), new Call.Bye("CALL_REJECTED", 21, 603, "Decline", List.of())));
            case INVALID_NUMBER -> call.later(Twin.NOT_FOUND_AFTER_MS, () -> call.end(call.a,
                    new Call.Ending("not_found", "callee", "404"), new Call.Bye("UNALLOCATED_NUMBER", 1, 404, "Not Found", List.of())));
            case NO_ANSWER -> call.later(Twin.NO_ANSWER_AFTER_MS, () -> call.end(call.a,
                    new Call.Ending("timeout", "callee", "480"),
                    new Call.Bye("NO_ANSWER", 19, 480, "Temporarily Unavailable", List.of())));
            default -> call.later(Twin.ANSWER_AFTER_MS, () -> answerDirect(call));
        }
    }

    private void ring(Call call) {
        synchronized (call) {
            if (!call.a.alive()) {
                return;
            }
            call.journal("ringing", Map.of());
        }
        Map<String, Object> params = new LinkedHashMap<>(call.ringingIds(twin.switches().earlyCallId()));
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
            answered = Call.answered(call.a, call.a.answeredAt);
        }
        // the browser's leg is bridged to the number's (Telnyx's leg to the PSTN has no Call Control id of ours)
        ObjectNode bridged = Call.bridged(call.a, call.a.answeredAt);
        call.session.answerBrowser(call);
        if (call.number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
            List<ObjectNode> order = new ArrayList<>(List.of(answered, bridged));
            synchronized (call) {
                order.addAll(call.heldBack);
                call.heldBack.clear();
            }
            call.twiceInOrder(order);
        } else {
            call.deliver(answered, 0);
            call.deliver(bridged, 0);
        }
        call.afterAnswer(call.a);
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
    void byeBrowser(Call call, Call.Bye bye) {
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
            call.end(call.a, new Call.Ending(cause.toLowerCase(Locale.ROOT), "caller",
                    cause.equals("ORIGINATOR_CANCEL") ? "487" : "unspecified"), null);
        }
    }

    /** The SDK's answer to a {@code telnyx_rtc.attach}: its new peer connection's SDP; the call goes on. */
    private void attached(JsonNode id, JsonNode params) {
        String callId = params.path("dialogParams").path("callID").asText(params.path("callID").asText(""));
        Call call = calls.get(callId);
        if (call == null) {
            reply(id, null, Map.of("code", -32002, "message", "CALL DOES NOT EXIST"));
            return;
        }
        synchronized (call) {
            call.journal("attach answered", Map.of());
        }
        reply(id, Map.of("callID", callId, "message", "CALL ATTACHED", "sessid", sessid), null);
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

    /** A call that has ended: the page's next BYE for it is answered without ending anything. */
    void forget(String callId) {
        calls.remove(callId);
    }

    /**
     * The socket closed without a BYE for its calls (a network loss, a crash, a tab closed without the SDK's unload
     * BYE). {@code signalling_loss: ends}: Telnyx hangs each call up now. {@code survives} (Telnyx with the SDK's
     * default auto-reconnect): each call stays up for the gap, waiting for a login with this {@code sessid}, and
     * ends after it. Either way the ending is the platform's own: cause {@code unspecified}, source {@code unknown}
     * (INFERRED: what Telnyx reports for a WebRTC leg it ended itself, e.g. on a media timeout).
     */
    @Override
    public void onClose() {
        List<Call> live = new ArrayList<>();
        for (Call call : List.copyOf(calls.values())) {
            synchronized (call) {
                if (call.a.alive() && call.session == this) {
                    live.add(call);
                }
            }
        }
        calls.clear();
        if (live.isEmpty()) {
            return;
        }
        Switches switches = twin.switches();
        Call.Ending lost = new Call.Ending("unspecified", "unknown", "unspecified");
        if (switches.signallingLoss() == Switches.SignallingLoss.ENDS) {
            for (Call call : live) {
                synchronized (call) {
                    call.journal("signalling lost", Map.of("signalling_loss", "ends"));
                }
                call.end(call.a, lost, null);
            }
            return;
        }
        twin.detach(sessid, live);
        for (Call call : live) {
            synchronized (call) {
                call.journal("signalling lost", Map.of("signalling_loss", "survives",
                        "gap_ms", switches.signallingGap().toMillis()));
            }
            // not one of the call's own timers: an answer in the gap must not cancel it
            if (twin.timers().isShutdown()) {
                return; // the twin is closing
            }
            twin.timers().schedule(() -> {
                boolean gone;
                synchronized (call) {
                    gone = call.session == this && call.a.alive();
                    if (gone) {
                        call.journal("not reattached in time", Map.of());
                    }
                }
                if (gone) {
                    twin.reattach(sessid);
                    call.end(call.a, lost, null);
                }
            }, switches.signallingGap().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
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

    /**
     * Every message carries the socket's {@code voice_sdk_id}, as Telnyx's do: the SDK keeps it as its reconnect
     * token, and only with one does its reconnect login name the old {@code sessid} (and so get its calls back).
     */
    private void write(Map<String, Object> message) {
        message.put("voice_sdk_id", voiceSdkId);
        try {
            connection.send(JSON.writeValueAsString(message));
        } catch (IOException e) {
            throw new IllegalStateException("a message always serialises", e);
        }
    }
}
