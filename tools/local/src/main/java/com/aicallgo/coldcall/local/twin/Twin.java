package com.aicallgo.coldcall.local.twin;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A local Telnyx for both call flows of a browser-placed call. <b>Direct</b> (parking off): the SDK's call goes
 * straight to the number and our backend starts the recording with {@code record_start}. <b>Parked</b> (Park
 * Outbound Calls on): the browser's leg A is parked ({@code call.initiated} with {@code state: "parked"}) and rings
 * until a Call Control command connects it; {@code transfer} creates leg B to the number, which records from its
 * answer, and a failed transfer ends only B. The twin speaks the WebRTC SDK's Verto signalling over a WebSocket,
 * answers Call Control's {@code record_start}, {@code transfer}, {@code answer}, {@code hangup} and the call status API, keeps a
 * recording file per recorded leg, and sends the call's webhooks, signed, to the runner's own webhook route. What
 * each call does is chosen by the number dialled ({@link TestNumber}).
 *
 * <p>This class is the twin's face to the runner; the parts are {@link CallControl} (the commands),
 * {@link Call} (a call, its legs and its webhooks) and {@link VertoSession} (one signalling socket).
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
            String sipPassword, String connectionId, Flow flow, Duration linkTtl, boolean publicRecordingUrls,
            Switches switches) {
        /** Telnyx as the twin plays it by default ({@link Switches#TELNYX}). */
        public Settings(String host, String apiBase, URI webhookUrl, WebhookSigner signer, String sipUsername,
                String sipPassword, String connectionId, Flow flow, Duration linkTtl, boolean publicRecordingUrls) {
            this(host, apiBase, webhookUrl, signer, sipUsername, sipPassword, connectionId, flow, linkTtl,
                    publicRecordingUrls, Switches.TELNYX);
        }

        @Override
        public String toString() {
            return "Settings[host=" + host + ", apiBase=" + apiBase + ", webhookUrl=" + webhookUrl + ", sipUsername="
                    + sipUsername + ", sipPassword=***, flow=" + flow + ", linkTtl=" + linkTtl + ", switches=" + switches + "]";
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
    /** Under {@link TestNumber#HANGUP_BEFORE_ANSWER}: how long the callee talks, and how late its call.answered comes. */
    static final long TALKS_BEFORE_HANGUP_MS = 3_000;
    static final long LATE_ANSWER_AFTER_MS = 500;
    static final long RECORDING_AFTER_HANGUP_MS = 500;
    static final long TIME_LIMIT_MS = 30 * 60_000;
    /** A parked leg that gets no command ends after this (Telnyx's own limit is not documented). */
    static final long PARKED_GIVES_UP_MS = 120_000;
    /** Under {@link TestNumber#WEBHOOKS_TWICE_OUT_OF_ORDER} in the parked flow: the second copy of each event. */
    static final long SECOND_COPY_AFTER_MS = 1_200;
    /** Login tokens the runner's Telnyx stand-in mints. */
    public static final String TOKEN_PREFIX = "local-login-token.";

    private static final ObjectMapper JSON = new ObjectMapper();

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
    private final CallControl callControl = new CallControl(this);
    private final TelephonyCredentials credentials = new TelephonyCredentials();
    /** The switches now: the start values until a {@code PATCH} changes them. */
    private volatile Switches switches;
    /** Calls whose page socket dropped, by the dropped session's {@code sessid}, waiting for a reconnect login. */
    private final Map<String, List<Call>> detached = new ConcurrentHashMap<>();

    private Twin(Settings settings) throws IOException {
        this.settings = settings;
        this.switches = settings.switches();
        this.webhooks = new Webhooks(settings.webhookUrl(), settings.signer());
        this.recordings = new Recordings(settings.apiBase(), settings.linkTtl(), settings.publicRecordingUrls());
        this.socket = new WebSocketServer(settings.host(), 0, connection -> new VertoSession(this, connection));
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

    /** The per-rep telephony credentials made through the runner's Telnyx stand-in, and their login tokens. */
    public TelephonyCredentials credentials() {
        return credentials;
    }

    /**
     * A Call Control command ({@code POST /v2/calls/{id}/actions/{action}}) on a leg of the twin's; 422
     * {@code 90015} for an id it never knew, as Telnyx answers.
     */
    public Answer command(String callControlId, String action, JsonNode body) {
        Call call = byControlId.get(callControlId);
        return call == null ? CallControl.unknown() : callControl.command(call, callControlId, action, body);
    }

    /**
     * {@code GET /v2/calls/{id}}: the call status API. Telnyx documents 200 and 422 for it, and keeps an ended call's
     * data for 10 minutes: after that 422 {@code 90018} (the call has ended); an id never known 422 {@code 90015}.
     */
    public Answer callStatus(String callControlId) {
        return callStatus(callControlId, Instant.now());
    }

    /** The call status as Telnyx would answer it at {@code now}. */
    Answer callStatus(String callControlId, Instant now) {
        Call call = byControlId.get(callControlId);
        if (call == null) {
            return CallControl.unknown();
        }
        Map<String, Object> data;
        synchronized (call) {
            data = call.leg(callControlId).status(now);
        }
        if (data == null) {
            return CallControl.ended();
        }
        try {
            return new Answer(200, JSON.writeValueAsString(Map.of("data", data)));
        } catch (IOException e) {
            throw new IllegalStateException("a status always serialises", e);
        }
    }

    /**
     * {@code GET /v2/connections/{id}/active_calls}: the twin's live legs on {@code connectionId}, in one page (no
     * cursor: the twin never holds more).
     */
    public Answer activeCalls(String connectionId) {
        List<Map<String, Object>> data = new ArrayList<>();
        byControlId.values().stream().distinct().forEach(call -> {
            synchronized (call) {
                List<Leg> legs = new ArrayList<>(List.of(call.a));
                legs.addAll(call.transfers);
                for (Leg leg : legs) {
                    if (leg.endedAt == null && connectionId.equals(leg.connectionId)) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("call_control_id", leg.controlId);
                        entry.put("call_leg_id", leg.legId);
                        entry.put("call_session_id", leg.sessionId);
                        entry.put("client_state", leg.clientState);
                        entry.put("call_duration", java.time.Duration.between(leg.startedAt, Instant.now()).toSeconds());
                        entry.put("record_type", "call");
                        data.add(entry);
                    }
                }
            }
        });
        try {
            return new Answer(200, JSON.writeValueAsString(Map.of("data", data,
                    "meta", Map.of("total_items", data.size()))));
        } catch (IOException e) {
            throw new IllegalStateException("a listing always serialises", e);
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
                "flow", settings.flow().name().toLowerCase(Locale.ROOT), "switches", switches.describe(), "calls", calls);
    }

    /** The switches now. */
    public Switches switches() {
        return switches;
    }

    /** {@code PATCH /_local/telnyx/twin}: merges the body's settings; 400 naming a bad one, nothing changed then. */
    public Answer patchSwitches(JsonNode body) {
        synchronized (this) {
            try {
                switches = switches.patched(body);
            } catch (IllegalArgumentException e) {
                return json(400, Map.of("error", "invalid_switch", "message", e.getMessage()));
            }
        }
        log("INFO", "twin switches changed", switches.describe());
        return json(200, switches.describe());
    }

    /** {@code DELETE /_local/telnyx/twin}: the switches the runner started with. */
    public Answer resetSwitches() {
        switches = settings.switches();
        log("INFO", "twin switches restored", switches.describe());
        return json(200, switches.describe());
    }

    /**
     * {@code POST /_local/telnyx/twin/signalling/cut}: every page socket drops now, as a network loss does (no close
     * frame, no BYE); for {@code forMillis} after, new sockets are refused (an outage).
     */
    public Answer cutSignalling(long forMillis) {
        int cut = socket.cut(forMillis);
        log("INFO", "signalling cut", Map.of("sockets", cut, "refusing_ms", forMillis));
        return json(200, Map.of("sockets_cut", cut, "refusing_ms", forMillis));
    }

    /** A page socket dropped with {@code calls} up: each waits for a reconnect login with {@code sessid}. */
    void detach(String sessid, List<Call> calls) {
        detached.put(sessid, List.copyOf(calls));
    }

    /** A reconnect login with {@code sessid}: the calls its dropped socket left, now the new socket's (none if none). */
    List<Call> reattach(String sessid) {
        List<Call> calls = sessid == null ? null : detached.remove(sessid);
        return calls == null ? List.of() : calls;
    }

    private static Answer json(int status, Object body) {
        try {
            return new Answer(status, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException("an answer always serialises", e);
        }
    }

    @Override
    public void close() throws IOException {
        timers.shutdownNow();
        socket.close();
    }

    Settings settings() {
        return settings;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    Webhooks webhooks() {
        return webhooks;
    }

    /** A leg's call control id now answers commands and the call status API for {@code call}. */
    void register(String callControlId, Call call) {
        byControlId.put(callControlId, call);
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
}
