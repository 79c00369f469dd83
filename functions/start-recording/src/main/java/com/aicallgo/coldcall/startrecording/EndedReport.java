package com.aicallgo.coldcall.startrecording;

import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.calls.EndEvidence;
import com.aicallgo.coldcall.core.json.Json;
import java.io.IOException;

/** The page's {@code POST /calls/{id}/ended} body: {@code {"why": "hung_up" | "lost" | "page_closed"}}. */
final class EndedReport {
    private static final String RULE = "must be one of hung_up, lost, page_closed";

    private record Body(Object why) {
    }

    private EndedReport() {
    }

    /**
     * Reads the reason the page gives.
     *
     * @throws Failure {@code invalid_request} naming {@code body} or {@code why}
     */
    static EndEvidence.Why parse(byte[] body) {
        Body request;
        try {
            request = Json.mapper().readValue(body, Body.class);
        } catch (IOException e) {
            throw Failure.invalid("body", "must be a JSON object with why");
        }
        if (request == null) {
            throw Failure.invalid("body", "must be a JSON object with why");
        }
        EndEvidence.Why why = request.why() instanceof String text ? EndEvidence.Why.of(text) : null;
        if (why == null) {
            throw Failure.invalid("why", RULE);
        }
        return why;
    }
}
