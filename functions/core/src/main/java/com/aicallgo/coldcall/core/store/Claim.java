package com.aicallgo.coldcall.core.store;

/** The answer to "may I do this once-only thing now?". */
public sealed interface Claim {
    /** Yours: do it, then settle it with this token. */
    record Claimed(String token) implements Claim {
    }

    /** Someone is doing it right now (a concurrent redelivery); their lease has not run out. */
    record Busy() implements Claim {
    }

    /** Done before (or given up on). */
    record Done() implements Claim {
    }
}
