package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.local.twin.Account;
import com.aicallgo.coldcall.local.twin.Recordings;
import com.aicallgo.coldcall.local.twin.TelephonyCredentials;
import com.aicallgo.coldcall.local.twin.Twin;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the runner serves under {@code /_local/} so the whole flow works with no Telnyx account and no Web Backend:
 * a Web Backend sink that answers 201 and keeps what it got, and a Telnyx stand-in that keeps every Call Control
 * command it gets (the twin answers them: {@code record_start}, {@code transfer}, {@code answer}, {@code hangup}),
 * answers the call status API, lists recordings and serves their files by expiring links, makes telephony
 * credentials and mints login tokens.
 * They live in the runner only, never in a Lambda jar.
 */
final class StandIns {
    static final String WEB_BACKEND = "/_local/web-backend";
    static final String TELNYX = "/_local/telnyx";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Map<String, Object>> webBackend = new ArrayList<>();
    private final List<Map<String, Object>> telnyx = new ArrayList<>();
    /** The Telnyx twin, when it is on: it answers record_start for its own calls and serves their recordings. */
    private volatile Twin twin;
    /** The account the twin plays (connection, voice profile, number), when the twin is on. */
    private volatile Account account;
    /** The credentials API when the twin is off (no signalling then: the tokens log nobody in). */
    private final TelephonyCredentials ownCredentials = new TelephonyCredentials();

    void twin(Twin twin) {
        this.twin = twin;
    }

    void account(Account account) {
        this.account = account;
    }

    void handle(HttpExchange exchange, String path, byte[] body) throws IOException {
        String method = exchange.getRequestMethod();
        if (path.equals(WEB_BACKEND) || path.equals(TELNYX)) {
            List<Map<String, Object>> log = path.equals(WEB_BACKEND) ? webBackend : telnyx;
            synchronized (log) {
                if (method.equals("DELETE")) {
                    log.clear();
                }
                ApiServer.send(exchange, 200, "application/json", JSON.writeValueAsBytes(Map.of("received", log)));
            }
            return;
        }
        if (method.equals("POST") && path.startsWith(WEB_BACKEND + "/api/v1/")) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("path", path.substring(WEB_BACKEND.length()));
            entry.put("api_key_present", exchange.getRequestHeaders().getFirst("X-API-Key") != null);
            entry.put("body", parse(body));
            entry.put("received_at", Instant.now().toString());
            synchronized (webBackend) {
                webBackend.add(entry);
                ApiServer.send(exchange, 201, "application/json",
                        JSON.writeValueAsBytes(Map.of("id", webBackend.size())));
            }
            return;
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        String calls = TELNYX + "/v2/calls/";
        Twin current = twin;
        Account played = account;
        String telnyxPath = rawPath.startsWith(TELNYX + "/") ? rawPath.substring(TELNYX.length()) : "";
        if (played != null && (telnyxPath.equals("/account") || method.equals("GET") && Account.serves(telnyxPath))) {
            Twin.Answer answer = telnyxPath.equals("/account") ? played.control(method, body)
                    : played.read(telnyxPath, queryMap(exchange), exchange.getRequestHeaders().getFirst("Authorization"));
            ApiServer.send(exchange, answer.status(), "application/json", answer.body().getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (method.equals("POST") && rawPath.startsWith(calls) && rawPath.indexOf("/actions/", calls.length()) > 0) {
            command(exchange, rawPath.substring(calls.length()), body, current);
            return;
        }
        if (method.equals("GET") && rawPath.startsWith(calls) && rawPath.indexOf('/', calls.length()) < 0) {
            String callControlId = decode(rawPath.substring(calls.length()));
            Twin.Answer answer = current == null ? null : current.callStatus(callControlId);
            if (answer == null) {
                answer = new Twin.Answer(404, "{\"errors\":[{\"code\":\"90015\",\"title\":\"Invalid Call Control ID\","
                        + "\"detail\":\"The call_control_id provided was not valid.\"}]}");
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("command", "retrieve_call_status");
            entry.put("call_control_id", callControlId);
            entry.put("status", answer.status());
            synchronized (telnyx) {
                telnyx.add(entry);
            }
            ApiServer.send(exchange, answer.status(), "application/json", answer.body().getBytes(StandardCharsets.UTF_8));
            return;
        }
        String connections = TELNYX + "/v2/connections/";
        if (method.equals("GET") && rawPath.startsWith(connections) && rawPath.endsWith("/active_calls")) {
            String connectionId = decode(rawPath.substring(connections.length(), rawPath.length() - "/active_calls".length()));
            Twin.Answer answer = current == null ? new Twin.Answer(200, "{\"data\":[],\"meta\":{\"total_items\":0}}")
                    : current.activeCalls(connectionId);
            synchronized (telnyx) {
                telnyx.add(Map.of("command", "list_active_calls", "connection_id", connectionId));
            }
            ApiServer.send(exchange, answer.status(), "application/json", answer.body().getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (current != null && method.equals("GET") && rawPath.startsWith(TELNYX + "/recordings/")) {
            Recordings.Download download = current.recordings().download(
                    decode(rawPath.substring((TELNYX + "/recordings/").length())), queryMap(exchange), Instant.now());
            switch (download) {
                case Recordings.File file -> ApiServer.send(exchange, 200, "audio/mpeg", file.mp3());
                case Recordings.Refused refused -> ApiServer.send(exchange, refused.status(), "application/json",
                        JSON.writeValueAsBytes(Map.of("error", refused.status() == 403 ? "forbidden" : "not_found",
                                "message", refused.reason())));
            }
            return;
        }
        if (current != null && method.equals("GET") && rawPath.equals(TELNYX + "/twin")) {
            ApiServer.send(exchange, 200, "application/json", JSON.writeValueAsBytes(current.journal()));
            return;
        }
        if (current != null && (method.equals("PATCH") || method.equals("DELETE")) && rawPath.equals(TELNYX + "/twin")) {
            Twin.Answer answer = method.equals("DELETE") ? current.resetSwitches() : current.patchSwitches(tree(body));
            ApiServer.send(exchange, answer.status(), "application/json", answer.body().getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (current != null && method.equals("POST") && rawPath.equals(TELNYX + "/twin/signalling/cut")) {
            com.fasterxml.jackson.databind.JsonNode request = body.length == 0 ? JSON.createObjectNode() : tree(body);
            com.fasterxml.jackson.databind.JsonNode forMs = request == null ? null : request.path("for_ms");
            if (request == null || !request.isObject() || !(forMs.isMissingNode() || forMs.isNull()
                    || forMs.isIntegralNumber() && forMs.asLong() >= 0 && forMs.asLong() <= 3_600_000)) {
                ApiServer.send(exchange, 400, "application/json", JSON.writeValueAsBytes(Map.of("error", "invalid_request",
                        "message", "the body is empty or {\"for_ms\": N}, N a whole number of milliseconds, 0 to 3600000")));
                return;
            }
            Twin.Answer answer = current.cutSignalling(forMs.asLong(0));
            ApiServer.send(exchange, answer.status(), "application/json", answer.body().getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (method.equals("GET") && rawPath.startsWith(TELNYX + "/v2/recordings")) {
            recordings(exchange, rawPath.substring((TELNYX + "/v2/recordings").length()), current);
            return;
        }
        if (rawPath.startsWith(TELNYX + "/v2/telephony_credentials")) {
            credentials(exchange, method, rawPath.substring((TELNYX + "/v2/telephony_credentials").length()), body,
                    current == null ? ownCredentials : current.credentials());
            return;
        }
        ApiServer.send(exchange, 404, "application/json",
                "{\"error\":\"not_found\",\"message\":\"No local stand-in at this path\"}".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Telnyx's telephony credentials API: {@code POST} makes one on a connection ({@code connection_id} required),
     * {@code GET} lists them by {@code filter[name]}, {@code filter[sip_username]}, {@code filter[tag]},
     * {@code filter[resource_id]}, and {@code POST /{id}/token} mints a login token (201, text/plain). The twin's
     * signalling takes a token as the SIP user of its credential.
     */
    private void credentials(HttpExchange exchange, String method, String rest, byte[] body, TelephonyCredentials store)
            throws IOException {
        if (method.equals("POST") && rest.startsWith("/") && rest.endsWith("/token")) {
            String id = decode(rest.substring(1, rest.length() - "/token".length()));
            synchronized (telnyx) {
                telnyx.add(Map.of("command", "token", "credential_id", id));
            }
            ApiServer.send(exchange, 201, "text/plain", store.mint(id).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (method.equals("POST") && rest.isEmpty()) {
            Object parsed = parse(body);
            Map<?, ?> request = parsed instanceof Map<?, ?> map ? map : Map.of();
            if (!(request.get("connection_id") instanceof String connection) || connection.isBlank()) {
                ApiServer.send(exchange, 422, "application/json", ("{\"errors\":[{\"code\":\"10015\",\"title\":"
                        + "\"Invalid parameter\",\"source\":{\"pointer\":\"/connection_id\"}}]}").getBytes(StandardCharsets.UTF_8));
                return;
            }
            Map<String, Object> created = store.create(connection, request.get("name") instanceof String name ? name : null,
                    request.get("tag") instanceof String tag ? tag : null);
            synchronized (telnyx) {
                telnyx.add(Map.of("command", "create_credential", "name", String.valueOf(created.get("name"))));
            }
            ApiServer.send(exchange, 201, "application/json", JSON.writeValueAsBytes(Map.of("data", created)));
            return;
        }
        if (method.equals("GET") && rest.isEmpty()) {
            Map<String, String> filters = new LinkedHashMap<>();
            for (String name : List.of("name", "sip_username", "tag", "resource_id")) {
                String value = query(exchange, "filter[" + name + "]");
                if (!value.isEmpty()) {
                    filters.put(name, value);
                }
            }
            List<Map<String, Object>> found = store.find(filters);
            ApiServer.send(exchange, 200, "application/json", JSON.writeValueAsBytes(Map.of("data", found, "meta",
                    Map.of("page_number", 1, "page_size", 250, "total_pages", 1, "total_results", found.size()))));
            return;
        }
        ApiServer.send(exchange, 404, "application/json",
                "{\"errors\":[{\"code\":\"10005\",\"title\":\"Resource not found\"}]}".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code POST /v2/calls/{id}/actions/{action}}: kept (readable at {@code GET /_local/telnyx}, each with the
     * answer's status and whether it was an ignored repeat) and answered by the twin for its own calls; a call the
     * twin does not know is answered 422 {@code 90015} by the twin, and 200 when the twin is off.
     */
    private void command(HttpExchange exchange, String rest, byte[] body, Twin current) throws IOException {
        int actions = rest.indexOf("/actions/");
        String callControlId = decode(rest.substring(0, actions));
        String action = rest.substring(actions + "/actions/".length());
        Object parsed = parse(body);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("command", action);
        entry.put("call_control_id", callControlId);
        entry.put("body", parsed);
        Twin.Answer answer = current == null ? null : current.command(callControlId, action, JSON.valueToTree(parsed));
        if (answer != null) {
            entry.put("status", answer.status());
        }
        synchronized (telnyx) {
            Object commandId = parsed instanceof Map<?, ?> map ? map.get("command_id") : null;
            boolean repeat = commandId != null && telnyx.stream().anyMatch(e -> action.equals(e.get("command"))
                    && callControlId.equals(e.get("call_control_id")) && e.get("body") instanceof Map<?, ?> earlier
                    && commandId.equals(earlier.get("command_id")));
            entry.put("repeat", repeat);
            telnyx.add(entry);
        }
        ApiServer.send(exchange, answer == null ? 200 : answer.status(), "application/json",
                (answer == null ? "{\"data\":{\"result\":\"ok\"}}" : answer.body()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The recordings API: {@code filter[call_control_id]}, {@code filter[call_leg_id]}, {@code filter[call_session_id]}
     * and {@code /{id}}. The twin's own recordings come from the twin, each read with a freshly minted link; a call
     * the twin does not know has one dual-channel recording once its {@code record_start} was accepted here.
     */
    private void recordings(HttpExchange exchange, String rest, Twin current) throws IOException {
        Map<String, String> filters = new LinkedHashMap<>();
        for (String name : List.of("call_control_id", "call_leg_id", "call_session_id")) {
            String value = query(exchange, "filter[" + name + "]");
            if (!value.isEmpty()) {
                filters.put(name, value);
            }
        }
        List<String> recorded = new ArrayList<>();
        synchronized (telnyx) {
            for (Map<String, Object> entry : telnyx) {
                boolean refused = entry.get("status") instanceof Integer status && status != 200;
                if ("record_start".equals(entry.get("command")) && !refused
                        && (current == null || !current.knows((String) entry.get("call_control_id")))) {
                    recorded.add((String) entry.get("call_control_id"));
                }
            }
        }
        List<Map<String, Object>> plain = recorded.stream().distinct().map(this::recording).toList();
        Object data = null;
        if (rest.isEmpty()) {
            List<Map<String, Object>> found = new ArrayList<>(current == null ? List.of() : current.listRecordings(filters));
            plain.stream().filter(r -> filters.entrySet().stream().allMatch(f -> f.getValue().equals(r.get(f.getKey()))))
                    .forEach(found::add);
            data = found;
        } else if (rest.startsWith("/")) {
            String id = decode(rest.substring(1));
            data = current == null ? null : current.recording(id);
            if (data == null) {
                data = plain.stream().filter(r -> r.get("id").equals(id)).findFirst().orElse(null);
            }
        }
        if (data == null) {
            ApiServer.send(exchange, 404, "application/json",
                    "{\"errors\":[{\"code\":\"10005\",\"title\":\"Resource not found\"}]}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ApiServer.send(exchange, 200, "application/json", JSON.writeValueAsBytes(Map.of("data", data)));
    }

    private Map<String, Object> recording(String callControlId) {
        String id = Twin.recordingId(callControlId);
        Map<String, Object> recording = new LinkedHashMap<>();
        recording.put("id", id);
        recording.put("record_type", "recording");
        recording.put("call_control_id", callControlId);
        recording.put("channels", "dual");
        recording.put("status", "completed");
        recording.put("duration_millis", 0);
        // an https link on a public-looking name: the functions post no other kind (nothing serves it here)
        recording.put("download_urls", Map.of("mp3", "https://recordings.example.com/_local/" + id + ".mp3"));
        return recording;
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, String> queryMap(HttpExchange exchange) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private static String query(HttpExchange exchange, String name) {
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
        }
        return "";
    }

    /** The body as JSON, or {@code null} when it is not JSON. */
    private static com.fasterxml.jackson.databind.JsonNode tree(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static Object parse(byte[] body) {
        try {
            return JSON.readValue(body, Object.class);
        } catch (IOException e) {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
