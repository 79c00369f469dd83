package com.aicallgo.coldcall.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Web Backend that misbehaves: 30% of posts answer 5xx, 5% stall past the caller's timeout (half of them after
 * storing the record, as a real server that got slow after the write would). It keeps a record once, answers 409
 * when it has it already (as the real one does), and counts any post that arrives after it had answered that
 * record with a 2xx the caller received: that is a record posted twice after a success. It also notes how old
 * the oldest recording link it was given was, from when Telnyx handed the link out.
 */
final class WebBackendStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ISSUED = Pattern.compile("[?&]issued=([0-9]+)");

    final Map<String, JsonNode> callLogs = new ConcurrentHashMap<>();
    final Map<String, JsonNode> recordings = new ConcurrentHashMap<>();
    /** Record key to when its 2xx/409 was written and how long the stub took to write it (ms). */
    final Map<String, long[]> acknowledged = new ConcurrentHashMap<>();
    final AtomicInteger doubled = new AtomicInteger();
    /** A post that arrived after the stub had acknowledged its record (epoch ms; ack took ackMillis in the stub). */
    record Doubled(String record, long acknowledgedAt, long ackMillis, long arrivedAt) {
        @Override
        public String toString() {
            return record + ": acknowledged " + (arrivedAt - acknowledgedAt) + " ms earlier, after " + ackMillis
                    + " ms in the stub";
        }
    }

    /** Every doubled post, for the suite to explain or fail on. */
    final List<Doubled> doubledPosts = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger stalls = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();
    /** The oldest recording link any post carried, by its {@code issued=} (ms between issue and arrival). */
    final AtomicLong oldestLink = new AtomicLong();
    private final StubServer server;
    private final Random random;
    private final long stallMillis;
    private volatile boolean faulty = true;

    WebBackendStub(long seed, long stallMillis) throws IOException {
        this.random = new Random(seed);
        this.stallMillis = stallMillis;
        server = new StubServer(this::handle, Executors.newFixedThreadPool(64));
    }

    String url() {
        return server.url();
    }

    void faulty(boolean faulty) {
        this.faulty = faulty;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long arrived = System.currentTimeMillis();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            posts.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            boolean callLog = path.equals("/api/v1/call-logs");
            String key = callLog ? body.path("twilio_call_sid").asText() : body.path("recording_sid").asText();
            Map<String, JsonNode> store = callLog ? callLogs : recordings;
            long issued = issued(body.path("recording_url").asText());
            if (issued > 0) {
                oldestLink.accumulateAndGet(arrived - issued, Math::max);
            }
            long[] ack = acknowledged.get(path + key);
            if (ack != null) {
                doubled.incrementAndGet();
                doubledPosts.add(new Doubled(path + " " + key, ack[0], ack[1], arrived));
            }
            int roll;
            synchronized (random) {
                roll = random.nextInt(100);
            }
            if (faulty && roll < 30) {
                failures.incrementAndGet();
                answer(exchange, 500 + roll % 4, "{\"error\":\"injected\"}");
                return;
            }
            if (faulty && roll < 35) {
                stalls.incrementAndGet();
                if (roll < 33) {
                    store.putIfAbsent(key, body);
                }
                sleep(stallMillis);
                answer(exchange, 201, "{}");
                return;
            }
            boolean fresh = store.putIfAbsent(key, body) == null;
            if (answer(exchange, fresh ? 201 : 409, "{}")) {
                long now = System.currentTimeMillis();
                acknowledged.putIfAbsent(path + key, new long[] {now, now - arrived});
            }
        }
    }

    /** Stored recordings whose link was read again from the recordings API ({@link TelnyxStub#link}). */
    long refreshedLinks() {
        return recordings.values().stream().filter(r -> r.path("recording_url").asText().endsWith("&read=api")).count();
    }

    private static long issued(String link) {
        Matcher matcher = ISSUED.matcher(link);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    private static boolean answer(HttpExchange exchange, int status, String body) {
        return StubServer.answer(exchange, status, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
