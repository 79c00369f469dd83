package com.aicallgo.coldcall.local;

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
 * a Web Backend sink that answers 201 and keeps what it got, and a Telnyx Call Control stand-in that accepts
 * {@code record_start} and mints login tokens. They live in the runner only, never in a Lambda jar.
 */
final class StandIns {
    static final String WEB_BACKEND = "/_local/web-backend";
    static final String TELNYX = "/_local/telnyx";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Map<String, Object>> webBackend = new ArrayList<>();
    private final List<Map<String, Object>> telnyx = new ArrayList<>();

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
            synchronized (telnyx) {
                telnyx.add(entry);
            }
            ApiServer.send(exchange, 200, "application/json", "{\"data\":{\"result\":\"ok\"}}".getBytes(StandardCharsets.UTF_8));
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

    private static Object parse(byte[] body) {
        try {
            return JSON.readValue(body, Object.class);
        } catch (IOException e) {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
