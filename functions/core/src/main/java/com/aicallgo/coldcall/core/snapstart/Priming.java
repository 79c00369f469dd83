package com.aicallgo.coldcall.core.snapstart;

import com.aicallgo.coldcall.core.calls.Jitter;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.Redis;
import com.aicallgo.coldcall.core.store.StoreUnavailable;
import com.aicallgo.coldcall.core.http.HttpApiEvent;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.aicallgo.coldcall.core.secrets.SecretsUnavailableException;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart hooks of a function. Before the snapshot: run the handler's path once with a synthetic request that
 * touches no outside service and reads no secret (it stops at the authentication check), so classes are loaded
 * and Jackson is warm in the snapshot; open Redis once so Lettuce and Netty are loaded, then close the connection,
 * which would not survive the restore. After the restore: reseed the retry jitter, reopen Redis. Where no CRaC
 * runtime is present (locally, in tests) the hooks are never called.
 */
public final class Priming implements Resource {
    /** A webhook body that exercises the parser (no signature: it is parsed directly, never handled). */
    public static final byte[] SAMPLE_WEBHOOK = ("{\"data\":{\"record_type\":\"event\",\"event_type\":\"call.hangup\","
            + "\"id\":\"priming\",\"occurred_at\":\"2025-01-01T00:00:00Z\",\"payload\":{\"call_control_id\":\"v3:priming\","
            + "\"hangup_cause\":\"normal_clearing\",\"recording_urls\":{\"mp3\":\"https://example.com/a.mp3\"}}},"
            + "\"meta\":{\"attempt\":1}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final Runnable warmUp;
    private final Redis store;
    private final SecretsProvider secrets;
    private final JsonLog log;

    private Priming(Runnable warmUp, Redis store, SecretsProvider secrets, JsonLog log) {
        this.warmUp = warmUp;
        this.store = store;
        this.secrets = secrets;
        this.log = log;
    }

    /**
     * Registers the hooks. The caller keeps the returned object: CRaC holds resources weakly.
     *
     * @param store the function's Redis connection, or {@code null} for a function without Redis
     */
    public static Priming register(Runnable warmUp, Redis store, JsonLog log) {
        return register(warmUp, store, null, log);
    }

    /**
     * Registers the hooks of a function that reads {@code secrets} on its first request: after a restore they are
     * read while Redis reconnects, so the first request waits for the slower of the two, not for both.
     */
    public static Priming register(Runnable warmUp, Redis store, SecretsProvider secrets, JsonLog log) {
        Priming priming = new Priming(warmUp, store, secrets, log);
        if (store != null) {
            warmUp(store, log);
        }
        Core.getGlobalContext().register(priming);
        return priming;
    }

    /** A request to {@code endpoint} with no credentials: the handler answers 401 before any I/O. */
    public static APIGatewayV2HTTPEvent unauthenticated(Endpoint endpoint, String body) {
        String path = endpoint.path();
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setRawPath(path);
        event.setHeaders(Map.of("content-type", "application/json", "user-agent", "snapstart-priming"));
        event.setBody(body);
        event.setIsBase64Encoded(false);
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setRequestId("snapstart-priming");
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(endpoint.method());
        http.setPath(path);
        context.setHttp(http);
        event.setRequestContext(context);
        return event;
    }

    /** Writes {@code answer} once, so its serializer is built before the snapshot. */
    public static void primeJson(Object answer) {
        try {
            Json.mapper().writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("priming: " + answer.getClass().getSimpleName() + " cannot be written", e);
        }
    }

    /** The same request as {@link #unauthenticated}, as the JSON Lambda hands a stream handler. */
    public static byte[] unauthenticatedJson(Endpoint endpoint, String body) {
        try {
            return Json.mapper().writeValueAsBytes(HttpApiEvent.of(unauthenticated(endpoint, body)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the priming event cannot be written", e);
        }
    }

    /**
     * A POST and a GET through {@link HttpCaller} (the JDK's HttpURLConnection, as the Telnyx and Web Backend clients
     * call) to a loopback socket of this process that answers from memory: the HTTP request path is loaded with no
     * outside service, no secret and no connection left open ({@code Connection: close}). A failure is logged, not
     * thrown: priming is an optimisation, never a reason for the snapshot to fail.
     */
    public static void primeHttp(JsonLog log) {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread answering = Thread.ofPlatform().daemon().name("priming-http").start(() -> answer(server, 2));
            HttpCaller caller = new HttpCaller(Duration.ofSeconds(1), Duration.ofSeconds(2));
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/priming");
            Map<String, String> headers = Map.of("Content-Type", "application/json", "Accept", "application/json");
            caller.post(uri, headers, "{\"priming\":true}".getBytes(StandardCharsets.UTF_8));
            caller.get(uri, headers);
            answering.join(2_000);
        } catch (IOException e) {
            log.warn("http priming failed", Map.of("detail", e.getClass().getSimpleName()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answer(ServerSocket server, int requests) {
        byte[] reply = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
                + "Connection: close\r\n\r\n{\"data\":{}}").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < requests; i++) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(2_000);
                InputStream in = socket.getInputStream();
                int length = 0;
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                in.readNBytes(length);
                socket.getOutputStream().write(reply);
            } catch (IOException | NumberFormatException e) {
                return; // the caller's own deadline reports it
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                return line.toString().strip();
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : line.toString();
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        warmUp.run();
        Loaded loaded = loadOwnClasses(Priming.class);
        log.info("primed", Map.of("classes_loaded", loaded.classes(), "classes_skipped", loaded.skipped()));
        if (store != null) {
            store.disconnect();
        }
    }

    /** What {@link #loadOwnClasses} did: classes loaded and initialized, and those this jar cannot link. */
    public record Loaded(int classes, int skipped) {
    }

    /**
     * Class priming: loads, links and initializes every class of ours beside {@code anchor} (the function's task
     * directory, as Lambda unpacks the jar), so that none is read, verified or initialized after a restore. The warm-up
     * runs the request path once, but it stops before what needs Redis or a secret, and without this a webhook's
     * first request after a restore loaded some 40 of our classes (the call state, its records, the delivery types).
     * No class of ours reads the environment or a secret when initialized. A class whose library this function's jar
     * does not carry (the Redis store in the credentials function) is skipped. From a jar (tests, the local runner)
     * it does nothing: there is no snapshot there.
     */
    public static Loaded loadOwnClasses(Class<?> anchor) {
        Path root;
        try {
            root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return new Loaded(0, 0);
        }
        Path ours = root.resolve("com/aicallgo/coldcall");
        if (!Files.isDirectory(ours)) {
            return new Loaded(0, 0);
        }
        int classes = 0;
        int skipped = 0;
        try (Stream<Path> files = Files.walk(ours)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String relative = root.relativize(file).toString();
                if (!relative.endsWith(".class") || relative.endsWith("module-info.class")) {
                    continue;
                }
                String name = relative.substring(0, relative.length() - ".class".length())
                        .replace(file.getFileSystem().getSeparator(), ".");
                try {
                    Class.forName(name, true, anchor.getClassLoader());
                    classes++;
                } catch (ClassNotFoundException | LinkageError e) {
                    skipped++;
                }
            }
        } catch (IOException e) {
            return new Loaded(classes, skipped);
        }
        return new Loaded(classes, skipped);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        Jitter.shared().reseed();
        Thread reading = null;
        if (secrets != null && store != null) {
            // read after the restore, so never in the snapshot; a failure is the first request's to report again
            reading = Thread.ofPlatform().name("restore-secrets").start(() -> {
                try {
                    secrets.current();
                } catch (SecretsUnavailableException e) {
                    log.warn("secrets not readable at restore", Map.of("detail", String.valueOf(e.getMessage())));
                }
            });
        }
        if (store != null) {
            reconnect(store, log, "restore");
        }
        if (reading != null) {
            try {
                reading.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** At init: opens Redis without its login (no secret is read before the snapshot), so its classes are loaded. */
    private static void warmUp(Redis store, JsonLog log) {
        try {
            if (!store.warmUp()) {
                log.info("redis wants a login: the first request logs in", Map.of());
            }
        } catch (StoreUnavailable e) {
            log.warn("redis not reachable at init", Map.of("detail", String.valueOf(e.detail())));
        }
    }

    private static void reconnect(Redis store, JsonLog log, String phase) {
        try {
            store.ping();
        } catch (StoreUnavailable e) {
            // not fatal: the first request reconnects; say why it could not now
            log.warn("redis not reachable at " + phase, Map.of("detail", String.valueOf(e.detail())));
        }
    }
}
