package com.aicallgo.coldcall.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpCallerTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "v3:abc_DEF-123~ | v3%3Aabc_DEF-123~",
        "../../v2/accounts | %2E%2E%2F%2E%2E%2Fv2%2Faccounts",
        "a?b=c#d | a%3Fb%3Dc%23d",
        "100% done | 100%25%20done",
        "é | %C3%A9",
    })
    void segmentEncodingNeverChangesThePath(String id, String encoded) {
        assertEquals(encoded, HttpCaller.segment(id.strip()));
        URI uri = URI.create("https://api.telnyx.com/v2/calls/" + HttpCaller.segment(id.strip()) + "/actions/record_start");
        assertEquals(6, uri.getRawPath().split("/").length, uri.getRawPath());
        assertFalse(uri.getRawPath().contains("/../"));
        assertEquals(null, uri.getRawQuery());
    }
}
