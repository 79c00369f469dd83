package com.aicallgo.coldcall.core.time;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The time an invocation may spend, and from it the deadline of each outgoing call. The edge (or the drain's
 * handler) opens the invocation's deadline for the thread serving it; every client (Web Backend, Telnyx, Secrets
 * Manager, Redis) asks {@link #call(Duration)} for the deadline of one call: its own limit, cut to what the
 * invocation has left. Per thread, because the local runner serves concurrent requests with one warm handler; on
 * Lambda a container serves one invocation at a time.
 */
public final class Budget {
    /** Outside an invocation (start-up, a SnapStart priming, a test calling a service directly): the call's own limit. */
    private final ThreadLocal<Deadline> invocation = new ThreadLocal<>();

    /** Runs {@code work} with {@code deadline} as the invocation's deadline on this thread. */
    public <T> T within(Deadline deadline, Supplier<T> work) {
        Deadline outer = invocation.get();
        invocation.set(outer == null ? deadline : deadline.min(outer));
        try {
            return work.get();
        } finally {
            if (outer == null) {
                invocation.remove();
            } else {
                invocation.set(outer);
            }
        }
    }

    /** The invocation's deadline on this thread, {@code null} outside one. */
    public Deadline invocation() {
        return invocation.get();
    }

    /** The deadline of one outgoing call allowed {@code limit}: the earlier of now + limit and the invocation's. */
    public Deadline call(Duration limit) {
        return Deadline.in(limit).min(invocation.get());
    }
}
