package com.aicallgo.coldcall.outboxdrain;

import com.aicallgo.coldcall.core.CallControlId;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.Outbox;
import java.time.Duration;
import java.time.Instant;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutboxDrainHandlerIT {
    static final int DB = 6;
    static final String RECORDINGS = "/api/v1/recordings";

    private final WireMockServer backend = new WireMockServer(options().dynamicPort());
    // the recording event's own time: its link is fresh (an old one is read again first, RecordingWebhookIT)
    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2025-11-15T10:31:56Z"));
    private final Fixtures.Log log = new Fixtures.Log();
    private Wiring wiring;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        backend.start();
        wiring = Fixtures.wiring("OutboxDrainFunction",
                Fixtures.environment(TestRedis.url(DB), backend.baseUrl(), "http://127.0.0.1:9/unused"), clock, log);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        backend.stop();
    }

    private void queueOneRecording() {
        backend.stubFor(post(RECORDINGS).willReturn(aResponse().withStatus(500)));
        String outcome = wiring.callEvents().apply(
                WebhookEvent.parse(Fixtures.body(Fixtures.event("recording/call-recording-saved.json")))).wire();
        assertEquals("recording_queued", outcome);
        backend.resetRequests();
    }

    @Test
    void concurrentDrainsPostAQueuedRecordOnce() throws Exception {
        queueOneRecording();
        backend.stubFor(post(RECORDINGS).willReturn(aResponse().withStatus(201).withFixedDelay(200)));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Map<String, Object>>> drains = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                OutboxDrainHandler handler = new OutboxDrainHandler(wiring);
                drains.add(() -> handler.handleRequest(Map.of("all", true), null));
            }
            int posted = 0;
            for (Future<Map<String, Object>> report : pool.invokeAll(drains)) {
                posted += (Integer) report.get().get("posted");
            }
            assertEquals(1, posted);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, backend.findAll(postRequestedFor(urlEqualTo(RECORDINGS))).size());
    }

    @Test
    void aScheduledRunDeliversOnlyWhatIsDueAndA409CountsAsDelivered() {
        queueOneRecording();
        backend.stubFor(post(RECORDINGS).willReturn(aResponse().withStatus(409)));
        OutboxDrainHandler handler = new OutboxDrainHandler(wiring);
        Map<String, Object> early = handler.handleRequest(Map.of(), null);
        assertEquals(0, early.get("posted"));
        assertEquals(1L, early.get("backlog"));
        clock.advance(java.time.Duration.ofSeconds(11));
        Map<String, Object> due = handler.handleRequest(Map.of(), null);
        assertEquals(1, due.get("posted"));
        assertEquals(0L, due.get("backlog"));
        assertEquals(0L, due.get("dead_letters"));
    }

    /** A validly signed hang-up could once store these times; building its call log overflows a long. */
    private void queuePoisonCallLog(CallControlId callControlId) {
        Instant now = clock.instant();
        Instant past = Instant.parse("-290000000-01-01T00:00:00Z");
        Instant future = Instant.parse("+290000000-01-01T00:00:00Z");
        wiring.calls().record(callControlId, new CallFacts(CallState.Stage.ENDED, "+18005551234", "+14083572311", null, null,
                past, null, past, future, future, now, "normal_clearing", "caller", "200", null, null, null, null, null, null),
                now);
        wiring.outbox().enqueue(callControlId, Deliverable.CALL_LOG, null, null, now.minusSeconds(1), now, Duration.ofDays(4));
    }

    @Test
    void aPoisonEntryIsRetriedThenDeadLetteredWhileEveryOtherEntryIsDelivered() {
        queueOneRecording();
        queuePoisonCallLog(new CallControlId("v3:poison-0001"));
        backend.stubFor(post(RECORDINGS).willReturn(aResponse().withStatus(201)));
        backend.stubFor(post("/api/v1/call-logs").willReturn(aResponse().withStatus(201)));
        OutboxDrainHandler handler = new OutboxDrainHandler(wiring);

        Map<String, Object> first = handler.handleRequest(Map.of("all", true), null);
        assertEquals(1, first.get("posted"), "the good entry is delivered in the same pass: " + first);
        assertEquals(1L, first.get("backlog"), "the poison entry waits for its retry");
        assertEquals(0L, first.get("dead_letters"));
        for (int pass = 2; pass <= 5; pass++) {
            handler.handleRequest(Map.of("all", true), null);
        }
        Map<String, Object> last = handler.handleRequest(Map.of("all", true), null);
        assertEquals(0L, last.get("backlog"));
        assertEquals(1L, last.get("dead_letters"));
        String letter = TestRedis.with(DB, redis -> redis.lindex(Outbox.DEAD_LETTERS, 0));
        assertTrue(letter.contains("v3:poison-0001") && letter.contains("long overflow"), letter);
        assertTrue(log.text().contains("outbox entry failed every attempt"), "the reason is logged at ERROR");
        assertEquals(0, backend.findAll(postRequestedFor(urlEqualTo("/api/v1/call-logs"))).size());
    }

    @Test
    void aPassKeepsGoingPastTwoHundredEntriesUntilItsDeadline() {
        Instant now = clock.instant();
        for (int i = 0; i < 450; i++) {
            CallControlId id = new CallControlId("v3:many-" + i);
            wiring.calls().record(id, new CallFacts(CallState.Stage.ENDED, "+18005551234", "+14083572311", null,
                    null, now.minusSeconds(60), now.minusSeconds(60), null, now, now, now, "user_busy", "callee", "486",
                    null, null, null, null, null, null),
                    now);
            wiring.outbox().enqueue(id, Deliverable.CALL_LOG, null, null, now.minusSeconds(1), now, Duration.ofDays(4));
        }
        backend.stubFor(post("/api/v1/call-logs").willReturn(aResponse().withStatus(201)));
        Map<String, Object> report = new OutboxDrainHandler(wiring).handleRequest(Map.of(), null);
        assertEquals(450, report.get("posted"), report.toString());
        assertEquals(0L, report.get("backlog"));
    }
}
