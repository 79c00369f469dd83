package com.aicallgo.coldcall.core.time;

import java.time.Duration;

/**
 * A moment on the JVM's monotonic clock ({@link System#nanoTime()}) by which something must be over. Deadlines are
 * real time, never the functions' {@link java.time.Clock} (which tests move by hand): they bound sockets.
 */
public record Deadline(long nanoTime) {
    /** {@code duration} from now (a negative duration is a deadline already passed). */
    public static Deadline in(Duration duration) {
        return new Deadline(System.nanoTime() + saturatedNanos(duration));
    }

    /** Time left, never negative. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, nanoTime - System.nanoTime()));
    }

    public boolean passed() {
        return nanoTime - System.nanoTime() <= 0;
    }

    /** Whether at least {@code needed} is left. */
    public boolean allows(Duration needed) {
        return remaining().compareTo(needed) >= 0;
    }

    /** The earlier of the two. */
    public Deadline min(Deadline other) {
        return other == null || nanoTime - other.nanoTime <= 0 ? this : other;
    }

    /** This deadline moved earlier by {@code reserve} (time kept for what must follow). */
    public Deadline minus(Duration reserve) {
        return new Deadline(nanoTime - saturatedNanos(reserve));
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return duration.isNegative() ? Long.MIN_VALUE / 4 : Long.MAX_VALUE / 4;
        }
    }
}
