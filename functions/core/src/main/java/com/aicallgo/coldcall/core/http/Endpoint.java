package com.aicallgo.coldcall.core.http;

import com.aicallgo.coldcall.core.time.Deadlines;
import java.time.Duration;

/** The API's routes (docs/contracts.md "Routes"), spelled once: the handlers, their priming, the runner's tests and the bench use these. */
public enum Endpoint {
    CREDENTIALS("GET", "/webrtc-credentials", Deadlines.CREDENTIALS),
    /** The numbers the page may dial (docs/call-policy.md); served by the credentials function. */
    DIAL_POLICY("GET", "/dial-policy", Deadlines.CREDENTIALS),
    START_RECORDING("POST", "/start-recording", Deadlines.START_RECORDING),
    CALL_STATUS_WEBHOOK("POST", "/webhook/telnyx/direct/call-status", Deadlines.WEBHOOK),
    RECORDING_WEBHOOK("POST", "/webhook/telnyx/direct/recording", Deadlines.WEBHOOK);

    /** Every path begins with this. */
    public static final String PREFIX = "/aicallgo/api/v1/cold-call";

    private final String method;
    private final String route;
    private final Duration budget;

    Endpoint(String method, String route, Duration budget) {
        this.method = method;
        this.route = route;
        this.budget = budget;
    }

    /** The whole invocation's time: every outgoing call of the request fits inside it ({@link Deadlines}). */
    public Duration budget() {
        return budget;
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
