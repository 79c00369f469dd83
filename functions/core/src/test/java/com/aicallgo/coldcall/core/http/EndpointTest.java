package com.aicallgo.coldcall.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void anIdSegmentTakesOneNonEmptySegmentAndNothingElseMatches() {
        assertTrue(Endpoint.CALL.matches("/aicallgo/api/v1/cold-call/calls/v3:abc"));
        assertTrue(Endpoint.CALL_ENDED.matches("/aicallgo/api/v1/cold-call/calls/v3%3Aabc/ended"));
        assertFalse(Endpoint.CALL.matches("/aicallgo/api/v1/cold-call/calls/"));
        assertFalse(Endpoint.CALL.matches("/aicallgo/api/v1/cold-call/calls/a/b"));
        assertFalse(Endpoint.CALL.matches("/aicallgo/api/v1/cold-call/calls/v3:abc/ended"));
        assertFalse(Endpoint.CALL_ENDED.matches("/aicallgo/api/v1/cold-call/calls//ended"));
        assertFalse(Endpoint.CALL.matches(null));
        assertTrue(Endpoint.START_RECORDING.matches(Endpoint.START_RECORDING.path()));
        assertFalse(Endpoint.START_RECORDING.matches(Endpoint.START_RECORDING.path() + "/"));
        assertEquals("/aicallgo/api/v1/cold-call/calls/x/ended", Endpoint.CALL_ENDED.path("x"));
        assertEquals("GET /calls/{id}", Endpoint.CALL.logName());
    }
}
