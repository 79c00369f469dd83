package com.aicallgo.coldcall.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CallGateTest {
    @Test
    void theRepsLoginComesOnlyFromTelnyxsSipDomain() {
        assertEquals("rep-7", CallGate.sipUser("sip:rep-7@sip.telnyx.com"));
        assertEquals("rep-7", CallGate.sipUser("sip:rep-7@acme.sip.telnyx.com"));
        assertNull(CallGate.sipUser("sip:rep-7@sip.telnyx.com.evil.example"));
        assertNull(CallGate.sipUser("sip:rep-7@evil.example"));
        assertNull(CallGate.sipUser("+15550000001"));
        assertNull(CallGate.sipUser("sip:@sip.telnyx.com"));
        assertNull(CallGate.sipUser(null));
    }

    @Test
    void aLogLineShowsOnlyTheRangeOfADestination() {
        assertEquals("+190055…", CallGate.masked("+19005551234"));
        assertEquals("sip:…@evil.example", CallGate.masked("sip:+12025550100@evil.example"));
        assertEquals("911", CallGate.masked("911"));
        assertEquals("absent", CallGate.masked(null));
    }
}
