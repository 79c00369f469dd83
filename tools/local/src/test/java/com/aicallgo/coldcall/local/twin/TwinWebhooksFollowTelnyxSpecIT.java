package com.aicallgo.coldcall.local.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.aicallgo.coldcall.core.testing.TelnyxSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The twin's webhooks are Telnyx's: calls placed over its signalling socket as the page places them, one per
 * outcome the twin plays, and every body it posts is checked against {@link TelnyxSpec}.
 */
class TwinWebhooksFollowTelnyxSpecIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OFFER = String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE 0", "m=audio 9 UDP/TLS/RTP/SAVPF 111 0", "c=IN IP4 0.0.0.0", "a=mid:0", "a=sendrecv",
            "a=rtpmap:111 opus/48000/2", "a=rtpmap:0 PCMU/8000", "");

    /** The page's side of the signalling socket: what the twin sent, and a way to send it requests. */
    private static final class Page implements WebSocket.Listener {
        final Map<String, String> controlIds = new ConcurrentHashMap<>();
        final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode params = JSON.readTree(partial.toString()).path("params");
                    if (params.has("telnyx_call_control_id") && params.has("callID")) {
                        controlIds.put(params.path("callID").asText(), params.path("telnyx_call_control_id").asText());
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void send(String method, Object params) throws Exception {
            Map<String, Object> message = Map.of("jsonrpc", "2.0", "id", ids.incrementAndGet(), "method", method,
                    "params", params);
            socket.sendText(JSON.writeValueAsString(message), true).get(2, TimeUnit.SECONDS);
        }

        void invite(String callId, String to, String clientState) throws Exception {
            Map<String, Object> dialog = new TreeMap<>(Map.of("callID", callId, "destination_number", to,
                    "caller_id_number", "+15550000001"));
            if (clientState != null) {
                dialog.put("clientState", clientState);
            }
            send("telnyx_rtc.invite", Map.of("sdp", OFFER, "dialogParams", dialog));
        }

        void bye(String callId, String cause, int causeCode) throws Exception {
            send("telnyx_rtc.bye", Map.of("cause", cause, "causeCode", causeCode, "dialogParams", Map.of("callID", callId)));
        }

        String controlId(String callId) throws InterruptedException {
            for (int i = 0; i < 100 && !controlIds.containsKey(callId); i++) {
                Thread.sleep(50);
            }
            return controlIds.get(callId);
        }
    }

    @Test
    void everyWebhookTheTwinSendsForEveryOutcomeIsOneTelnyxsSpecAllows() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer runner = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        runner.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        runner.start();
        URI hook = URI.create("http://127.0.0.1:" + runner.getAddress().getPort() + "/webhook/telnyx/direct/call-status");
        Twin.Settings settings = new Twin.Settings("127.0.0.1", "http://127.0.0.1:9/v2", hook, null, null, null,
                "dev-connection-0000", Twin.Flow.DIRECT, Duration.ofMinutes(10), false);
        try (Twin twin = Twin.start(settings)) {
            Page page = new Page();
            page.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(twin.signallingUrl()), page).get(5, TimeUnit.SECONDS);
            page.send("login", Map.of("login", "dev-user", "passwd", "dev-password"));
            Thread.sleep(200);

            String state = java.util.Base64.getEncoder().encodeToString("{\"c\":1}".getBytes(StandardCharsets.UTF_8));
            page.invite("busy", TestNumber.BUSY.example(), null);
            page.invite("rejected", TestNumber.REJECTED.example(), null);
            page.invite("no-answer", TestNumber.NO_ANSWER.example(), null);
            page.invite("callee-hangs-up", TestNumber.CALLEE_HANGS_UP.example(), state);
            page.invite("recording-fails", TestNumber.RECORDING_FAILS.example(), null);
            page.invite("canceled", TestNumber.ANSWERED.example(), null);
            page.invite("twice", TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER.example(), state);

            Thread.sleep(800);
            // the SDK's own cause for a hang-up before the answer (2.27.10): USER_BUSY / 17
            page.bye("canceled", "USER_BUSY", 17);
            Thread.sleep(1_200); // answered at 1.5 s
            for (String call : List.of("callee-hangs-up", "recording-fails", "twice")) {
                String controlId = page.controlId(call);
                assertNotNull(controlId, call + " rang with its call control id");
                assertEquals(200, twin.command(controlId, "record_start",
                        JSON.readTree("{\"format\":\"mp3\",\"channels\":\"dual\"}")).status(), call);
            }
            Thread.sleep(500);
            page.bye("recording-fails", "NORMAL_CLEARING", 16);
            page.bye("twice", "NORMAL_CLEARING", 16);

            // busy 2, rejected 2, no answer 2, callee hangs up 5, recording fails 5, canceled 2, twice 2 x 5
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (bodies.size() < 28 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            runner.stop(0);
        }
        List<String> violations = new ArrayList<>();
        Map<String, Integer> types = new TreeMap<>();
        for (String body : bodies) {
            types.merge(JSON.readTree(body).path("data").path("event_type").asText(), 1, Integer::sum);
            TelnyxSpec.webhookViolations(body).forEach(v -> violations.add(v + "\n      in " + body));
        }
        assertEquals(List.of(), violations, "the twin posted webhooks Telnyx's spec does not allow");
        assertEquals(Map.of("call.initiated", 8, "call.answered", 4, "call.bridged", 4, "call.hangup", 8,
                "call.recording.saved", 3, "call.recording.error", 1), types,
                "every outcome's webhooks arrived (the out-of-order number twice)");
        long withStats = bodies.stream().map(b -> {
            try {
                return JSON.readTree(b).path("data");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).filter(d -> d.path("event_type").asText().equals("call.hangup"))
                .filter(d -> d.path("payload").path("call_quality_stats").isObject()).count();
        // answered and hung up: callee-hangs-up, recording-fails, and the out-of-order number's hang-up twice
        assertEquals(4, withStats, "every hang-up of an answered call carries call_quality_stats");
    }

    @Test
    void everyWebhookAndReadOfTheParkedFlowIsOneTelnyxsSpecAllows() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer runner = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        runner.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        runner.start();
        URI hook = URI.create("http://127.0.0.1:" + runner.getAddress().getPort() + "/webhook/telnyx/direct/call-status");
        // the test reads leg A's id from the page's signalling before the transfer: the ringing carries it early
        Twin.Settings settings = new Twin.Settings("127.0.0.1", "http://127.0.0.1:9/v2", hook, null, null, null,
                "dev-connection-0000", Twin.Flow.PARKED, Duration.ofMinutes(10), true,
                Switches.TELNYX.patched(JSON.readTree("{\"early_call_id\": true}")));
        List<String> violations = new ArrayList<>();
        try (Twin twin = Twin.start(settings)) {
            Page page = new Page();
            page.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(twin.signallingUrl()), page).get(5, TimeUnit.SECONDS);
            page.send("login", Map.of("login", "dev-user", "passwd", "dev-password"));
            Thread.sleep(200);
            String state = java.util.Base64.getEncoder().encodeToString("{\"c\":1}".getBytes(StandardCharsets.UTF_8));
            List<TestNumber> numbers = List.of(TestNumber.ANSWERED, TestNumber.BUSY, TestNumber.INVALID_NUMBER,
                    TestNumber.RECORDING_SAVED_MINIMAL, TestNumber.CALLEE_HANGS_UP);
            for (TestNumber number : numbers) {
                page.invite(number.name(), number.example(), null);
            }
            for (TestNumber number : numbers) {
                String a = page.controlId(number.name());
                assertNotNull(a, number + " rang with its call control id");
                String transfer = "{\"to\":\"" + number.example() + "\",\"from\":\"+15550000001\",\"timeout_secs\":30,"
                        + "\"record\":\"record-from-answer\",\"record_format\":\"mp3\",\"record_channels\":\"dual\","
                        + "\"client_state\":\"" + state + "\",\"target_leg_client_state\":\"" + state + "\",\"command_id\":\"t-"
                        + number.name() + "\"}";
                String path = "/v2/calls/" + a + "/actions/transfer";
                TelnyxSpec.commandViolations("POST", path, transfer).forEach(violations::add);
                assertEquals(200, twin.command(a, "transfer", JSON.readTree(transfer)).status(), number.name());
            }
            Thread.sleep(2_500); // answered at 1.5 s; busy at 1.5 s; not found at 0.8 s
            String busy = page.controlId(TestNumber.BUSY.name());
            String hangup = "{\"client_state\":\"" + state + "\",\"command_id\":\"h-1\",\"custom_headers\":"
                    + "[{\"name\":\"X-Cold-Call-Outcome\",\"value\":\"busy\"}]}";
            TelnyxSpec.commandViolations("POST", "/v2/calls/" + busy + "/actions/hangup", hangup).forEach(violations::add);
            assertEquals(200, twin.command(busy, "hangup", JSON.readTree(hangup)).status());
            page.bye(TestNumber.ANSWERED.name(), "NORMAL_CLEARING", 16);
            page.bye(TestNumber.RECORDING_SAVED_MINIMAL.name(), "NORMAL_CLEARING", 16);
            Thread.sleep(4_000); // the callee of 0104 hangs up 4 s after the answer; recordings 0.5 s after
            for (String call : List.of(TestNumber.ANSWERED.name(), TestNumber.BUSY.name())) {
                String status = twin.callStatus(page.controlId(call)).body();
                TelnyxSpec.readViolations("/v2/calls/" + page.controlId(call), status).forEach(violations::add);
            }
            String listed = JSON.writeValueAsString(Map.of("data", twin.listRecordings(Map.of())));
            TelnyxSpec.readViolations("/v2/recordings", listed).forEach(violations::add);
            List<Map<String, Object>> recordings = twin.listRecordings(Map.of());
            assertEquals(3, recordings.size(), "legs B of 0100, 0109 and 0104 recorded");
            String one = JSON.writeValueAsString(Map.of("data", twin.recording((String) recordings.get(0).get("id"))));
            TelnyxSpec.readViolations("/v2/recordings/" + recordings.get(0).get("id"), one).forEach(violations::add);
        } finally {
            runner.stop(0);
        }
        Map<String, Integer> types = new TreeMap<>();
        for (String body : bodies) {
            types.merge(JSON.readTree(body).path("data").path("event_type").asText(), 1, Integer::sum);
            TelnyxSpec.webhookViolations(body).forEach(v -> violations.add(v + "\n      in " + body));
        }
        assertEquals(List.of(), violations, "the twin posted or answered what Telnyx's spec does not allow");
        // A and B initiated for 5 calls; 3 answered (both legs) and bridged (both legs); every leg hung up but the
        // browser's leg of 0108, which stays parked after its failed transfer (nobody hung it up here)
        assertEquals(Map.of("call.initiated", 10, "call.answered", 6, "call.bridged", 6, "call.hangup", 9,
                "call.recording.saved", 3), types, "every outcome's webhooks arrived");
        assertEquals(6, bodies.stream().filter(b -> b.contains("\"call_quality_stats\"")).count(),
                "both legs of the 3 answered calls hang up with call_quality_stats");
    }
}
