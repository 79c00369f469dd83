package com.aicallgo.coldcall.core.calls;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * The random part of retry backoff. A SnapStart snapshot copies a generator's state into every container restored
 * from it, so they would all draw the same "random" delays and retry in step; {@link #reseed()} runs after each
 * restore (Priming) and seeds it afresh from the operating system.
 */
public final class Jitter {
    private static final Jitter SHARED = new Jitter(new SecureRandom().nextLong());

    private SplittableRandom random;

    Jitter(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The container's one generator. */
    public static Jitter shared() {
        return SHARED;
    }

    /** A draw in {@code [0, bound)}. */
    synchronized long below(long bound) {
        return random.nextLong(bound);
    }

    /** A new seed from the operating system (after a SnapStart restore). */
    public synchronized void reseed() {
        random = new SplittableRandom(new SecureRandom().nextLong());
    }
}
