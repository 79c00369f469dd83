package com.aicallgo.coldcall.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.TelnyxSpec;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedCallTest {
    @Test
    void everySimulatedWebhookIsOneTelnyxsSpecAllowsWithItsOwnId() {
        Random random = new Random(13);
        Set<String> ids = new HashSet<>();
        int webhooks = 0;
        for (int i = 0; i < 500; i++) {
            for (SimulatedCall.Delivery delivery : SimulatedCall.random(i, random, Instant.parse("2025-11-15T10:30:00Z"))
                    .deliveries()) {
                if (delivery.startRecording()) {
                    continue;
                }
                webhooks++;
                assertEquals(List.of(), TelnyxSpec.webhookViolations(delivery.body()), delivery.body());
                assertTrue(ids.add(delivery.eventId()), "event ids are unique: " + delivery.eventId());
            }
        }
        assertTrue(webhooks > 1_000, "answered and unanswered calls were both simulated: " + webhooks);
    }
}
