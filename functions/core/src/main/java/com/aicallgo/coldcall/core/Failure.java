package com.aicallgo.coldcall.core;

import java.util.Map;

/**
 * A failure with a stable code: the caller's mistake, a refused credential, or a dependency that did not answer.
 * The message is safe to show the caller; {@code detail} goes to the log only. Each layer throws its own kind
 * ({@code StoreUnavailable}, {@code TelnyxFailure}, ...); the HTTP edge maps codes to statuses.
 */
public class Failure extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, String> fields;
    private final String detail;

    public Failure(ErrorCode code, String message, String detail) {
        this(code, message, Map.of(), detail);
    }

    public Failure(ErrorCode code, String message, Map<String, String> fields, String detail) {
        super(message, null, false, false);
        this.code = code;
        this.fields = Map.copyOf(fields);
        this.detail = detail;
    }

    /** The request is invalid: {@code field} has {@code problem}. */
    public static Failure invalid(String field, String problem) {
        return new Failure(ErrorCode.INVALID_REQUEST, "The request is invalid: " + field + " " + problem,
                Map.of(field, problem), null);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, String> fields() {
        return fields;
    }

    public String detail() {
        return detail;
    }
}
