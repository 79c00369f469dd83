package com.aicallgo.coldcall.core;

import java.util.Locale;

/** The stable error codes of docs/contracts.md "Routes"; the HTTP edge alone decides the status each answers with. */
public enum ErrorCode {
    INVALID_REQUEST,
    UNAUTHORIZED,
    INVALID_SIGNATURE,
    CALL_ENDED,
    /** The call gate refused the call (docs/call-policy.md): nothing more is done with it. */
    CALL_BLOCKED,
    /** start-recording named a call that is not ours (no webhook named it, Telnyx does not list it on our connection). */
    UNKNOWN_CALL,
    PAYLOAD_TOO_LARGE,
    INTERNAL_ERROR,
    MISCONFIGURED,
    TELNYX_UNAVAILABLE,
    TELNYX_REJECTED,
    STORE_UNAVAILABLE,
    SECRETS_UNAVAILABLE,
    AWAITING_ANSWER,
    /** A verified webhook we could not act on yet (Telnyx did not answer our command): deliver it again. */
    DELIVER_AGAIN;

    /** The wire form: {@code invalid_request}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
