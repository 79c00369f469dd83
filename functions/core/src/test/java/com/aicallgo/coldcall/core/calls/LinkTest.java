package com.aicallgo.coldcall.core.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which recording links may be posted: an attacker's view. */
class LinkTest {
    private static final String TELNYX = "https://api.telnyx.com";
    private static final String TWIN = "http://127.0.0.1:3000/_local/telnyx";

    @ParameterizedTest
    @ValueSource(strings = {
        "https://s3.amazonaws.com/telephony-recorder-prod/a/r.mp3?X-Amz-Expires=600&X-Amz-Signature=ab",
        "https://telephony-recorder-prod.s3.us-east-1.amazonaws.com/r.mp3",
        "HTTPS://Example.COM:443/r.wav",
        "https://api.telnyx.com/v2/recordings/r.mp3",
    })
    void anHttpsLinkToAPublicHostMayBePosted(String url) {
        assertNull(Link.refusal(url, TELNYX));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "javascript:alert(document.cookie)",
        "JavaScript://example.com/%0aalert(1)",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "data:audio/mp3;base64,AAAA",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00:ec2::254]/latest/meta-data",
        "https://2852039166/latest",
        "https://0xa9.0xfe.0xa9.0xfe/latest",
        "https://user:pw@s3.amazonaws.com/r.mp3",
        "https://s3.amazonaws.com@169.254.169.254/r.mp3",
        "https://localhost/r.mp3",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://printer.local/r.mp3",
        "https://s3.amazonaws.com:8443/r.mp3",
        "http://s3.amazonaws.com/r.mp3",
        "https://s3.amazonaws.com/r.mp3\r\nX-Injected: 1",
        "https://s3.amazonaws.com/r mp3",
        "https://s3.amazonaws.com/r\u00e9.mp3",
        "//s3.amazonaws.com/r.mp3",
        "/v2/recordings/r.mp3",
        "",
    })
    void anythingElseIsRefused(String url) {
        assertNotNull(Link.refusal(url, TELNYX), url);
    }

    @Test
    void anOverlongLinkIsRefused() {
        String url = "https://s3.amazonaws.com/" + "a".repeat(8_192) + ".mp3";
        assertTrue(Link.refusal(url, TELNYX).contains("longer than"));
    }

    @Test
    void theTelnyxWeTalkToMayHandOutItsOwnLinksOnlyUnderItsBase() {
        assertNull(Link.refusal(TWIN + "/recordings/r-1.mp3?expires=1&signature=x", TWIN));
        assertNotNull(Link.refusal("http://127.0.0.1:3000/_local/web-backend/x", TWIN));
        assertNotNull(Link.refusal("http://127.0.0.1:3000/_local/telnyx-evil/r.mp3", TWIN));
        assertNotNull(Link.refusal(TWIN + "/../web-backend/x", TWIN));
        assertNotNull(Link.refusal(TWIN + "/%2e%2e/web-backend/x", TWIN));
        assertNotNull(Link.refusal("http://127.0.0.1:3001/_local/telnyx/r.mp3", TWIN));
        assertNotNull(Link.refusal(TWIN + "/recordings/r.mp3", TELNYX), "not trusted unless it is our base");
    }

    @Test
    void aRefusedPublicLinkFallsBackToTheExpiringOneAndBothRefusedIsNoLink() {
        Instant now = Instant.parse("2025-11-15T10:30:00Z");
        Link link = Link.of(recording("javascript:alert(1)", "https://s3.amazonaws.com/r.mp3"), now, TELNYX);
        assertEquals("https://s3.amazonaws.com/r.mp3", link.url());
        assertEquals("2025-11-15T10:40:00Z", link.expiresAt());
        Link none = Link.of(recording("javascript:alert(1)", "file:///etc/passwd"), now, TELNYX);
        assertNull(none.url());
        assertNull(none.expiresAt());
        assertTrue(none.refused().contains("javascript:alert(1)") && none.refused().contains("file:///etc/passwd"),
                none.refused());
    }

    private static TelnyxRecordings.Recording recording(String lasting, String expiring) {
        return new TelnyxRecordings.Recording("r-1", "v3:c", null, null, "dual",
                new TelnyxRecordings.Links(expiring, null), new TelnyxRecordings.Links(lasting, null), 1000L, null,
                null, "completed");
    }
}
