package com.aicallgo.coldcall.core.http;

import java.util.Map;

/**
 * A failure with a stable code and status. The message is safe to show the caller; {@code detail} goes to the log
 * only.
 */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, String> fields;
    private final String detail;

    public ApiException(ErrorCode code, String message) {
        this(code, message, Map.of(), null, null);
    }

    public ApiException(ErrorCode code, String message, Map<String, String> fields) {
        this(code, message, fields, null, null);
    }

    public ApiException(ErrorCode code, String message, String detail, Throwable cause) {
        this(code, message, Map.of(), detail, cause);
    }

    private ApiException(ErrorCode code, String message, Map<String, String> fields, String detail, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
        this.fields = Map.copyOf(fields);
        this.detail = detail;
    }

    public static ApiException invalid(String field, String problem) {
        return new ApiException(ErrorCode.INVALID_REQUEST, "The request is invalid: " + field + " " + problem,
                Map.of(field, problem));
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
