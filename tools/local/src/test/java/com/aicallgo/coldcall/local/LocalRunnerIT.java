package com.aicallgo.coldcall.local;

import static com.aicallgo.coldcall.local.RunnerFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.aicallgo.coldcall.local.RunnerFixture.Response;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalRunnerIT {
    static final int DB = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** events/env.json pointed at this test's Redis database. */
    @RegisterExtension
    final RunnerFixture.EnvFile envFile = new RunnerFixture.EnvFile(DB);

    private JsonNode invoke(String function, Path event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = LocalRunner.run(new String[] {"invoke", function, "-e", event.toString(), "--env-vars",
                envFile.path().toString(), "--template", Fixtures.root().resolve("template.yaml").toString()}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        return JSON.readTree(out.toByteArray());
    }

    /** The template's functions with the env file, as the runner builds them (no shell variables). */
    private LocalFunctions functions() throws IOException {
        return RunnerFixture.functions(envFile.path(), Map.of(), false);
    }

    /** An event names its function by its route key (the template maps routes to functions). */
    private static String functionFor(Path event) throws IOException {
        String routeKey = JSON.readTree(event.toFile()).path("routeKey").asText();
        return Template.load(Fixtures.root().resolve("template.yaml")).route(routeKey)
                .orElseThrow(() -> new AssertionError(event + ": no template route for " + routeKey)).functionId();
    }

    /**
     * start-recording records only a call a webhook named: its call.initiated (the events file's, for this call)
     * comes first, as it does for a real call.
     */
    private void namedByItsWebhook(String callControlId) throws Exception {
        Path initiated = Files.createTempFile("call-initiated", ".json");
        try {
            Files.writeString(initiated, Files.readString(Fixtures.events("call-status/call-initiated.json"))
                    .replace("v3:dev-call-0001", callControlId)
                    // a leg and session of its own: the events files' call keeps its ids
                    .replace("f93ed538-2eb3-5ab9-ab8e-abe772f6f292", "f93ed538-2eb3-5ab9-ab8e-000000000008")
                    .replace("b08ff4c4-a583-506e-9383-12bab719adf1", "b08ff4c4-a583-506e-9383-000000000008"));
            JsonNode answer = invoke("CallStatusWebhookFunction", initiated);
            assertEquals(200, answer.get("statusCode").asInt(), answer.toString());
        } finally {
            Files.deleteIfExists(initiated);
        }
    }

    @Test
    void invokeOfEveryEventsFileGivesTheResponseItsNamePromises() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Fixtures.root().resolve("events"))) {
            files = walk.filter(path -> path.toString().endsWith(".json") && !path.getFileName().toString().endsWith("env.json"))
                    .filter(path -> !Fixtures.sqsEvent(path)).sorted().toList();
        }
        assertTrue(files.size() >= 14, "events: " + files);
        namedByItsWebhook("v3:dev-call-start-0008");
        for (Path file : files) {
            JsonNode response = invoke(functionFor(file), file);
            int status = response.get("statusCode").asInt();
            String name = file.getFileName().toString();
            if (name.startsWith("invalid-")) {
                assertTrue(status == 400 || status == 401, name + " -> " + response);
            } else {
                assertEquals(200, status, name + " -> " + response);
            }
            assertEquals("application/json", response.get("headers").get("Content-Type").asText());
        }
    }

    @Test
    void drainRunsTheOutboxOnceAndPrintsItsReport() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = LocalRunner.run(new String[] {"drain", "--all", "--env-vars", envFile.path().toString(), "--template",
                Fixtures.root().resolve("template.yaml").toString()}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        JsonNode report = JSON.readTree(out.toByteArray());
        assertEquals(0, report.get("backlog").asInt());
        assertEquals(0, report.get("dead_letters").asInt());
    }

    @Test
    void reportShowsThePromisesFromTheMetricLinesTheFunctionsWrote() throws Exception {
        Path metrics = Files.createTempFile("metrics", ".jsonl");
        try {
            String template = Fixtures.root().resolve("template.yaml").toString();
            for (String file : List.of("call-status/call-answered.json", "recording/call-recording-saved.json",
                    "call-status/call-hangup-completed.json")) {
                Path event = Fixtures.events(file);
                assertEquals(0, LocalRunner.run(new String[] {"invoke", functionFor(event), "-e", event.toString(),
                        "--env-vars", envFile.path().toString(), "--template", template, "--metrics-file", metrics.toString()}, Map.of(),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
            }
            ByteArrayOutputStream drained = new ByteArrayOutputStream();
            assertEquals(0, LocalRunner.run(new String[] {"drain", "--all", "--env-vars", envFile.path().toString(), "--template",
                    template, "--metrics-file", metrics.toString()}, Map.of(), new PrintStream(drained, true, StandardCharsets.UTF_8)));
            assertEquals(1, JSON.readTree(drained.toByteArray()).get("recordings_captured").asInt());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, LocalRunner.run(new String[] {"report", "--metrics-file", metrics.toString()}, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8)));
            String report = out.toString(StandardCharsets.UTF_8);
            assertTrue(report.contains("TimeToCallLogMs        n=1 "), report);
            assertTrue(report.contains("TimeToRecordingPostMs  n=1 "), report);
            // the events/ files carry 2025 times; invoke re-stamps them to now, so the call log is seconds, not a year, late
            assertTrue(report.contains("promise kept"), report);
            assertTrue(report.contains("100.0% (1 of 1 answered calls)"), report);
            assertTrue(report.contains("RecordingsMissing      0"), report);
            // the completed hang-up carries Telnyx's call_quality_stats
            assertTrue(report.contains("CallInboundMos                 n=1 p10=4.42 "), report);
            assertTrue(report.contains("CallInboundPacketLossPercent   n=1 p10=0.23 "), report);
            assertTrue(report.contains("CallOutboundPacketLossPercent  n=1 p10=0.00 "), report);
            assertTrue(report.contains("CallInboundJitterMaxVariance   n=1 p10=37.10 "), report);
            assertTrue(report.contains("MOS p10 4.42 (1 calls)\n"), report);
        } finally {
            Files.deleteIfExists(metrics);
        }
    }

    @Test
    void reportSaysWhenAnHoursTenthPercentileMosWouldFireTheQualityAlarm() throws Exception {
        Path metrics = Files.createTempFile("metrics", ".jsonl");
        try {
            // 10 calls in one hour, 2 poor: the 10th percentile is poor; 10 good calls the next hour
            StringBuilder lines = new StringBuilder();
            long hour = java.time.Instant.parse("2025-11-15T10:00:00Z").toEpochMilli();
            for (int i = 0; i < 20; i++) {
                double mos = i < 2 ? 2.8 : 4.3;
                long at = hour + (i < 10 ? 0 : 3_600_000L) + i * 1000L;
                lines.append("{\"_aws\":{\"Timestamp\":").append(at).append(",\"CloudWatchMetrics\":[{\"Namespace\":")
                        .append("\"ColdCallDialer\",\"Dimensions\":[[\"Stage\"]],\"Metrics\":[{\"Name\":\"CallInboundMos\",")
                        .append("\"Unit\":\"None\"}]}]},\"Stage\":\"dev\",\"CallInboundMos\":").append(mos).append("}\n");
            }
            Files.writeString(metrics, lines);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, LocalRunner.run(new String[] {"report", "--metrics-file", metrics.toString()}, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8)));
            String report = out.toString(StandardCharsets.UTF_8);
            assertTrue(report.contains("2025-11-15 10:00Z  MOS p10 2.80 (10 calls)  BELOW 3.6 (the CallQuality alarm would fire)"),
                    report);
            assertTrue(report.contains("2025-11-15 11:00Z  MOS p10 4.30 (10 calls)\n"), report);
            assertTrue(report.contains("CallInboundPacketLossPercent   none yet"), report);
        } finally {
            Files.deleteIfExists(metrics);
        }
    }

    @Test
    void startApiTurnsASignedHangupIntoExactlyOneCallLog() throws Exception {
        LocalFunctions functions = functions();
        try (ApiServer server = RunnerFixture.server(functions)) {
            server.start();
            String base = server.base();
            request("DELETE", base + "/_local/web-backend", null, Map.of());

            var event = Fixtures.event("call-status/call-hangup-busy.json");
            byte[] body = Fixtures.body(event);
            long now = Instant.now().getEpochSecond();
            Map<String, String> headers = Map.of("Content-Type", "application/json", "Telnyx-Timestamp", Long.toString(now),
                    "Telnyx-Signature-Ed25519", Fixtures.devSigner().sign(now, body));
            String path = base + Endpoint.CALL_STATUS_WEBHOOK.path();
            assertEquals(200, request("POST", path, body, headers).status());
            assertEquals(200, request("POST", path, body, headers).status(), "a redelivery is a no-op");

            JsonNode received = JSON.readTree(request("GET", base + "/_local/web-backend", null, Map.of()).body());
            assertEquals(1, received.get("received").size());
            JsonNode log = received.get("received").get(0);
            assertEquals("/api/v1/call-logs", log.get("path").asText());
            JsonNode callLog = log.get("body");
            assertEquals("busy", callLog.get("call_status").asText());
            assertEquals("v3:dev-call-busy-0002", callLog.get("twilio_call_sid").asText());
            assertEquals("OUTBOUND", callLog.get("call_direction").asText());
            assertEquals("dev-business-0001", callLog.get("business_id").asText());
            for (String field : List.of("caller_phone_number", "to_phone_number", "call_start_time", "call_end_time",
                    "call_duration_seconds")) {
                assertTrue(callLog.has(field), field);
            }

            Response credentials = request("GET", base + Endpoint.CREDENTIALS.path(), null,
                    Map.of("X-API-Key", "dev-internal-api-key"));
            assertEquals(200, credentials.status());
            // the default mode: the key's rep ("shared") gets a credential of its own from the Telnyx stand-in
            JsonNode login = JSON.readTree(credentials.body());
            assertTrue(login.get("sip_username").asText().startsWith("gencred"), login.toString());
            assertTrue(login.get("login_token").asText().startsWith("local-login-token."), login.toString());
            assertFalse(login.has("sip_password"));

            Response unsigned = request("POST", path, body, Map.of("Content-Type", "application/json"));
            assertEquals(401, unsigned.status());
            Response unknown = request("GET", base + "/aicallgo/api/v1/cold-call/nothing-here", null, Map.of());
            assertEquals(404, unknown.status());
            assertEquals("not_found", JSON.readTree(unknown.body()).get("error").asText());
        }
    }

    @Test
    void startApiServesTheBuiltPageAtRootAndSaysHowToBuildItUntilThen() throws Exception {
        assertEquals(Fixtures.root().resolve("static-dialer/dist").toAbsolutePath().normalize(),
                LocalRunner.site(Fixtures.root()));
        LocalFunctions functions = functions();
        Path parent = Files.createTempDirectory("site");
        Path dist = parent.resolve("dist");
        try (ApiServer server = new ApiServer(functions, dist, "127.0.0.1", 0)) {
            server.start();
            Response missing = request("GET", server.base() + "/", null, Map.of());
            assertEquals(503, missing.status());
            String message = missing.body();
            assertTrue(message.contains("npm --prefix static-dialer run build"), message);

            Files.createDirectories(dist);
            Files.writeString(dist.resolve("index.html"), "<!doctype html><title>dialer</title>");
            Response page = request("GET", server.base() + "/", null, Map.of());
            assertEquals(200, page.status());
            assertEquals("<!doctype html><title>dialer</title>", page.body());
            assertEquals(404, request("GET", server.base() + "/../template.yaml", null, Map.of()).status());
        } finally {
            Files.deleteIfExists(dist.resolve("index.html"));
            Files.deleteIfExists(dist);
            Files.deleteIfExists(parent);
        }
    }
    /** What the runner answers to a raw request line (no client library between, so nothing is re-encoded). */
    private static String rawGet(int port, String path) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBadPathGets400AndNeverForgesALogLine() throws Exception {
        LocalFunctions functions = functions();
        Path site = Files.createTempDirectory("site");
        java.io.PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ApiServer server = new ApiServer(functions, site, "127.0.0.1", 0)) {
            server.start();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            for (String path : List.of("/%00", "/x%0a%7B%22level%22:%22INFO%22,%22forged%22:true%7D%00",
                    "/aicallgo/api/v1/cold-call/webrtc-credentials%0d%0a%7B%22forged%22:true%7D")) {
                String answer = rawGet(server.port(), path);
                assertTrue(answer.startsWith("HTTP/1.1 400"), path + " -> " + answer);
                assertTrue(answer.contains("invalid_request"), answer);
            }
        } finally {
            System.setErr(originalErr);
            Files.deleteIfExists(site);
        }
        for (String line : err.toString(StandardCharsets.UTF_8).split("\n")) {
            assertTrue(line.isEmpty() || JSON.readTree(line).isObject(), "runner log line is JSON: " + line);
            assertTrue(!line.contains("\"forged\":true"), "forged line: " + line);
        }
    }

    @Test
    void theRunnersLogLinesEscapeWhatTheCallerSent() throws Exception {
        String line = ApiServer.logLine("ERROR", "x", Map.of("path", "/a\n{\"forged\":true}"));
        assertEquals(1, line.lines().count());
        assertEquals("/a\n{\"forged\":true}", JSON.readTree(line).get("path").asText());
    }
}
