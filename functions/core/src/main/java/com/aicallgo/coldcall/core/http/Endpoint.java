package com.aicallgo.coldcall.core.http;

/** The API's routes (CONTRACTS §1), spelled once: the handlers, their priming, the runner's tests and the bench use these. */
public enum Endpoint {
    CREDENTIALS("GET", "/webrtc-credentials"),
    START_RECORDING("POST", "/start-recording"),
    CALL_STATUS_WEBHOOK("POST", "/webhook/telnyx/direct/call-status"),
    RECORDING_WEBHOOK("POST", "/webhook/telnyx/direct/recording");

    /** Every path begins with this. */
    public static final String PREFIX = "/aicallgo/api/v1/cold-call";

    private final String method;
    private final String route;

    Endpoint(String method, String route) {
        this.method = method;
        this.route = route;
    }

    public String method() {
        return method;
    }

    /** The full request path. */
    public String path() {
        return PREFIX + route;
    }

    /** How log lines name it: {@code POST /start-recording}. */
    public String logName() {
        return method + " " + route;
    }
}
