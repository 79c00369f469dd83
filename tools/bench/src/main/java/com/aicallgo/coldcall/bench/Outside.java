package com.aicallgo.coldcall.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outside services on loopback, answering at once: Telnyx ({@code record_start}, telephony credentials, login
 * tokens), the Web Backend (call logs, recordings) and Secrets Manager's {@code GetSecretValue} (the secret holds
 * the dev values of {@code events/env.json}). It counts what it answered, so a run can check the I/O it expected happened.
 */
final class Outside implements AutoCloseable {
    static final String SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:coldcall-bench-AbCdEf";
    private static final String SECRET = """
            {"TELNYX_SIP_API_KEY":"dev-telnyx-api-key-NOT-REAL","TELNYX_SIP_USERNAME":"dev-sip-user",\
            "TELNYX_SIP_PASSWORD":"dev-sip-password-NOT-REAL",\
            "TELNYX_WEBHOOK_PUBLIC_KEY":"V9vsiCcLKElxpWH4cuyvvE2MYZAKZi+WaSmJrCdaDgY=",\
            "INTERNAL_API_KEY":"dev-internal-api-key","WEB_BACKEND_API_KEY":"dev-web-backend-key-NOT-REAL",\
            "CLIENT_STATE_KEY":"dev-client-state-key-NOT-REAL"}""";

    private final HttpServer server;
    /** The calls Telnyx lists live on our connection ({@link Events#live}). */
    private final Supplier<List<String>> live;
    private final ExecutorService threads = Executors.newFixedThreadPool(2);
    final AtomicLong telnyx = new AtomicLong();
    final AtomicLong webBackend = new AtomicLong();
    final AtomicLong secretsManager = new AtomicLong();
    final AtomicLong credentials = new AtomicLong();
    final AtomicLong unexpected = new AtomicLong();

    Outside(Supplier<List<String>> live) throws IOException {
        this.live = live;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/telnyx/", this::telnyx);
        server.createContext("/web-backend/", this::webBackend);
        server.createContext("/secrets-manager", this::secretsManager);
        server.createContext("/credentials", this::credentials);
        server.createContext("/", exchange -> {
            unexpected.incrementAndGet();
            answer(exchange, 404, "text/plain", "not a stub route");
        });
        server.setExecutor(threads);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The variables that point a function at these stubs instead of Telnyx, the Web Backend and AWS. */
    Map<String, String> environment() {
        return Map.of(
                "TELNYX_API_BASE", base() + "/telnyx",
                "WEB_BACKEND_URL", base() + "/web-backend",
                "TELNYX_SIP_SECRET_ID", SECRET_ID,
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", base() + "/secrets-manager");
    }

    private void telnyx(HttpExchange exchange) throws IOException {
        drain(exchange);
        telnyx.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        if (path.matches("/telnyx/v2/connections/[^/]+/active_calls")) {
            List<Map<String, Object>> data = new java.util.ArrayList<>();
            for (String id : live.get()) {
                data.add(Map.of("call_control_id", id, "call_leg_id", "2dc6fc34-f9e0-11ea-b68e-02420a0f7768",
                        "call_session_id", "2dc1b3c8-f9e0-11ea-bc5a-02420a0f7768", "call_duration", 1,
                        "record_type", "call"));
            }
            answer(exchange, 200, "application/json", new com.fasterxml.jackson.databind.ObjectMapper()
                    .writeValueAsString(Map.of("data", data, "meta", Map.of("total_items", data.size()))));
        } else if (path.endsWith("/actions/record_start")) {
            answer(exchange, 200, "application/json", "{\"data\":{\"result\":\"ok\"}}");
        } else if (path.endsWith("/token")) {
            answer(exchange, 201, "text/plain", "bench.login.token");
        } else if (path.endsWith("/v2/telephony_credentials")) {
            // the rep mode: none found by name, so one is created (then cached by the function for an hour)
            answer(exchange, exchange.getRequestMethod().equals("POST") ? 201 : 200, "application/json",
                    exchange.getRequestMethod().equals("POST")
                            ? "{\"data\":{\"id\":\"bench-credential\",\"sip_username\":\"gencredbench\"}}"
                            : "{\"data\":[]}");
        } else {
            unexpected.incrementAndGet();
            answer(exchange, 404, "application/json", "{\"errors\":[{\"code\":\"10005\",\"title\":\"not found\"}]}");
        }
    }

    private void webBackend(HttpExchange exchange) throws IOException {
        drain(exchange);
        webBackend.incrementAndGet();
        answer(exchange, 201, "application/json", "{\"status\":\"created\"}");
    }

    private void secretsManager(HttpExchange exchange) throws IOException {
        drain(exchange);
        secretsManager.incrementAndGet();
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (!"secretsmanager.GetSecretValue".equals(target)) {
            unexpected.incrementAndGet();
            answer(exchange, 400, "application/x-amz-json-1.1", "{\"__type\":\"InvalidRequestException\"}");
            return;
        }
        String body = "{\"ARN\":\"" + SECRET_ID + "\",\"Name\":\"coldcall-bench\",\"VersionId\":\"v1\","
                + "\"SecretString\":" + quote(SECRET) + ",\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.7E9}";
        answer(exchange, 200, "application/x-amz-json-1.1", body);
    }

    /** Lambda's container credentials endpoint: with SnapStart the keys are not in the environment. */
    private void credentials(HttpExchange exchange) throws IOException {
        drain(exchange);
        credentials.incrementAndGet();
        String expires = java.time.Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        answer(exchange, 200, "application/json", "{\"AccessKeyId\":\"ASIABENCHNOTREAL0000\","
                + "\"SecretAccessKey\":\"bench-secret-access-key-not-real\",\"Token\":\"bench-session-token-not-real\","
                + "\"Expiration\":\"" + expires + "\"}");
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void drain(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
