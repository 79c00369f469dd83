package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.config.ConfigException;
import java.time.Duration;
import java.util.Map;

/**
 * How long a call may stay up before the stale-call sweep ends it ({@code MAX_CALL_MINUTES}, counted from when the
 * call started). Telnyx ends a call at its {@code time_limit_secs} (at most and by default 14,400 s, 4 h, from the
 * answer) after ringing of at most 600 s; a call its status API still reports alive after that is not a call anyone
 * is on, and it costs money. The default gives Telnyx's own limit a 50-minute margin.
 */
public record CallLimit(Duration maxCall) {
    public static final long DEFAULT_MAX_CALL_MINUTES = 300;

    /**
     * Reads {@code MAX_CALL_MINUTES}: whole minutes, at least {@code STALE_CALL_AFTER_MINUTES} (the first time a call
     * is asked about) and shorter than {@code CALL_STATE_TTL_SECONDS} (the call's state must outlive its first check).
     */
    public static CallLimit fromEnv(Map<String, String> env, Config config) {
        String text = env.get("MAX_CALL_MINUTES");
        long minutes;
        try {
            minutes = text == null || text.isBlank() ? DEFAULT_MAX_CALL_MINUTES : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("Invalid configuration: MAX_CALL_MINUTES must be a whole number of minutes");
        }
        Duration max = Duration.ofMinutes(minutes);
        if (max.compareTo(config.staleCallAfter()) < 0) {
            throw new ConfigException("Invalid configuration: MAX_CALL_MINUTES must be at least STALE_CALL_AFTER_MINUTES ("
                    + config.staleCallAfter().toMinutes() + "): a call is first asked about then");
        }
        if (config.callStateTtl().compareTo(config.staleCallAfter()) <= 0) {
            throw new ConfigException("Invalid configuration: CALL_STATE_TTL_SECONDS must be longer than"
                    + " STALE_CALL_AFTER_MINUTES: a call's state must outlive its first stale check");
        }
        return new CallLimit(max);
    }
}
