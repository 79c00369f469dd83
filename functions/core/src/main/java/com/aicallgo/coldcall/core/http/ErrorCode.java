package com.aicallgo.coldcall.core.http;

/** The stable error codes of CONTRACTS §1, each with the HTTP status it answers with. */
public enum ErrorCode {
    INVALID_REQUEST(400),
    UNAUTHORIZED(401),
    INVALID_SIGNATURE(401),
    NOT_FOUND(404),
    CALL_ENDED(409),
    PAYLOAD_TOO_LARGE(413),
    INTERNAL_ERROR(500),
    MISCONFIGURED(500),
    TELNYX_UNAVAILABLE(502),
    TELNYX_REJECTED(502),
    WEB_BACKEND_UNAVAILABLE(503),
    STORE_UNAVAILABLE(503),
    SECRETS_UNAVAILABLE(503),
    AWAITING_ANSWER(503),
    DELIVERY_IN_PROGRESS(503);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The wire form: {@code invalid_request}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
