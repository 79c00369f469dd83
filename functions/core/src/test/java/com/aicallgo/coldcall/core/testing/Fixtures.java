package com.aicallgo.coldcall.core.testing;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The repository's {@code events/} files, its dev environment and key, shared by every module's tests. */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    /** The repository root (Maven passes it as {@code project.root}). */
    public static Path root() {
        String root = System.getProperty("project.root");
        Path path = root == null ? Path.of("").toAbsolutePath() : Path.of(root);
        while (!Files.isDirectory(path.resolve("events")) && path.getParent() != null) {
            path = path.getParent();
        }
        return path;
    }

    public static Path events(String relative) {
        return root().resolve("events").resolve(relative);
    }

    /**
     * Whether an {@code events/} file is an SQS event (the drain's {@code outbox-drain/}), not an HTTP API one: its
     * shape is checked by DelayedRecordsIT and DeploymentTemplateIT, not by the route tests.
     */
    public static boolean sqsEvent(Path file) {
        return file.getParent() != null && file.getParent().getFileName().toString().equals("outbox-drain");
    }

    /** An {@code events/} file read by Lambda's own deserialiser (aws-lambda-java-tests' EventLoader). */
    public static APIGatewayV2HTTPEvent event(String relative) {
        return EventLoader.loadApiGatewayHttpEvent(events(relative).toString());
    }

    /** {@code events/env.json}'s {@code Parameters}: the dev environment of every function. */
    public static Map<String, String> devEnvironment() {
        try {
            Map<?, ?> file = JSON.readValue(events("env.json").toFile(), Map.class);
            Map<String, String> env = new LinkedHashMap<>();
            ((Map<?, ?>) file.get("Parameters")).forEach((k, v) -> env.put(k.toString(), v.toString()));
            return env;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The dev environment pointed at this test's Redis database and stand-ins. */
    public static Map<String, String> environment(String redisUrl, String webBackendUrl, String telnyxApiBase) {
        Map<String, String> env = devEnvironment();
        env.put("REDIS_URL", redisUrl);
        env.put("WEB_BACKEND_URL", webBackendUrl);
        env.put("TELNYX_API_BASE", telnyxApiBase);
        return env;
    }

    /** The client states the functions of {@code env} sign and check (its {@code CLIENT_STATE_KEY}). */
    public static com.aicallgo.coldcall.core.telnyx.ClientState clientStates(Map<String, String> env) {
        com.aicallgo.coldcall.core.secrets.Secrets secrets = com.aicallgo.coldcall.core.secrets.Secrets.from(env,
                "the test's environment");
        return new com.aicallgo.coldcall.core.telnyx.ClientState(() -> secrets);
    }

    public static WebhookSigner devSigner() {
        try {
            return WebhookSigner.fromSeed(Files.readString(events("keys/dev-webhook-ed25519.seed")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event's body as the raw bytes a function receives. */
    public static byte[] body(APIGatewayV2HTTPEvent event) {
        return event.getIsBase64Encoded()
                ? Base64.getDecoder().decode(event.getBody())
                : event.getBody().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Signs the event's current body with the dev key at {@code at} (replacing the file's stale signature), after
     * checking the body is a webhook Telnyx's spec allows ({@link TelnyxSpec}): a test cannot teach the server a
     * shape Telnyx never sends. A test that sends a malformed body on purpose uses {@link #signedUnchecked}.
     */
    public static APIGatewayV2HTTPEvent signed(APIGatewayV2HTTPEvent event, Instant at) {
        TelnyxSpec.checkWebhook("the body signed for " + event.getRawPath(), bodyText(event));
        return signedUnchecked(event, at);
    }

    /** As {@link #signed}, without the spec check: only for a body that is meant not to be Telnyx's. */
    public static APIGatewayV2HTTPEvent signedUnchecked(APIGatewayV2HTTPEvent event, Instant at) {
        Map<String, String> headers = new LinkedHashMap<>(event.getHeaders());
        headers.put("telnyx-timestamp", Long.toString(at.getEpochSecond()));
        headers.put("telnyx-signature-ed25519", devSigner().sign(at.getEpochSecond(), body(event)));
        event.setHeaders(headers);
        return event;
    }

    /** Replaces the body (as text) and signs it; the body must be a webhook Telnyx's spec allows. */
    public static APIGatewayV2HTTPEvent withBody(APIGatewayV2HTTPEvent event, String body, Instant at) {
        event.setBody(body);
        event.setIsBase64Encoded(false);
        return signed(event, at);
    }

    /** As {@link #withBody}, without the spec check: only for a body that is meant not to be Telnyx's. */
    public static APIGatewayV2HTTPEvent withBodyUnchecked(APIGatewayV2HTTPEvent event, String body, Instant at) {
        event.setBody(body);
        event.setIsBase64Encoded(false);
        return signedUnchecked(event, at);
    }

    /** A body read as JSON text, for tests that edit an event's body. */
    public static String bodyText(APIGatewayV2HTTPEvent event) {
        return new String(body(event), StandardCharsets.UTF_8);
    }

    /** Captures what a function logs. */
    public static final class Log {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        public PrintStream stream() {
            return stream;
        }

        public String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    public static Wiring wiring(String function, Map<String, String> env, Clock clock, Log log) {
        return new Wiring(function, env, clock, log.stream());
    }
}
