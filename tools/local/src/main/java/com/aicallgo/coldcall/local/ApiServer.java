package com.aicallgo.coldcall.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code start-api}: serves every HttpApi route of the template as payload-2.0 events (raw body and headers kept, so
 * a Telnyx-signed request verifies), the local stand-ins under {@code /_local/}, and the dialer page at {@code /}.
 */
final class ApiServer implements AutoCloseable {
    /** Bodies larger than API Gateway's limit are refused before reaching a function. */
    static final int MAX_BODY = 10 * 1024 * 1024;
    static final String BUILD_PAGE = "npm --prefix static-dialer ci && npm --prefix static-dialer run build";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    private final LocalFunctions functions;
    private final StandIns standIns = new StandIns();
    private final Path site;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(32);
    /** Rewrites a file of the page as it is served (the Telnyx twin's config.js); none by default. */
    private volatile java.util.function.BiFunction<String, byte[], byte[]> pageOverlay = (name, bytes) -> bytes;

    ApiServer(LocalFunctions functions, Path site, String host, int port) throws IOException {
        this.functions = functions;
        this.site = site;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 256);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
    }

    StandIns standIns() {
        return standIns;
    }

    void pageOverlay(java.util.function.BiFunction<String, byte[], byte[]> overlay) {
        this.pageOverlay = overlay;
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String base() {
        return "http://127.0.0.1:" + port();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!printable(path)) {
                // a NUL or a line break in a path is nobody's route, and never reaches a file name or a log line
                send(exchange, 400, "application/json",
                        "{\"error\":\"invalid_request\",\"message\":\"The path holds characters no route has\"}"
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] body = readBody(exchange);
            if (body == null) {
                send(exchange, 413, "application/json",
                        "{\"error\":\"payload_too_large\",\"message\":\"Body over 10 MB\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.startsWith("/_local/")) {
                standIns.handle(exchange, path, body);
                return;
            }
            String method = exchange.getRequestMethod();
            for (Template.Route route : functions.template().routes()) {
                Map<String, String> parameters = route.match(method, exchange.getRequestURI().getRawPath());
                if (parameters != null) {
                    invoke(exchange, route, parameters, body);
                    return;
                }
            }
            if (method.equals("GET") || method.equals("HEAD")) {
                serveFile(exchange, path);
                return;
            }
            send(exchange, 404, "application/json",
                    "{\"error\":\"not_found\",\"message\":\"No route for this method and path\"}".getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // JSON-escaped: the message may quote what the caller sent
            System.err.println(logLine("ERROR", "local runner: the function could not run", Map.of(
                    "detail", String.valueOf(e.getMessage()), "path", exchange.getRequestURI().getRawPath())));
            send(exchange, 502, "application/json",
                    "{\"error\":\"local_runner\",\"message\":\"The function could not run; see the runner's log\"}"
                            .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Whether a decoded path is free of control characters (NUL, line breaks, DEL). */
    static boolean printable(String path) {
        if (path == null) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** One JSON log line of the runner's own; every value escaped, whatever the caller put in it. */
    static String logLine(String level, String message, Map<String, String> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("level", level);
        line.put("message", message);
        line.putAll(fields);
        try {
            return JSON.writeValueAsString(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "{\"level\":\"ERROR\",\"message\":\"unloggable runner line\"}";
        }
    }

    private void invoke(HttpExchange exchange, Template.Route route, Map<String, String> parameters, byte[] body)
            throws IOException {
        Map<String, Object> event = event(exchange, route, parameters, body);
        byte[] response = functions.invoke(route.functionId(), JSON.writeValueAsBytes(event));
        Map<?, ?> reply = JSON.readValue(response, Map.class);
        int status = reply.get("statusCode") instanceof Number n ? n.intValue() : 200;
        if (reply.get("headers") instanceof Map<?, ?> headers) {
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(String.valueOf(name), String.valueOf(value)));
        }
        String text = reply.get("body") == null ? "" : reply.get("body").toString();
        byte[] bytes = Boolean.TRUE.equals(reply.get("isBase64Encoded"))
                ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The event API Gateway (HTTP API, payload 2.0) would hand the function. */
    private static Map<String, Object> event(HttpExchange exchange, Template.Route route,
            Map<String, String> parameters, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        String routeKey = route.method() + " " + route.path();
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", route.method());
        http.put("path", exchange.getRequestURI().getPath());
        http.put("protocol", exchange.getProtocol());
        http.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", "123456789012");
        context.put("apiId", "local");
        context.put("domainName", "localhost");
        context.put("domainPrefix", "localhost");
        context.put("http", http);
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", routeKey);
        context.put("stage", "$default");
        context.put("time", REQUEST_TIME.format(now));
        context.put("timeEpoch", now.toInstant().toEpochMilli());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", routeKey);
        event.put("rawPath", exchange.getRequestURI().getRawPath());
        event.put("rawQueryString", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
        event.put("headers", headers);
        if (!parameters.isEmpty()) {
            event.put("pathParameters", parameters);
        }
        event.put("requestContext", context);
        if (body.length > 0) {
            String text = utf8(body);
            event.put("body", text == null ? Base64.getEncoder().encodeToString(body) : text);
            event.put("isBase64Encoded", text == null);
        } else {
            event.put("isBase64Encoded", false);
        }
        return event;
    }

    /** The body as text when it is valid UTF-8, else {@code null} (then it travels base64, bytes intact). */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private void serveFile(HttpExchange exchange, String path) throws IOException {
        boolean page = path.equals("/") || path.equals("/index.html");
        if (page && !Files.isDirectory(site)) {
            send(exchange, 503, "text/plain; charset=utf-8", ("The dialer page is not built yet (" + site + " is missing).\n"
                    + "Build it from the repository root with:\n\n    " + BUILD_PAGE + "\n\nthen reload this page.\n")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        Path file;
        try {
            file = site.resolve(path.equals("/") ? "index.html" : path.substring(1)).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            send(exchange, 400, "application/json",
                    "{\"error\":\"invalid_request\",\"message\":\"Not a file name\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!file.startsWith(site) || !Files.isRegularFile(file)) {
            send(exchange, 404, "application/json",
                    "{\"error\":\"not_found\",\"message\":\"No such file\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        send(exchange, 200, contentType(file), pageOverlay.apply(site.relativize(file).toString(), Files.readAllBytes(file)));
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        for (Map.Entry<String, String> type : List.of(
                Map.entry(".html", "text/html; charset=utf-8"), Map.entry(".js", "text/javascript; charset=utf-8"),
                Map.entry(".css", "text/css; charset=utf-8"), Map.entry(".json", "application/json"),
                Map.entry(".svg", "image/svg+xml"), Map.entry(".png", "image/png"), Map.entry(".ico", "image/x-icon"),
                Map.entry(".map", "application/json"), Map.entry(".mp3", "audio/mpeg"))) {
            if (name.endsWith(type.getKey())) {
                return type.getValue();
            }
        }
        return "application/octet-stream";
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            return body.length > MAX_BODY ? null : body;
        }
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
