package com.aicallgo.coldcall.core.policy;

import com.aicallgo.coldcall.core.PhoneNumber;

/** What the call gate says about one call: it may go to {@code number}, or it is refused by a named rule. */
public sealed interface Verdict {
    /** The call may be connected to {@code number}. */
    record Allowed(PhoneNumber number) implements Verdict {
    }

    /**
     * The call is refused.
     *
     * @param rule the stable name of the rule that refused it (a metric dimension, a log field, the page's key)
     * @param reason the same in plain words, for the person who dialled
     * @param limited whether a rate or concurrency limit refused it (the number itself may be called later)
     */
    record Blocked(String rule, String reason, boolean limited) implements Verdict {
    }
}
