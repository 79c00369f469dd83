package com.aicallgo.coldcall.core.telnyx;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.secrets.Secrets;
import com.aicallgo.coldcall.core.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
    /*
     * The only fixed Ed25519 key pair in an official Telnyx SDK's tests: team-telnyx/telnyx-java,
     * telnyx-lib/src/test/kotlin/com/telnyx/sdk/lib/WebhookVerificationTest.kt (seed i1xxSkIu..., public key below).
     * That test signs at run time and stores no signature, so the two vectors here were derived from that key
     * pair (Ed25519 is deterministic; the JDK and Python's cryptography agree).
     */
    static final String TELNYX_JAVA_PUBLIC_KEY = "jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=";
    static final String TELNYX_JAVA_SEED = "i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04=";
    static final long VECTOR_TIME = 1_700_000_000L;
    static final String VECTOR_1_BODY = "{\"event_type\":\"test\",\"id\":\"abc123\"}";
    static final String VECTOR_1_SIGNATURE =
            "7o3u2izfEtn5PFPE0nDvo9y8RErRmfHM5wIO04wRV6VTNaq6RiLj1ehc7uMJuIMihJobi2u3HYyB1Ie61c2XCQ==";
    static final String VECTOR_2_BODY = "{\"data\":{\"event_type\":\"call.hangup\",\"id\":\"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0\","
            + "\"occurred_at\":\"2018-02-02T22:25:27.521992Z\",\"payload\":{\"call_control_id\":"
            + "\"v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg\",\"call_leg_id\":"
            + "\"428c31b6-7af4-4bcb-b7f5-5013ef9657c1\",\"call_session_id\":\"428c31b6-7af4-4bcb-b7f5-5013ef9657c1\","
            + "\"client_state\":\"aGF2ZSBhIG5pY2UgZGF5ID1d\",\"connection_id\":\"7267xxxxxxxxxxxxxx\",\"from\":"
            + "\"+35319605860\",\"hangup_cause\":\"call_rejected\",\"hangup_source\":\"caller\",\"sip_hangup_cause\":"
            + "\"603\",\"start_time\":\"2018-02-02T22:20:27.521992Z\",\"state\":\"hangup\",\"to\":\"+35319605860\"},"
            + "\"record_type\":\"event\"},\"meta\":{\"attempt\":1,\"delivered_to\":\"https://example.com/webhooks\"}}";
    static final String VECTOR_2_SIGNATURE =
            "ZavHZ5I3deoG7khaosQTwtLJhPSc/Zsi68KZzORQEs7TRfVPM9CtQDwn0El0lU1BB6ZjOr/qa7tbvPF/SeJEBA==";

    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(VECTOR_TIME));
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    private WebhookVerifier verifier(boolean enabled) {
        Secrets secrets = Secrets.from(Map.of("TELNYX_WEBHOOK_PUBLIC_KEY", TELNYX_JAVA_PUBLIC_KEY), "test");
        return new WebhookVerifier(() -> secrets, enabled, clock,
                new JsonLog("test", new PrintStream(logged, true, StandardCharsets.UTF_8)));
    }

    private static ApiRequest request(String body, String signature, String timestamp) {
        Map<String, String> headers = new HashMap<>();
        if (signature != null) {
            headers.put("telnyx-signature-ed25519", signature);
        }
        if (timestamp != null) {
            headers.put("telnyx-timestamp", timestamp);
        }
        return new ApiRequest("POST", "/", headers, body.getBytes(StandardCharsets.UTF_8), "r1");
    }

    private static ErrorCode rejection(WebhookVerifier verifier, ApiRequest request) {
        return assertThrows(Failure.class, () -> verifier.verify(request)).code();
    }

    @Test
    void telnyxJavaKeyVectorsVerify() {
        assertDoesNotThrow(() -> verifier(true).verify(request(VECTOR_1_BODY, VECTOR_1_SIGNATURE, "1700000000")));
        assertEquals(676, VECTOR_2_BODY.getBytes(StandardCharsets.UTF_8).length, "vector 2 body is byte-exact");
        assertDoesNotThrow(() -> verifier(true).verify(request(VECTOR_2_BODY, VECTOR_2_SIGNATURE, "1700000000")));
    }

    @Test
    void ourSignerProducesTelnyxsSignature() {
        WebhookSigner signer = WebhookSigner.fromSeed(TELNYX_JAVA_SEED);
        assertEquals(VECTOR_1_SIGNATURE, signer.sign(VECTOR_TIME, VECTOR_1_BODY.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void tamperedBodyIsRejected() {
        assertEquals(ErrorCode.INVALID_SIGNATURE,
                rejection(verifier(true), request(VECTOR_1_BODY.replace("abc123", "abc124"), VECTOR_1_SIGNATURE, "1700000000")));
    }

    @Test
    void signatureOverAnotherTimestampIsRejected() {
        assertEquals(ErrorCode.INVALID_SIGNATURE,
                rejection(verifier(true), request(VECTOR_1_BODY, VECTOR_1_SIGNATURE, "1700000001")));
    }

    @Test
    void timestampOutsideFiveMinutesIsRejectedBothWays() {
        clock.set(Instant.ofEpochSecond(VECTOR_TIME).plus(Duration.ofSeconds(301)));
        assertEquals(ErrorCode.INVALID_SIGNATURE,
                rejection(verifier(true), request(VECTOR_1_BODY, VECTOR_1_SIGNATURE, "1700000000")));
        clock.set(Instant.ofEpochSecond(VECTOR_TIME).minus(Duration.ofSeconds(301)));
        assertEquals(ErrorCode.INVALID_SIGNATURE,
                rejection(verifier(true), request(VECTOR_1_BODY, VECTOR_1_SIGNATURE, "1700000000")));
        clock.set(Instant.ofEpochSecond(VECTOR_TIME).plus(Duration.ofSeconds(300)));
        assertDoesNotThrow(() -> verifier(true).verify(request(VECTOR_1_BODY, VECTOR_1_SIGNATURE, "1700000000")));
    }

    @Test
    void aTimestampThatOverflowsTheSubtractionIsStillRefused() {
        Secrets secrets = Secrets.from(Map.of("TELNYX_WEBHOOK_PUBLIC_KEY",
                com.aicallgo.coldcall.core.testing.Fixtures.devEnvironment().get("TELNYX_WEBHOOK_PUBLIC_KEY")), "test");
        WebhookVerifier verifier = new WebhookVerifier(() -> secrets, true, clock,
                new JsonLog("test", new PrintStream(logged, true, StandardCharsets.UTF_8)));
        WebhookSigner signer = com.aicallgo.coldcall.core.testing.Fixtures.devSigner();
        byte[] body = VECTOR_1_BODY.getBytes(StandardCharsets.UTF_8);
        long now = clock.instant().getEpochSecond();
        assertDoesNotThrow(() -> verifier.verify(request(VECTOR_1_BODY, signer.sign(now, body), Long.toString(now))));
        // now - (Long.MIN_VALUE + now) overflows to Long.MIN_VALUE, whose Math.abs is negative: "fresh"
        for (long stale : new long[] {Long.MIN_VALUE + now, Long.MIN_VALUE, Long.MAX_VALUE, now - 301, now + 301}) {
            assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier,
                    request(VECTOR_1_BODY, signer.sign(stale, body), Long.toString(stale))), "timestamp " + stale);
        }
    }

    @Test
    void malformedHeadersAreRejected() {
        WebhookVerifier verifier = verifier(true);
        assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier, request(VECTOR_1_BODY, null, "1700000000")));
        assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier, request(VECTOR_1_BODY, VECTOR_1_SIGNATURE, null)));
        assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier, request(VECTOR_1_BODY, VECTOR_1_SIGNATURE, "not-a-number")));
        assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier, request(VECTOR_1_BODY, "dGVzdHNpZ25hdHVyZQ==", "1700000000")));
        assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier, request(VECTOR_1_BODY, "%%%not base64", "1700000000")));
        String zeros = Base64.getEncoder().encodeToString(new byte[64]);
        assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier, request(VECTOR_1_BODY, zeros, "1700000000")));
    }

    @Test
    void badPublicKeyIsAConfigurationError() {
        assertThrows(ConfigException.class, () -> WebhookVerifier.decode("dGVzdGtleQ=="));
        assertThrows(ConfigException.class, () -> WebhookVerifier.decode("not-valid-base64!!!"));
        // 32 bytes, but y = 2 has no x on the curve: (y^2 - 1) / (d y^2 + 1) is not a square mod 2^255 - 19
        ConfigException notAPoint = assertThrows(ConfigException.class,
                () -> WebhookVerifier.decode("AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        assertTrue(notAPoint.getMessage().contains("not a valid Ed25519 key"), notAPoint.getMessage());
    }

    @Test
    void aMalleatedSignatureIsRefused() {
        // vector 1's signature with L added to its S half: the same curve equation holds, RFC 8032 5.1.7 refuses S >= L
        String malleated = "7o3u2izfEtn5PFPE0nDvo9y8RErRmfHM5wIO04wRV6VACaAXYYX1Lb/55YbosWI3hJobi2u3HYyB1Ie61c2XGQ==";
        assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier(true), request(VECTOR_1_BODY, malleated, "1700000000")));
    }

    @Test
    void whatTheJdkSignsVerifiesAndAnyFlippedBitDoesNot() {
        // WebhookSigner signs with the JDK's Ed25519; the verifier checks with Bouncy Castle's: two implementations
        WebhookSigner signer = WebhookSigner.fromSeed(TELNYX_JAVA_SEED);
        WebhookVerifier verifier = verifier(true);
        java.util.Random random = new java.util.Random(16);
        for (int i = 0; i < 50; i++) {
            byte[] bytes = new byte[random.nextInt(2000)];
            random.nextBytes(bytes);
            String body = Base64.getEncoder().encodeToString(bytes);
            String signature = signer.sign(VECTOR_TIME, body.getBytes(StandardCharsets.UTF_8));
            assertDoesNotThrow(() -> verifier.verify(request(body, signature, "1700000000")));
            byte[] flipped = Base64.getDecoder().decode(signature);
            flipped[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            assertEquals(ErrorCode.INVALID_SIGNATURE, rejection(verifier,
                    request(body, Base64.getEncoder().encodeToString(flipped), "1700000000")));
        }
    }

    @Test
    void primingVerifiesTheRfcVector() {
        assertDoesNotThrow(WebhookVerifier::prime);
    }

    @Test
    void switchedOffLogsAWarningOnEveryRequest() {
        WebhookVerifier verifier = verifier(false);
        verifier.verify(request("{}", null, null));
        verifier.verify(request("{}", null, null));
        String log = logged.toString(StandardCharsets.UTF_8);
        assertEquals(2, log.lines().filter(line -> line.contains("\"WARN\"") && line.contains("OFF")).count(), log);
        assertTrue(log.lines().allMatch(line -> line.startsWith("{")));
    }
}
