package com.aicallgo.coldcall.core.webbackend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What an event's numbers become on the way to the Web Backend: E.164, a short user part, or a marker. */
class OutgoingTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "+18005551234, +18005551234",
        "sip:+18005551234@sip.telnyx.com, +18005551234",
        "tel:+18005551234, +18005551234",
        "SIPS:alice@example.com:5061;transport=tls, alice",
        "sip:gencred5Xk@sip.telnyx.com, gencred5Xk",
        "18005551234, unknown",
        "+1800555123456789, unknown",
        "sip:a b@host, unknown",
        "javascript:alert(1), unknown",
        "sip:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@host, unknown",
        "'', unknown",
    })
    void theDialledNumberIsE164OrAShortUserPart(String told, String posted) {
        assertEquals(posted, Outgoing.number(told, true, null));
    }

    @Test
    void theCallersNumberFallsBackToOurCallerIdNeverToASipLogin() {
        assertEquals("+15550000001", Outgoing.number("sip:gencred5Xk@sip.telnyx.com", false, "+15550000001"));
        assertEquals("+14083572311", Outgoing.number("sip:+14083572311@sip.telnyx.com", false, "+15550000001"));
        assertEquals("unknown", Outgoing.number("gencred5Xk", false, null));
        assertEquals("unknown", Outgoing.number(null, false, "not a number"));
    }

    @Test
    void hostileNumbersBecomeTheMarker() {
        assertEquals("unknown", Outgoing.number("+18005551234\r\nX-Injected: 1", true, null));
        assertEquals("unknown", Outgoing.number("sip:+18005551234@h\r\nX: 1", true, null));
        assertEquals("unknown", Outgoing.number("9".repeat(65_536), true, null));
        assertEquals("unknown", Outgoing.number("sip:" + "a".repeat(65_536) + "@h", true, null));
    }

    @Test
    void aPreviewIsBoundedEscapedAndLeavesTheQueryOut() {
        assertEquals("https://s3.amazonaws.com/b/r.mp3... (61 chars)",
                Outgoing.preview("https://s3.amazonaws.com/b/r.mp3?X-Amz-Signature=0123456789ab"));
        assertEquals("javascript:alert(1)\\u000d\\u000a", Outgoing.preview("javascript:alert(1)\r\n"));
        String long8k = "https://x.example/" + "a".repeat(8_192);
        String shown = Outgoing.preview(long8k);
        assertTrue(shown.length() < 80, shown);
        assertTrue(shown.endsWith("... (" + long8k.length() + " chars)"), shown);
        assertEquals("(none)", Outgoing.preview(null));
    }
}
