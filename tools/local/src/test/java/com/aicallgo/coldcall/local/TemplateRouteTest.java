package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runner matches routes as API Gateway's HTTP API does, path parameters included. */
class TemplateRouteTest {
    private final Template.Route ended = new Template.Route("POST", "/a/calls/{id}/ended", "F");
    private final Template.Route plain = new Template.Route("GET", "/a/plain", "F");

    @Test
    void aParameterSegmentIsDecodedAndAnythingElseIsNoMatch() {
        assertEquals(Map.of("id", "v3:x+y z"), ended.match("POST", "/a/calls/v3%3Ax+y%20z/ended"));
        assertNull(ended.match("GET", "/a/calls/v3/ended"), "another method");
        assertNull(ended.match("POST", "/a/calls//ended"), "an empty segment");
        assertNull(ended.match("POST", "/a/calls/v3/x/ended"), "two segments");
        assertNull(ended.match("POST", "/a/calls/v3"));
        assertEquals(Map.of(), plain.match("GET", "/a/plain"));
        assertNull(plain.match("GET", "/a/plain/"));
    }
}
