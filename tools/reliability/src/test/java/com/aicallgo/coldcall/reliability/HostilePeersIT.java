package com.aicallgo.coldcall.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.HostilePeer;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.aicallgo.coldcall.startrecording.StartRecordingHandler;
import com.aicallgo.coldcall.webhook.WebhookHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Peers that misbehave as a hostile one would (a Web Backend or Telnyx that drips its answer, sends a body that
 * never ends, or never answers; a Redis that accepts and never answers), against the handlers with the project's
 * own settings: every webhook is answered within Telnyx's 2 s, start-recording within its budget, and nothing is
 * posted twice at once.
 */
class HostilePeersIT {
    static final int DB = 11;
    static final long WEBHOOK_LIMIT_MS = 2_000;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void clean() {
        TestRedis.flush(DB);
    }

    private static APIGatewayV2HTTPEvent hangup(String file) {
        return Fixtures.signed(Fixtures.event(file), Instant.now());
    }

    /** Runs {@code call} and returns its answer and how long it took, failing fast past {@code limit}. */
    private static Timed timed(Duration limit, java.util.function.Supplier<APIGatewayV2HTTPResponse> call) {
        return assertTimeoutPreemptively(limit, () -> {
            long started = System.nanoTime();
            APIGatewayV2HTTPResponse response = call.get();
            return new Timed(response, (System.nanoTime() - started) / 1_000_000);
        });
    }

    record Timed(APIGatewayV2HTTPResponse response, long millis) {
        String outcome() throws IOException {
            return JSON.readTree(response.getBody()).path("outcome").asText();
        }
    }

    @ParameterizedTest
    @EnumSource(value = HostilePeer.Mode.class)
    void aHostileWebBackendCannotHoldTheHangupsAnswerPastTwoSeconds(HostilePeer.Mode mode) throws IOException {
        try (HostilePeer backend = new HostilePeer(mode)) {
            WebhookHandler handler = new WebhookHandler(Fixtures.environment(TestRedis.url(DB), backend.base(), backend.base()));
            APIGatewayV2HTTPEvent event = hangup("call-status/call-hangup-busy.json");
            Timed answer = timed(Duration.ofSeconds(5), () -> handler.handleRequest(event, null));
            assertEquals(200, answer.response().getStatusCode(), answer.response().getBody());
            assertTrue(answer.millis() < WEBHOOK_LIMIT_MS, mode + ": answered after " + answer.millis() + " ms");
            // an endless body still came with its 201: delivered; the others are in the outbox, not lost
            assertEquals(mode == HostilePeer.Mode.ENDLESS_BODY ? "call_log_posted" : "call_log_queued", answer.outcome());
        }
    }

    @Test
    void redeliveriesDuringASlowPostNeverOpenASecondPostOfTheSameLog() throws Exception {
        try (HostilePeer backend = new HostilePeer(HostilePeer.Mode.SLOW_DRIP)) {
            WebhookHandler handler = new WebhookHandler(Fixtures.environment(TestRedis.url(DB), backend.base(), backend.base()));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Timed>> answers = new ArrayList<>();
                // the first delivery, Telnyx's early redelivery, and one after the claim's 10 s lease
                for (long at : new long[] {0, 300, 10_500}) {
                    answers.add(pool.submit(() -> {
                        Thread.sleep(at);
                        APIGatewayV2HTTPEvent event = hangup("call-status/call-hangup-busy.json");
                        return timed(Duration.ofSeconds(20), () -> handler.handleRequest(event, null));
                    }));
                }
                for (Future<Timed> answer : answers) {
                    Timed timed = answer.get(30, TimeUnit.SECONDS);
                    assertTrue(timed.millis() < WEBHOOK_LIMIT_MS, "answered after " + timed.millis() + " ms");
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, backend.mostAtOnce(), "posts of one call log open at the same time");
        }
    }

    @ParameterizedTest
    @EnumSource(value = HostilePeer.Mode.class, names = {"SLOW_DRIP", "SILENT", "BLACK_HOLE"})
    void aHostileTelnyxCannotHoldStartRecordingOrTheAnswerWebhook(HostilePeer.Mode mode) throws IOException {
        try (HostilePeer telnyx = new HostilePeer(mode)) {
            Map<String, String> env = Fixtures.environment(TestRedis.url(DB), "http://127.0.0.1:9", telnyx.base());
            StartRecordingHandler start = new StartRecordingHandler(env);
            APIGatewayV2HTTPEvent request = Fixtures.event("start-recording/start.json");
            // a webhook named the call: the request goes to record_start, not to the live-calls listing
            TestRedis.with(DB, redis -> redis.hset("cold_call_status:{v3:dev-call-start-0008}", "state", "initiated"));
            Timed started = timed(Duration.ofSeconds(8), () -> start.handleRequest(request, null));
            assertEquals(502, started.response().getStatusCode(), started.response().getBody());
            assertTrue(started.millis() < 5_500, mode + ": start-recording answered after " + started.millis() + " ms");

            TestRedis.flush(DB);
            WebhookHandler webhook = new WebhookHandler(env);
            APIGatewayV2HTTPEvent event = hangup("call-status/call-answered.json");
            Timed answered = timed(Duration.ofSeconds(5), () -> webhook.handleRequest(event, null));
            assertTrue(answered.millis() < WEBHOOK_LIMIT_MS, mode + ": call.answered answered after " + answered.millis() + " ms");
            // Telnyx did not answer record_start in time: the verified event is asked for again (503), never refused
            assertEquals(503, answered.response().getStatusCode(), answered.response().getBody());
            assertTrue(answered.response().getBody().contains("deliver_again"), answered.response().getBody());
        }
    }

    @Test
    void aRedisBlackHoleRightAfterASuccessfulPostStillGetsTheWebhookAnsweredInTime() throws IOException {
        URI redis = URI.create(TestRedis.base());
        try (RedisProxy proxy = new RedisProxy(redis.getHost(), redis.getPort())) {
            HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
            backend.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                proxy.blackHole(); // Redis goes silent the moment the Web Backend has the record
                exchange.sendResponseHeaders(201, -1);
                exchange.close();
            });
            backend.start();
            try {
                String base = "http://127.0.0.1:" + backend.getAddress().getPort();
                WebhookHandler handler = new WebhookHandler(Fixtures.environment(
                        "redis://127.0.0.1:" + proxy.port() + "/" + DB, base, base));
                APIGatewayV2HTTPEvent event = hangup("call-status/call-hangup-busy.json");
                Timed answer = timed(Duration.ofSeconds(6), () -> handler.handleRequest(event, null));
                assertEquals(503, answer.response().getStatusCode(), answer.response().getBody());
                assertTrue(answer.millis() < WEBHOOK_LIMIT_MS, "answered after " + answer.millis() + " ms");
            } finally {
                backend.stop(0);
            }
        }
    }

    @Test
    void aRedisThatAcceptsAndNeverAnswersCostsAWebhookLessThanTwoSeconds() throws IOException {
        try (HostilePeer redis = new HostilePeer(HostilePeer.Mode.BLACK_HOLE)) {
            WebhookHandler handler = new WebhookHandler(Fixtures.environment(
                    "redis://127.0.0.1:" + redis.port(), "http://127.0.0.1:9", "http://127.0.0.1:9"));
            APIGatewayV2HTTPEvent event = hangup("call-status/call-hangup-busy.json");
            Timed answer = timed(Duration.ofSeconds(6), () -> handler.handleRequest(event, null));
            assertEquals(503, answer.response().getStatusCode(), answer.response().getBody());
            assertTrue(answer.millis() < WEBHOOK_LIMIT_MS, "answered after " + answer.millis() + " ms");
        }
    }
}
