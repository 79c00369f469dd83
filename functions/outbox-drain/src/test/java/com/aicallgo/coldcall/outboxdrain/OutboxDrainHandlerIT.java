package com.aicallgo.coldcall.outboxdrain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aicallgo.coldcall.core.Wiring;
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
    private final MutableClock clock = MutableClock.now();
    private Wiring wiring;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        backend.start();
        wiring = Fixtures.wiring("OutboxDrainFunction",
                Fixtures.environment(TestRedis.url(DB), backend.baseUrl(), "http://127.0.0.1:9/unused"), clock,
                new Fixtures.Log());
    }

    @AfterEach
    void stop() {
        wiring.callStore().close();
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
}
