package com.aicallgo.coldcall.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
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
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The suite's Telnyx, which knows the simulated calls: Call Control commands ({@code record_start}) are answered
 * 200, and the recordings API lists each saved recording by {@code filter[call_control_id]} or
 * {@code filter[call_leg_id]} and reads it by id, every read minting a fresh download link as Telnyx does (the
 * shapes {@code core/telnyx/TelnyxRecordings.java} reads). The recordings API misbehaves: 10% of requests answer
 * 5xx and 2% stall past a Telnyx request's 2 s. A recording that failed ({@code call.recording.error}) is not
 * listed and reads as 404, as Telnyx has none. The call status of a simulated call says it ended (a recording event,
 * which makes the server ask, comes only after its call's end). Any other request is answered 404 and kept in
 * {@link #unexpected}.
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
    /** Every simulated call, for the call status. */
    private final Map<String, SimulatedCall> calls = new ConcurrentHashMap<>();
    private final Map<String, SimulatedCall> byLeg = new ConcurrentHashMap<>();
    private final StubServer server;
    private final Random random;
    private volatile boolean faulty = true;

    TelnyxStub(long seed) throws IOException {
        this.random = new Random(seed ^ 0x7e1a7L);
        server = new StubServer(this::handle, Executors.newVirtualThreadPerTaskExecutor());
    }

    /** The API base the functions are given ({@code TELNYX_API_BASE}). */
    String url() {
        return server.url();
    }

    void faulty(boolean faulty) {
        this.faulty = faulty;
    }

    /** Makes a simulated call known to the call status, and its saved recording to the recordings API. */
    void add(SimulatedCall call) {
        calls.put(call.callControlId(), call);
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
            if (method.equals("GET") && path.matches("/v2/calls/[^/]+")) {
                // the call status: a recording event comes only once its call has ended, which Telnyx then says
                SimulatedCall call = calls.get(java.net.URLDecoder.decode(
                        path.substring("/v2/calls/".length()), java.nio.charset.StandardCharsets.UTF_8));
                if (call != null) {
                    answer(exchange, 200, Map.of("data", Map.of("record_type", "call", "call_control_id",
                            call.callControlId(), "is_alive", false, "end_time", call.endedAt().toString())));
                    return;
                }
            }
            if (method.equals("GET") && path.matches("/v2/connections/[^/]+/active_calls")) {
                // live calls are not modelled: a start-recording that overtakes its call's first webhook is refused
                answer(exchange, 200, Map.of("data", List.of(), "meta", Map.of("total_items", 0)));
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
            if (faulty && roll < 10) {
                failures.incrementAndGet();
                answer(exchange, 500 + roll % 4, Map.of("errors", List.of(Map.of("code", "10007", "title", "Unexpected error"))));
                return;
            }
            if (faulty && roll < 12) {
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
            String callControlId = filter(exchange, "call_control_id");
            String leg = filter(exchange, "call_leg_id");
            SimulatedCall call = callControlId != null ? byCallControlId.get(callControlId)
                    : leg != null ? byLeg.get(leg) : null;
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

    /** A {@code filter[name]} of the query, as TelnyxRecordings sends it (brackets percent-encoded). */
    private static String filter(HttpExchange exchange, String name) {
        String raw = exchange.getRequestURI().getRawQuery();
        Matcher matcher = Pattern.compile("(?:^|&)filter%5B" + name + "%5D=([^&]*)").matcher(raw == null ? "" : raw);
        return matcher.find() ? decode(matcher.group(1)) : null;
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static boolean answer(HttpExchange exchange, int status, Object body) throws IOException {
        return StubServer.answer(exchange, status, JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        server.close();
    }
}
