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
    RECORDING_WEBHOOK("POST", "/webhook/telnyx/direct/recording", Deadlines.WEBHOOK),
    /** The server's truth about one call, for the page (our extension; docs/contracts.md); served by start-recording. */
    CALL("GET", "/calls/{id}", Deadlines.START_RECORDING),
    /** The page's report that a call ended: a hint, checked with Telnyx (our extension); served by start-recording. */
    CALL_ENDED("POST", "/calls/{id}/ended", Deadlines.START_RECORDING);

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

    /**
     * Whether a request path is this route's: a {@code {name}} segment of the route stands for one non-empty
     * segment, as API Gateway matches it.
     */
    public boolean matches(String rawPath) {
        if (rawPath == null) {
            return false;
        }
        String[] want = path().split("/", -1);
        String[] have = rawPath.split("/", -1);
        if (want.length != have.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            boolean variable = want[i].startsWith("{") && want[i].endsWith("}");
            if (variable ? have[i].isEmpty() : !want[i].equals(have[i])) {
                return false;
            }
        }
        return true;
    }

    /** The path of this route with {@code id} in its {@code {id}} segment (tests, tools). */
    public String path(String id) {
        return path().replace("{id}", id);
    }

    /** How log lines name it: {@code POST /start-recording}. */
    public String logName() {
        return method + " " + route;
    }
}
