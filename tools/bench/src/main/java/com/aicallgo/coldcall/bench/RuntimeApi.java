package com.aicallgo.coldcall.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Lambda Runtime API on loopback for one cold start: the first {@code GET .../invocation/next} gets the event
 * (that request is the runtime client saying init is done), the {@code POST .../response} is the first response;
 * the next {@code GET .../next} is held until the run is closed, as Lambda holds a container between events.
 * Under SnapStart the client first runs the {@code beforeCheckpoint} hooks and asks {@code GET .../restore/next}:
 * that is where Lambda takes the snapshot, and the answer is the restore.
 */
final class RuntimeApi implements AutoCloseable {
    static final String REQUEST_ID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

    /** When (System.nanoTime) the snapshot point (0 without SnapStart) and init ended, the response came; what. */
    record Outcome(long snapshotNanos, long initDoneNanos, long respondedNanos, String body, boolean error) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "runtime-api");
        thread.setDaemon(true);
        return thread;
    });
    private final byte[] event;
    private final AtomicBoolean delivered = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile long initDone;
    private volatile long snapshot;

    RuntimeApi(String event) throws IOException {
        this.event = event.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/2018-06-01/runtime/", this::serve);
        server.setExecutor(threads);
        server.start();
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    private void serve(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        String path = exchange.getRequestURI().getPath();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (path.endsWith("/restore/next")) {
            snapshot = now;
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            return;
        }
        if (path.endsWith("/invocation/next")) {
            if (delivered.compareAndSet(false, true)) {
                initDone = now;
                var headers = exchange.getResponseHeaders();
                headers.set("Content-Type", "application/json");
                headers.set("Lambda-Runtime-Aws-Request-Id", REQUEST_ID);
                headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
                headers.set("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:coldcall-bench");
                headers.set("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
                exchange.sendResponseHeaders(200, event.length);
                exchange.getResponseBody().write(event);
                exchange.close();
                return;
            }
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (path.endsWith("/response")) {
            outcome.complete(new Outcome(snapshot, initDone, now, text, false));
        } else if (path.endsWith("/error")) {
            outcome.complete(new Outcome(snapshot, initDone, now, path + " " + text, true));
        } else {
            outcome.complete(new Outcome(snapshot, initDone, now, "unexpected runtime API call " + path, true));
        }
        exchange.sendResponseHeaders(202, -1);
        exchange.close();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
