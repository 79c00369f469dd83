package com.aicallgo.coldcall.core.store;

import io.lettuce.core.SetArgs;
import java.time.Duration;

/**
 * Who is behind a SIP login: {@code cold_call_rep_of_sip:{<sip username>}} holds the rep a login was issued to, so a
 * webhook, which names only the SIP username its call came from, knows the person (docs/contracts.md "Redis").
 */
public final class Reps {
    private final Redis redis;

    public Reps(Redis redis) {
        this.redis = redis;
    }

    /** Remembers that {@code sipUsername} was issued to {@code rep}, for {@code ttl}. */
    public void remember(String sipUsername, String rep, Duration ttl) {
        redis.run(commands -> commands.set(key(sipUsername), rep, SetArgs.Builder.ex(ttl)));
    }

    /** The rep a SIP username was issued to, or {@code null} when none is known. */
    public String ofSipUser(String sipUsername) {
        if (sipUsername == null || sipUsername.isBlank() || sipUsername.length() > 128) {
            return null;
        }
        return redis.run(commands -> commands.get(key(sipUsername)));
    }

    private static String key(String sipUsername) {
        return "cold_call_rep_of_sip:{" + sipUsername + "}";
    }
}
