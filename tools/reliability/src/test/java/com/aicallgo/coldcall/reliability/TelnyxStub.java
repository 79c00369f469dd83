package com.aicallgo.coldcall.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The suite's Telnyx, which knows the simulated calls: Call Control commands ({@code record_start}) are answered
 * 200, and the recordings API lists each saved recording by {@code filter[call_control_id]} or
 * {@code filter[call_leg_id]} and reads it by id, every read minting a fresh download link as Telnyx does (the
 * shapes {@code core/telnyx/TelnyxRecordings.java} reads). The recordings API misbehaves: 10% of requests answer
 * 5xx and 2% stall past a Telnyx request's 2 s. A recording that failed ({@code call.recording.error}) is not
 * listed and reads as 404, as Telnyx has none. Any other request is answered 404 and kept in {@link #unexpected}.
 *
 * <p>Links carry when they were handed out ({@code issued=} epoch ms, as the webhook's links do), and a minted one
 * says so ({@code read=api}), so the Web Backend stub can tell a link read again from the webhook's and how old
 * each posted link was.
 */
final class TelnyxStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECORDINGS = "/v2/recordings";
    private static final long STALL_MILLIS = 2_500;

    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger stalls = new AtomicInteger();
    /** Recordings read by id with a fresh link (2xx answers only). */
    final AtomicInteger minted = new AtomicInteger();
    final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, SimulatedCall> byRecording = new ConcurrentHashMap<>();
    private final Map<String, SimulatedCall> byCallControlId = new ConcurrentHashMap<>();
    private final Map<String, SimulatedCall> byLeg = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Random random;

    TelnyxStub(long seed) throws IOException {
        this.random = new Random(seed ^ 0x7e1a7L);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The API base the functions are given ({@code TELNYX_API_BASE}). */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Makes a simulated call's saved recording known to the recordings API. */
    void add(SimulatedCall call) {
        if (call.recordingId() != null && call.saved()) {
            byRecording.put(call.recordingId(), call);
            byCallControlId.put(call.callControlId(), call);
            byLeg.put(SimulatedCall.legId(call.callControlId()), call);
        }
    }

    /** A link to the recording handed out at {@code issued}; {@code minted} when read from the API. */
    static String link(String recordingId, Instant issued, boolean minted) {
        return "https://recordings.example/" + recordingId + ".mp3?issued=" + issued.toEpochMilli()
                + (minted ? "&read=api" : "");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            if (method.equals("POST") && path.startsWith("/v2/calls/") && path.contains("/actions/")) {
                answer(exchange, 200, Map.of("data", Map.of("result", "ok")));
                return;
            }
            if (!method.equals("GET") || !path.startsWith(RECORDINGS)) {
                unexpected.add(method + " " + path);
                answer(exchange, 404, Map.of("errors", List.of(Map.of("code", "10005", "title", "Resource not found"))));
                return;
            }
            int roll;
            synchronized (random) {
                roll = random.nextInt(100);
            }
            if (roll < 10) {
                failures.incrementAndGet();
                answer(exchange, 500 + roll % 4, Map.of("errors", List.of(Map.of("code", "10007", "title", "Unexpected error"))));
                return;
            }
            if (roll < 12) {
                stalls.incrementAndGet();
                Thread.sleep(STALL_MILLIS);
            }
            recordings(exchange, path.substring(RECORDINGS.length()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void recordings(HttpExchange exchange, String rest) throws IOException {
        Instant now = Instant.now();
        if (rest.isEmpty()) {
            Map<String, String> query = query(exchange);
            SimulatedCall call = query.containsKey("filter[call_control_id]")
                    ? byCallControlId.get(query.get("filter[call_control_id]"))
                    : byLeg.get(query.getOrDefault("filter[call_leg_id]", ""));
            List<Map<String, Object>> data = call == null ? List.of() : List.of(recording(call, now));
            answer(exchange, 200, Map.of("data", data, "meta", Map.of("page_number", 1, "page_size", 50,
                    "total_pages", 1, "total_results", data.size())));
            return;
        }
        SimulatedCall call = rest.startsWith("/") ? byRecording.get(decode(rest.substring(1))) : null;
        if (call == null) {
            answer(exchange, 404, Map.of("errors", List.of(Map.of("code", "10005", "title", "Resource not found"))));
            return;
        }
        if (answer(exchange, 200, Map.of("data", recording(call, now)))) {
            minted.incrementAndGet();
        }
    }

    /** Telnyx's recording object (developers.telnyx.com/api-reference/call-recordings), its link minted now. */
    private static Map<String, Object> recording(SimulatedCall call, Instant now) {
        Map<String, Object> recording = new LinkedHashMap<>();
        recording.put("id", call.recordingId());
        recording.put("record_type", "recording");
        recording.put("call_control_id", call.callControlId());
        recording.put("call_leg_id", SimulatedCall.legId(call.callControlId()));
        recording.put("channels", "dual");
        recording.put("source", "call");
        recording.put("status", "completed");
        recording.put("recording_started_at", call.recordingStartedAt().toString());
        recording.put("recording_ended_at", call.recordingEndedAt().toString());
        recording.put("duration_millis", Duration.between(call.recordingStartedAt(), call.recordingEndedAt()).toMillis());
        recording.put("download_urls", Map.of("mp3", link(call.recordingId(), now, true)));
        recording.put("created_at", call.recordingEndedAt().toString());
        recording.put("updated_at", call.recordingEndedAt().toString());
        return recording;
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
                }
            }
        }
        return query;
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Returns whether the answer reached the caller (it may have given up on a stalled one). */
    private static boolean answer(HttpExchange exchange, int status, Object body) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
