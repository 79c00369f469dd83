package com.aicallgo.coldcall.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aicallgo.coldcall.core.testing.Moto;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bin/doctor against the account the local runner's Telnyx twin plays: the runner's jar started as {@code bin/local
 * start-api} starts it (with {@code events/env.json}), the doctor run in-process. The good account passes every
 * check; each bad account (made with {@code PATCH /_local/telnyx/account}) fails the one check it breaks, and the
 * line names the fix. Hostile cases: a wrong key, a wrong id, no network, a peer that never answers, a key offered
 * on the command line. The stack path runs the AWS CLI against moto.
 */
class DoctorIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DB = 14;
    private static final String KEY = "dev-telnyx-api-key-NOT-REAL";
    private static final String CONNECTION = "dev-connection-0000";
    private static final String NUMBER = "+15550000001";
    private static final String ROUTES = "/aicallgo/api/v1/cold-call/webhook/telnyx/direct/";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Process runner;
    private static String base;

    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void startRunner() throws Exception {
        Path root = Path.of(System.getProperty("project.root", "../..")).toAbsolutePath().normalize();
        Path jar = root.resolve("tools/local/target/coldcall-local.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is built by the reactor before this module");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "start-api", "--port", Integer.toString(port), "--drain-every", "0",
                "--env-vars", "events/env.json").directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "doctor-runner-" + port + ".log").toFile());
        builder.environment().put("REDIS_URL", TestRedis.url(DB));
        runner = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(runner::destroy));
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!runner.isAlive()) {
                fail("the runner exited: see doctor-runner-" + port + ".log in " + System.getProperty("java.io.tmpdir"));
            }
            try {
                if (account("GET", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        fail("the runner did not serve the twin's account within 60 s");
    }

    @AfterAll
    static void stopRunner() throws InterruptedException {
        if (runner != null) {
            runner.destroy();
            runner.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void goodAccount() throws Exception {
        assertEquals(200, account("DELETE", null).statusCode());
    }

    private static HttpResponse<String> account(String method, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/_local/telnyx/account"))
                .timeout(Duration.ofSeconds(5));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void patch(String body) throws Exception {
        HttpResponse<String> response = account("PATCH", body);
        assertEquals(200, response.statusCode(), response.body());
    }

    /** The doctor with the runner's inputs, as a developer would give them; {@code extra} flags after those. */
    private static Run doctor(Map<String, String> env, String... extra) {
        List<String> args = new ArrayList<>(List.of("--telnyx-api-base", base + "/_local/telnyx", "--connection-id",
                CONNECTION, "--phone-number", NUMBER, "--call-status-url", base + ROUTES + "call-status",
                "--recording-url", base + ROUTES + "recording"));
        args.addAll(List.of(extra));
        return run(env, args.toArray(String[]::new));
    }

    private static Run doctor(String... extra) {
        return doctor(Map.of("TELNYX_SIP_API_KEY", KEY), extra);
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Doctor.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run run = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(run.all().contains(KEY), "the API key is never printed:\n" + run.all());
        return run;
    }

    /** The report's line for {@code check}. */
    private static String line(Run run, String check) {
        return run.out().lines().filter(l -> l.matches("^(ok|warn|FAIL) +" + check + ": .*")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + check + " in\n" + run.out()));
    }

    /** Exactly the one check {@code check} fails (exit 1), and its line contains each of {@code fix}. */
    private static void failsOnly(Run run, String check, String... fix) {
        assertEquals(1, run.exit(), run.all());
        String line = line(run, check);
        assertTrue(line.startsWith("FAIL"), line);
        for (String part : fix) {
            assertTrue(line.contains(part), "'" + part + "' in " + line);
        }
        assertEquals(1, run.out().lines().filter(l -> l.startsWith("FAIL")).count(), run.out());
    }

    @Test
    void theTwinsAccountIsHardenedAndMatchesTheRunner() {
        Run run = doctor();
        assertEquals(0, run.exit(), run.all());
        for (String check : List.of("API key", "credential connection", "webhook URL", "webhook API version",
                "failover URL", "Park Outbound Calls", "outbound voice profile", "whitelisted destinations",
                "max destination rate", "daily spend limit", "concurrent call limit", "caller ID number")) {
            assertTrue(line(run, check).startsWith("ok "), line(run, check));
        }
        assertTrue(run.out().contains("All 12 checks ok."), run.out());
    }

    @Test
    void aWebhookUrlThatIsNotTheStacksFailsWithTheUrlToSet() throws Exception {
        patch("{\"credential_connection\": {\"webhook_event_url\": \"https://attacker.example/hook\"}}");
        failsOnly(doctor(), "webhook URL", "https://attacker.example/hook",
                "PATCH /v2/credential_connections/" + CONNECTION + " {\"webhook_event_url\": \"" + base + ROUTES
                        + "call-status\"}", "Voice -> SIP Connections");
    }

    @Test
    void webhookApiVersionOneFails() throws Exception {
        patch("{\"credential_connection\": {\"webhook_api_version\": \"1\"}}");
        failsOnly(doctor(), "webhook API version", "{\"webhook_api_version\": \"2\"}");
        patch("{\"credential_connection\": {\"webhook_api_version\": null}}");
        failsOnly(doctor(), "webhook API version", "1: "); // Telnyx's default is 1
    }

    @Test
    void noFailoverUrlFailsAndAStrangersFailoverToo() throws Exception {
        patch("{\"credential_connection\": {\"webhook_event_failover_url\": \"\"}}");
        failsOnly(doctor(), "failover URL", "none", "{\"webhook_event_failover_url\": \"" + base + ROUTES + "recording\"}");
        patch("{\"credential_connection\": {\"webhook_event_failover_url\": \"https://elsewhere.example/\"}}");
        failsOnly(doctor(), "failover URL", "not one of the stack's webhook URLs");
    }

    @Test
    void parkingMustMatchTheCallFlow() throws Exception {
        patch("{\"credential_connection\": {\"outbound\": {\"call_parking_enabled\": true}}}");
        failsOnly(doctor(), "Park Outbound Calls", "on, but CALL_FLOW is direct",
                "{\"outbound\": {\"call_parking_enabled\": false}}", "or deploy with CallFlow=parked");
        assertEquals(0, doctor("--call-flow", "parked").exit(), "parking on is right for the parked flow");

        assertEquals(200, account("DELETE", null).statusCode());
        failsOnly(doctor(Map.of("TELNYX_SIP_API_KEY", KEY, "CALL_FLOW", "parked")), "Park Outbound Calls",
                "off, but CALL_FLOW is parked", "{\"outbound\": {\"call_parking_enabled\": true}}");
    }

    @Test
    void aWhitelistBeyondThePolicyFailsAndNamesWhatToKeep() throws Exception {
        patch("{\"outbound_voice_profile\": {\"whitelisted_destinations\": [\"US\", \"JM\", \"GB\", \"CA\"]}}");
        failsOnly(doctor(), "whitelisted destinations", "JM (a toll-fraud target", "GB (outside the allowed prefixes",
                "{\"whitelisted_destinations\": [\"US\", \"CA\"]}", "DIAL_ALLOWED_PREFIXES");

        assertEquals(0, doctor(Map.of("TELNYX_SIP_API_KEY", KEY, "DIAL_ALLOWED_PREFIXES", "+1, +44, +1876")).exit(),
                "a policy that names Jamaica and the UK allows them");
        failsOnly(doctor(Map.of("TELNYX_SIP_API_KEY", KEY, "DIAL_ALLOWED_PREFIXES", "+1,+44")),
                "whitelisted destinations", "JM (a toll-fraud target");

        patch("{\"outbound_voice_profile\": {\"whitelisted_destinations\": [\"US\", \"CA\"]}}");
        Run notListed = doctor(Map.of("TELNYX_SIP_API_KEY", KEY, "DIAL_ALLOWED_PREFIXES", "+1,+44"));
        assertEquals(0, notListed.exit(), notListed.all());
        assertTrue(line(notListed, "whitelisted destinations").startsWith("warn")
                && line(notListed, "whitelisted destinations").contains("lists no country of +44"), notListed.out());

        patch("{\"outbound_voice_profile\": {\"whitelisted_destinations\": [\"US\", \"*\"]}}");
        failsOnly(doctor(), "whitelisted destinations", "* (every country)");
    }

    @Test
    void noRateCapFails() throws Exception {
        patch("{\"outbound_voice_profile\": {\"max_destination_rate\": null}}");
        failsOnly(doctor(), "max destination rate", "not set", "{\"max_destination_rate\": 0.25}");
        patch("{\"outbound_voice_profile\": {\"max_destination_rate\": 2.5}}");
        Run high = doctor();
        assertEquals(0, high.exit(), high.all());
        assertTrue(line(high, "max destination rate").startsWith("warn"), high.out());
    }

    @Test
    void noDailySpendLimitFails() throws Exception {
        patch("{\"outbound_voice_profile\": {\"daily_spend_limit_enabled\": false}}");
        failsOnly(doctor(), "daily spend limit", "not enforced", "{\"daily_spend_limit_enabled\": true");
        patch("{\"outbound_voice_profile\": {\"daily_spend_limit_enabled\": true, \"daily_spend_limit\": \"0\"}}");
        failsOnly(doctor(), "daily spend limit", "enforced but is 0");
    }

    @Test
    void noConcurrentCallLimitFails() throws Exception {
        patch("{\"outbound_voice_profile\": {\"concurrent_call_limit\": null}}");
        failsOnly(doctor(), "concurrent call limit", "none", "{\"concurrent_call_limit\": 10}");
    }

    @Test
    void aProfileThatIsMissingOrDisabledFails() throws Exception {
        patch("{\"outbound_voice_profile\": {\"enabled\": false}}");
        failsOnly(doctor(), "outbound voice profile", "disabled", "{\"enabled\": true}");
        patch("{\"credential_connection\": {\"outbound\": {\"outbound_voice_profile_id\": null}}}");
        failsOnly(doctor(), "outbound voice profile", "none on the connection", "outbound_voice_profile_id");
        assertFalse(doctor().out().contains("daily spend limit"), "no profile, no profile checks");
    }

    @Test
    void aCallerIdNotOnTheConnectionFails() throws Exception {
        patch("{\"phone_number\": {\"connection_id\": \"another-connection\"}}");
        failsOnly(doctor(), "caller ID number", "on connection another-connection, not on " + CONNECTION,
                "{\"connection_id\": \"" + CONNECTION + "\"}", "Numbers -> My Numbers");
        patch("{\"phone_number\": {\"connection_id\": null}}");
        failsOnly(doctor(), "caller ID number", "on no connection");
        assertEquals(200, account("DELETE", null).statusCode());
        failsOnly(doctor("--phone-number", "+15550009999"), "caller ID number", "+15550009999 is not a number of this account");
    }

    @Test
    void withoutTheStacksUrlsTheUrlsAreShownNotPassed() {
        Run run = run(Map.of("TELNYX_SIP_API_KEY", KEY, "TELNYX_API_BASE", base + "/_local/telnyx",
                "TELNYX_SIP_CONNECTION_ID", CONNECTION, "TELNYX_SIP_PHONE_NUMBER", NUMBER));
        assertEquals(0, run.exit(), run.all());
        assertTrue(line(run, "webhook URL").startsWith("warn") && line(run, "webhook URL").contains("--call-status-url"),
                run.out());
        assertTrue(line(run, "failover URL").startsWith("warn") && line(run, "failover URL").contains("--recording-url"),
                run.out());
        assertTrue(run.out().contains("0 FAIL, 2 warn, 10 ok."), run.out());
    }

    @Test
    void aWrongKeyIsNamedAndNothingElseIsRead() {
        Run run = doctor(Map.of("TELNYX_SIP_API_KEY", "KEY-of-someone-else"));
        assertEquals(1, run.exit(), run.all());
        String line = line(run, "API key");
        assertTrue(line.startsWith("FAIL") && line.contains("refused the API key (401"), line);
        assertTrue(line.contains("Keys & Credentials -> API Keys"), line);
        assertEquals(1, run.out().lines().filter(l -> l.matches("^(ok|warn|FAIL) .*")).count(), run.out());
        assertFalse(run.all().contains("KEY-of-someone-else"), run.all());
    }

    @Test
    void aWrongConnectionIdIsNamed() {
        Run run = doctor("--connection-id", "not-ours");
        assertEquals(1, run.exit(), run.all());
        assertTrue(line(run, "credential connection").contains("no credential connection not-ours on this account (404"),
                run.out());
        assertTrue(line(run, "credential connection").contains("SipConnectionId"), run.out());
    }

    @Test
    void noNetworkAndASilentPeerAreBoundedAndNamed() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run down = doctor("--telnyx-api-base", "http://127.0.0.1:" + closed);
        assertEquals(1, down.exit(), down.all());
        assertTrue(line(down, "Telnyx API").contains("cannot reach http://127.0.0.1:" + closed), down.out());

        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> held = new ArrayList<>();
            Thread accept = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // read nothing, answer nothing
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            Instant start = Instant.now();
            Run stuck = doctor("--telnyx-api-base", "http://127.0.0.1:" + silent.getLocalPort());
            Duration took = Duration.between(start, Instant.now());
            assertEquals(1, stuck.exit(), stuck.all());
            assertTrue(line(stuck, "Telnyx API").contains("no answer from"), stuck.out());
            assertTrue(took.compareTo(TelnyxApi.READ_DEADLINE.plusSeconds(3)) < 0, "bounded: took " + took);
            accept.interrupt();
        }
    }

    @Test
    void missingInputsAndAKeyOnTheCommandLineAreRefused() {
        Run none = run(Map.of());
        assertEquals(2, none.exit(), none.all());
        assertTrue(none.err().contains("TELNYX_SIP_API_KEY") && none.err().contains("TELNYX_SIP_CONNECTION_ID"), none.err());

        Run onArgv = run(Map.of(), "--api-key", "KEY123", "--connection-id", CONNECTION);
        assertEquals(2, onArgv.exit(), onArgv.all());
        assertTrue(onArgv.err().contains("never taken on the command line"), onArgv.err());
        assertFalse(onArgv.all().contains("KEY123"), onArgv.all());

        Run badFlow = doctor("--call-flow", "sideways");
        assertEquals(2, badFlow.exit(), badFlow.all());
        Run badPrefix = doctor("--allowed", "+1,UK");
        assertEquals(2, badPrefix.exit(), badPrefix.all());
        assertTrue(badPrefix.err().contains("'UK' is not one"), badPrefix.err());
    }

    @Test
    void jsonReportsEveryCheck() throws Exception {
        patch("{\"outbound_voice_profile\": {\"concurrent_call_limit\": null}}");
        Run run = doctor("--json");
        assertEquals(1, run.exit(), run.all());
        JsonNode report = JSON.readTree(run.out());
        assertFalse(report.path("ok").asBoolean(true));
        assertEquals(12, report.path("checks").size(), run.out());
        JsonNode failed = null;
        for (JsonNode check : report.path("checks")) {
            if (check.path("status").asText().equals("fail")) {
                failed = check;
            }
        }
        assertEquals("concurrent call limit", failed.path("check").asText(), run.out());
        assertTrue(failed.path("fix").asText().contains("concurrent_call_limit"), run.out());
    }

    @Test
    void theTwinsAccountAnswersOnlyTheAccountsKeyAndIds() throws Exception {
        for (String authorization : List.of("", "Bearer wrong", "Bearer " + KEY + "x", KEY)) {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                    URI.create(base + "/_local/telnyx/v2/credential_connections/" + CONNECTION)).GET();
            if (!authorization.isEmpty()) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, response.statusCode(), authorization);
            assertFalse(response.body().contains(KEY), response.body());
        }
        HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(
                URI.create(base + "/_local/telnyx/v2/outbound_voice_profiles/someone-elses"))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, other.statusCode());
        HttpResponse<String> elsewhere = HTTP.send(HttpRequest.newBuilder(
                URI.create(base + "/_local/stands/v2/phone_numbers")).header("Authorization", "Bearer " + KEY)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, elsewhere.statusCode(), "only under the Telnyx stand-in (a prefix as long as its own is not it)");
        assertEquals(400, account("PATCH", "{\"api_key\": \"mine\"}").statusCode(), "only the three parts");
        assertEquals(400, account("PATCH", "not json").statusCode());
    }

    /**
     * The twin's resources carry the types Telnyx's OpenAPI spec gives these fields (CredentialConnection,
     * CredentialOutbound, OutboundVoiceProfile, PhoneNumberDetailed), so the doctor is tested against Telnyx's shapes.
     */
    @Test
    void theTwinsAccountHasTelnyxsFieldTypes() throws Exception {
        JsonNode connection = read("/v2/credential_connections/" + CONNECTION);
        assertTrue(List.of("1", "2").contains(connection.path("webhook_api_version").textValue()), connection.toString());
        assertTrue(connection.path("webhook_event_url").isTextual() && connection.path("webhook_event_failover_url").isTextual()
                && connection.path("active").isBoolean() && connection.path("connection_name").isTextual(), connection.toString());
        assertTrue(connection.path("outbound").path("call_parking_enabled").isBoolean()
                && connection.path("outbound").path("outbound_voice_profile_id").isTextual(), connection.toString());
        JsonNode profile = read("/v2/outbound_voice_profiles/" + connection.path("outbound").path("outbound_voice_profile_id").asText());
        assertTrue(profile.path("max_destination_rate").isNumber() && profile.path("daily_spend_limit").isTextual()
                && profile.path("daily_spend_limit_enabled").isBoolean() && profile.path("concurrent_call_limit").isInt()
                && profile.path("enabled").isBoolean() && profile.path("traffic_type").isTextual(), profile.toString());
        for (JsonNode country : profile.path("whitelisted_destinations")) {
            assertTrue(country.isTextual() && country.asText().matches("[A-Z]{2}"), profile.toString());
        }
        JsonNode numbers = read("/v2/phone_numbers?filter%5Bphone_number%5D=%2B15550000001");
        assertEquals(1, numbers.size(), numbers.toString());
        assertTrue(List.of("purchase-pending", "purchase-failed", "port-pending", "port-failed", "active", "deleted",
                "emergency-only", "ported-out", "port-out-pending").contains(numbers.path(0).path("status").asText()));
        assertTrue(numbers.path(0).path("connection_id").isTextual() && numbers.path(0).path("id").isTextual());
        assertEquals(0, read("/v2/phone_numbers?filter%5Bphone_number%5D=%2B15550000002").size(), "another number");
    }

    private static JsonNode read(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/_local/telnyx" + path))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body()).path("data");
    }

    @Test
    void theStackGivesEveryInputAndTheSecretTheKey() throws Exception {
        Path work = Files.createTempDirectory("doctor-stack");
        Map<String, String> aws = new HashMap<>();
        aws.put("PATH", System.getenv("PATH"));
        aws.put("HOME", System.getProperty("user.home"));
        aws.put("AWS_ENDPOINT_URL", Moto.endpoint());
        aws.put("AWS_ACCESS_KEY_ID", "testing");
        aws.put("AWS_SECRET_ACCESS_KEY", "testing");
        aws.put("AWS_DEFAULT_REGION", "us-east-1");
        aws.put("AWS_CONFIG_FILE", work.resolve("no-aws-config").toString());
        aws.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString());
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path secret = work.resolve("secret.json");
        Files.writeString(secret, "{\"TELNYX_SIP_API_KEY\": \"" + KEY + "\", \"INTERNAL_API_KEY\": \"x\"}");
        String arn = aws(work, aws, "secretsmanager", "create-secret", "--name", "doctor-" + id, "--secret-string",
                secret.toUri().toString(), "--query", "ARN", "--output", "text");
        Path template = work.resolve("stack.yaml");
        Files.writeString(template, """
                Parameters:
                  SipConnectionId: {Type: String}
                  SipPhoneNumber: {Type: String}
                  CallFlow: {Type: String, Default: direct}
                Resources:
                  Topic:
                    Type: AWS::SNS::Topic
                Outputs:
                  CallStatusWebhookUrl:
                    Value: %s
                  RecordingWebhookUrl:
                    Value: %s
                  SecretArn:
                    Value: %s
                """.formatted(base + ROUTES + "call-status", base + ROUTES + "recording", arn));
        aws(work, aws, "cloudformation", "create-stack", "--stack-name", "doctor-" + id, "--template-body",
                template.toUri().toString(), "--parameters", "ParameterKey=SipConnectionId,ParameterValue=" + CONNECTION,
                "ParameterKey=SipPhoneNumber,ParameterValue=" + NUMBER);

        Run run = run(aws, "--stack-name", "doctor-" + id, "--telnyx-api-base", base + "/_local/telnyx");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("TELNYX_SIP_API_KEY from the stack's secret"), run.out());
        assertTrue(run.out().contains("TELNYX_SIP_CONNECTION_ID, TELNYX_SIP_PHONE_NUMBER, CALL_FLOW, CallStatusWebhookUrl,"
                + " RecordingWebhookUrl from the stack;"), run.out());
        assertTrue(line(run, "webhook URL").contains("(the stack's CallStatusWebhookUrl)"), run.out());

        Run missing = run(aws, "--stack-name", "no-such-stack-" + id);
        assertEquals(2, missing.exit(), missing.all());
        assertTrue(missing.err().contains("describe-stacks failed"), missing.err());
    }

    private static String aws(Path work, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("aws"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), String.join(" ", command));
        String text = new String(output, StandardCharsets.UTF_8).strip();
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + text);
        return text;
    }
}
