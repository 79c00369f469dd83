package com.aicallgo.coldcall.core;

import java.util.Map;

/**
 * A failure with a stable code: the caller's mistake, a refused credential, or a dependency that did not answer.
 * What the caller is shown ({@link #shown()}) is safe to show; {@code detail} goes to the log only. Each layer throws
 * its own kind ({@code StoreUnavailable}, {@code TelnyxFailure}, {@code ConfigException}, ...); the HTTP edge maps
 * codes to statuses, in one arm for all of them.
 */
public class Failure extends RuntimeException {
    private final ErrorCode code;
    private final String shown;
    private final Map<String, String> fields;
    private final String detail;

    public Failure(ErrorCode code, String message, String detail) {
        this(code, message, Map.of(), detail);
    }

    public Failure(ErrorCode code, String message, Map<String, String> fields, String detail) {
        super(message, null, false, false);
        this.code = code;
        this.shown = message;
        this.fields = Map.copyOf(fields);
        this.detail = detail;
    }

    /**
     * A failure whose own message is the detail (it names what is wrong for the log and for whoever catches it) and
     * which shows the caller only {@code shown}.
     */
    protected Failure(ErrorCode code, String shown, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.code = code;
        this.shown = shown;
        this.fields = Map.of();
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

    /** What the caller is shown. */
    public String shown() {
        return shown;
    }

    public Map<String, String> fields() {
        return fields;
    }

    public String detail() {
        return detail;
    }
}
