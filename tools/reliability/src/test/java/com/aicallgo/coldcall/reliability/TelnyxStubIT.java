package com.aicallgo.coldcall.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.Secrets;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The suite's Telnyx as the functions' own recordings client reads it. */
class TelnyxStubIT {
    private static final Instant NOW = Instant.parse("2026-11-15T10:30:00Z");

    @Test
    void theRecordingsClientListsAndReadsASimulatedRecordingWithAFreshLinkEachRead() throws Exception {
        SimulatedCall saved = first(c -> c.recordingId() != null && c.saved());
        SimulatedCall failed = first(c -> c.recordingId() != null && !c.saved());
        try (TelnyxStub telnyx = new TelnyxStub(1)) {
            telnyx.faulty(false);
            telnyx.add(saved);
            telnyx.add(failed);
            TelnyxRecordings api = client(telnyx);

            assertEquals(List.of(saved.recordingId()), ids(api.forCall(saved.callControlId(), null, null)));
            assertEquals(List.of(saved.recordingId()),
                    ids(api.forCall("v3:unknown", SimulatedCall.legId(saved.callControlId()), null)));
            TelnyxRecordings.Recording read = api.get(saved.recordingId());
            assertEquals(saved.callControlId(), read.callControlId());
            assertEquals("dual", read.channels());
            assertTrue(read.completed());
            assertEquals(saved.recordingStartedAt().toString(), read.recordingStartedAt());
            assertEquals(Duration.between(saved.recordingStartedAt(), saved.recordingEndedAt()).toMillis(),
                    read.durationMillis());
            assertTrue(read.downloadUrls().mp3().endsWith("&read=api"), read.downloadUrls().mp3());
            Thread.sleep(5);
            assertNotEquals(read.downloadUrls().mp3(), api.get(saved.recordingId()).downloadUrls().mp3(),
                    "every read mints a new link");

            assertEquals(List.of(), api.forCall(failed.callControlId(), null, null), "a failed recording is not listed");
            assertThrows(TelnyxRecordings.Unavailable.class, () -> api.get(failed.recordingId()));
            assertEquals(List.of(), telnyx.unexpected);
            assertEquals(2, telnyx.minted.get());
        }
    }

    @Test
    void itFailsAndStallsSomeRequestsAndCountsEach() throws Exception {
        SimulatedCall saved = first(c -> c.recordingId() != null && c.saved());
        try (TelnyxStub telnyx = new TelnyxStub(2)) {
            telnyx.add(saved);
            TelnyxRecordings api = client(telnyx);
            int unavailable = 0;
            for (int i = 0; i < 60; i++) {
                try {
                    api.get(saved.recordingId());
                } catch (TelnyxRecordings.Unavailable e) {
                    unavailable++;
                }
            }
            assertTrue(telnyx.failures.get() > 0, "some 5xx");
            assertEquals(telnyx.failures.get() + telnyx.stalls.get(), unavailable,
                    "each 5xx and each stall past the client's 2 s is a failed read");
        }
    }

    private static TelnyxRecordings client(TelnyxStub telnyx) {
        Secrets secrets = Secrets.from(Fixtures.devEnvironment(), "test");
        return new TelnyxRecordings(telnyx.url(), () -> secrets, new HttpCaller(Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }

    private static SimulatedCall first(Predicate<SimulatedCall> wanted) {
        Random random = new Random(3);
        for (int i = 0; ; i++) {
            SimulatedCall call = SimulatedCall.random(i, random, NOW);
            if (wanted.test(call)) {
                return call;
            }
        }
    }

    private static List<String> ids(List<TelnyxRecordings.Recording> recordings) {
        return recordings.stream().map(TelnyxRecordings.Recording::id).toList();
    }
}
