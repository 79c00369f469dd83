package com.aicallgo.coldcall.core.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** MAX_CALL_MINUTES: its default and the settings it must agree with. */
class CallLimitTest {

    private static CallLimit read(Map<String, String> env) {
        return CallLimit.fromEnv(env, Config.fromEnv(env));
    }

    @Test
    void theDefaultIsTelnyxsLongestCallWithAMargin() {
        assertEquals(Duration.ofMinutes(300), read(Map.of()).maxCall());
        assertEquals(Duration.ofMinutes(90), read(Map.of("MAX_CALL_MINUTES", " 90 ", "STALE_CALL_AFTER_MINUTES", "60"))
                .maxCall());
    }

    @Test
    void aMaximumBeforeTheFirstCheckOrGarbageStopsTheFunction() {
        ConfigException early = assertThrows(ConfigException.class, () -> read(Map.of("MAX_CALL_MINUTES", "30")));
        assertTrue(early.getMessage().contains("MAX_CALL_MINUTES must be at least STALE_CALL_AFTER_MINUTES (255)"),
                early.getMessage());
        assertThrows(ConfigException.class, () -> read(Map.of("MAX_CALL_MINUTES", "five hours")));
    }

    @Test
    void aCallStateThatWouldExpireBeforeItsFirstCheckStopsTheFunction() {
        Map<String, String> env = new HashMap<>();
        env.put("CALL_STATE_TTL_SECONDS", "3600");
        ConfigException e = assertThrows(ConfigException.class, () -> read(env));
        assertTrue(e.getMessage().contains("CALL_STATE_TTL_SECONDS must be longer than STALE_CALL_AFTER_MINUTES"),
                e.getMessage());
    }
}
