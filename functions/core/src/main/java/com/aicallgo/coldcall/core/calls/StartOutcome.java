package com.aicallgo.coldcall.core.calls;

/** How a request to start a call's recording ended: expected outcomes, not failures. */
public enum StartOutcome {
    /** Telnyx accepted record_start now. */
    STARTED,
    /** It was started before (or is being started right now): no second Telnyx call. */
    ALREADY_STARTED,
    /** The call is not answered yet: the {@code call.answered} webhook starts it. */
    PENDING,
    /** The call gate refused the call: it is not recorded (docs/call-policy.md). */
    BLOCKED,
    /** The call is over. */
    CALL_ENDED,
    /** No webhook named the call and Telnyx does not list it live on our connection: nothing was sent. */
    UNKNOWN_CALL
}
