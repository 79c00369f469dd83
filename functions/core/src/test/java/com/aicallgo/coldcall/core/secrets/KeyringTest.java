package com.aicallgo.coldcall.core.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyringTest {
    static final String ALICE = "alice-key-0123456789";
    static final String BOB = "bob-key-abcdefghijkl";

    @Test
    void theSharedKeyIsOneEntryForTheRepShared() {
        Keyring keyring = Keyring.of("the-shared-key", null, "test");
        assertEquals(List.of("shared"), keyring.reps());
        assertEquals("shared", keyring.repOf("the-shared-key"));
        assertNull(keyring.repOf("the-shared-ke"));
    }

    @Test
    void eachRepIsKnownByTheirOwnKeyOnly() {
        Keyring keyring = Keyring.of(null, "{\"alice\":\"" + ALICE + "\",\"bob\":\"" + BOB + "\"}", "test");
        assertEquals("alice", keyring.repOf(ALICE));
        assertEquals("bob", keyring.repOf(BOB));
        for (String wrong : new String[] {"", ALICE + " ", ALICE.toUpperCase(), ALICE.substring(1), "alice", BOB + ALICE}) {
            assertNull(keyring.repOf(wrong), wrong);
        }
    }

    @Test
    void theSharedKeyAndRepKeysLiveTogether() {
        Keyring keyring = Keyring.of("the-shared-key", "{\"alice\":\"" + ALICE + "\"}", "test");
        assertEquals(List.of("shared", "alice"), keyring.reps());
        assertEquals("shared", keyring.repOf("the-shared-key"));
        assertEquals("alice", keyring.repOf(ALICE));
    }

    @Test
    void everyEntryIsComparedWhicheverMatches() {
        // constant time: a match on the first entry costs what a match on the last, or none, costs; the check is that
        // every entry is visited (its digest compared), which the time of a SHA-256 compare cannot show reliably
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 200; i++) {
            many.append(i == 0 ? "" : ",").append("\"rep").append(i).append("\":\"key-of-rep-number-").append(i).append("\"");
        }
        Keyring keyring = Keyring.of(null, many.append("}").toString(), "test");
        assertEquals("rep0", keyring.repOf("key-of-rep-number-0"));
        assertEquals("rep199", keyring.repOf("key-of-rep-number-199"));
        long first = time(() -> keyring.repOf("key-of-rep-number-0"));
        long none = time(() -> keyring.repOf("no-such-key-at-all-000"));
        // an early exit would make the first entry's match about 200 times cheaper than a miss
        assertTrue(first * 20 > none, "first " + first + " ns, none " + none + " ns");
    }

    private static long time(Runnable run) {
        for (int i = 0; i < 2_000; i++) {
            run.run();
        }
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 20; round++) {
            long started = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                run.run();
            }
            best = Math.min(best, System.nanoTime() - started);
        }
        return best;
    }

    @Test
    void aMalformedKeyringNamesTheSecretKeyNeverAValue() {
        String[] malformed = {
            "not json " + ALICE,
            "[\"" + ALICE + "\"]",
            "{}",
            "\"" + ALICE + "\"",
            "{\"Alice\":\"" + ALICE + "\"}",
            "{\"" + ALICE.toUpperCase() + "\":\"" + BOB + "\"}",
            "{\"alice\":\"short\"}",
            "{\"alice\":42}",
            "{\"alice\":\" " + ALICE + "\"}",
            "{\"alice\":\"" + ALICE + "\",\"alice\":\"" + BOB + "\"}",
            "{\"alice\":\"" + ALICE + "\",\"bob\":\"" + ALICE + "\"}",
            "{\"" + "a".repeat(33) + "\":\"" + ALICE + "\"}",
            "{\"-alice\":\"" + ALICE + "\"}",
        };
        for (String keys : malformed) {
            ConfigException e = assertThrows(ConfigException.class, () -> Keyring.of(null, keys, "secret s"), keys);
            assertEquals(ErrorCode.MISCONFIGURED, e.code());
            assertTrue(e.getMessage().startsWith("INTERNAL_API_KEYS in secret s is malformed"), e.getMessage());
            assertFalse(e.getMessage().contains(ALICE) || e.getMessage().contains(BOB) || e.getMessage().contains("short"),
                    e.getMessage());
            assertFalse(e.shown().contains("INTERNAL_API_KEYS"), "the caller is told nothing of the secret");
        }
    }

    @Test
    void theRepSharedBelongsToTheSharedKeyWhenThereIsOne() {
        assertThrows(ConfigException.class,
                () -> Keyring.of("the-shared-key", "{\"shared\":\"" + ALICE + "\"}", "test"));
        assertEquals("shared", Keyring.of(null, "{\"shared\":\"" + ALICE + "\"}", "test").repOf(ALICE));
        assertThrows(ConfigException.class, () -> Keyring.of(ALICE, "{\"alice\":\"" + ALICE + "\"}", "test"),
                "one key, two people");
    }

    @Test
    void noKeyAtAllIsMisconfigured() {
        ConfigException e = assertThrows(ConfigException.class, () -> Keyring.of(null, null, "the environment"));
        assertTrue(e.getMessage().contains("INTERNAL_API_KEY or INTERNAL_API_KEYS"), e.getMessage());
    }

    @Test
    void theKeyringNeverShowsAKey() {
        Keyring keyring = Keyring.of(null, "{\"alice\":\"" + ALICE + "\"}", "test");
        assertFalse(keyring.toString().contains(ALICE));
        assertEquals(8, Keyring.fingerprint(ALICE).length());
        assertFalse(ALICE.contains(Keyring.fingerprint(ALICE)));
    }
}
