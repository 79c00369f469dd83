package com.aicallgo.coldcall.core.store;

/** The answer to "may I do this once-only thing now?". */
public enum Claim {
    /** Yours: do it, then {@code complete} or {@code release}. */
    CLAIMED,
    /** Someone is doing it right now (a concurrent redelivery). */
    BUSY,
    /** Done before. */
    DONE
}
