package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.local.twin.Twin;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the runner serves under {@code /_local/} so the whole flow works with no Telnyx account and no Web Backend:
 * a Web Backend sink that answers 201 and keeps what it got, and a Telnyx stand-in that accepts
 * {@code record_start}, lists the recordings of the calls it recorded and mints login tokens. They live in the runner only, never in a Lambda jar.
 */
final class StandIns {
    static final String WEB_BACKEND = "/_local/web-backend";
    static final String TELNYX = "/_local/telnyx";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Map<String, Object>> webBackend = new ArrayList<>();
    private final List<Map<String, Object>> telnyx = new ArrayList<>();
    /** The Telnyx twin, when it is on: it answers record_start for its own calls and serves their recordings. */
    private volatile Twin twin;

    void twin(Twin twin) {
        this.twin = twin;
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
            synchronized (webBackend) {
                webBackend.add(entry);
                ApiServer.send(exchange, 201, "application/json",
                        JSON.writeValueAsBytes(Map.of("id", webBackend.size())));
            }
            return;
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        if (method.equals("POST") && rawPath.startsWith(TELNYX + "/v2/calls/") && rawPath.endsWith("/actions/record_start")) {
            String encoded = rawPath.substring((TELNYX + "/v2/calls/").length(),
                    rawPath.length() - "/actions/record_start".length());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("command", "record_start");
            entry.put("call_control_id", URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8));
            entry.put("body", parse(body));
            Twin.Answer answer = twin == null ? null : twin.recordStart((String) entry.get("call_control_id"));
            if (answer != null) {
                entry.put("status", answer.status());
            }
            synchronized (telnyx) {
                telnyx.add(entry);
            }
            ApiServer.send(exchange, answer == null ? 200 : answer.status(), "application/json",
                    (answer == null ? "{\"data\":{\"result\":\"ok\"}}" : answer.body()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        Twin current = twin;
        if (current != null && method.equals("GET") && rawPath.startsWith(TELNYX + "/recordings/") && rawPath.endsWith(".mp3")) {
            byte[] file = current.recording(rawPath.substring((TELNYX + "/recordings/").length(), rawPath.length() - 4));
            if (file == null) {
                ApiServer.send(exchange, 404, "application/json",
                        "{\"error\":\"not_found\",\"message\":\"No recording with this id\"}".getBytes(StandardCharsets.UTF_8));
            } else {
                ApiServer.send(exchange, 200, "audio/mpeg", file);
            }
            return;
        }
        if (current != null && method.equals("GET") && rawPath.equals(TELNYX + "/twin")) {
            ApiServer.send(exchange, 200, "application/json", JSON.writeValueAsBytes(current.journal()));
            return;
        }
        if (method.equals("GET") && rawPath.startsWith(TELNYX + "/v2/recordings")) {
            recordings(exchange, rawPath.substring((TELNYX + "/v2/recordings").length()));
            return;
        }
        if (method.equals("POST") && rawPath.startsWith(TELNYX + "/v2/telephony_credentials/") && rawPath.endsWith("/token")) {
            synchronized (telnyx) {
                telnyx.add(Map.of("command", "token"));
            }
            ApiServer.send(exchange, 201, "text/plain",
                    ("local-login-token." + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        ApiServer.send(exchange, 404, "application/json",
                "{\"error\":\"not_found\",\"message\":\"No local stand-in at this path\"}".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The recordings API, as far as the reconciliation reads it: every call whose {@code record_start} was accepted
     * here has one dual-channel MP3 recording, listed by {@code filter[call_control_id]} and read by its id.
     */
    private void recordings(HttpExchange exchange, String rest) throws IOException {
        List<String> recorded = new ArrayList<>();
        synchronized (telnyx) {
            for (Map<String, Object> entry : telnyx) {
                boolean refused = entry.get("status") instanceof Integer status && status != 200;
                if ("record_start".equals(entry.get("command")) && !refused
                        && (twin == null || twin.lists((String) entry.get("call_control_id")))) {
                    recorded.add((String) entry.get("call_control_id"));
                }
            }
        }
        Object data = null;
        if (rest.isEmpty()) {
            String wanted = query(exchange, "filter[call_control_id]");
            data = recorded.stream().distinct().filter(id -> id.equals(wanted)).map(this::recording).toList();
        } else if (rest.startsWith("/")) {
            String id = URLDecoder.decode(rest.substring(1), StandardCharsets.UTF_8);
            data = recorded.stream().distinct().map(this::recording).filter(r -> r.get("id").equals(id)).findFirst()
                    .orElse(null);
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
        Twin current = twin;
        recording.put("download_urls", Map.of("mp3", current != null ? current.recordingUrl(id)
                : "http://127.0.0.1/_local/telnyx/recordings/" + id + ".mp3"));
        return recording;
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

    private static Object parse(byte[] body) {
        try {
            return JSON.readValue(body, Object.class);
        } catch (IOException e) {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
