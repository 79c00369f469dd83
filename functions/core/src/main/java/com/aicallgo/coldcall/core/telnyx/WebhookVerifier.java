package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Checks Telnyx's Ed25519 webhook signature: the bytes signed are {@code <telnyx-timestamp>|<raw body>}, the key is
 * the account's public key (base64 of the raw 32 bytes), and a timestamp more than 300 s away from now is refused
 * as a replay.
 *
 * <p>Bouncy Castle's Ed25519 and not the JDK's: at C1, where Lambda keeps a function's code, it verifies a webhook in
 * about 0.12 ms against the JDK's 1.3 ms (BENCHMARKS.md). Its first verification builds the base point's tables
 * (about 0.3 s at C1), which SnapStart priming does before the snapshot ({@link #prime}).
 */
public final class WebhookVerifier {
    public static final Duration TOLERANCE = Duration.ofSeconds(300);
    // RFC 8032 section 7.1, test 1: a public Ed25519 key and its signature of the empty message
    private static final String TEST_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private static final String TEST_SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8"
            + "821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    private final SecretsProvider secrets;
    private final boolean enabled;
    private final Clock clock;
    private final JsonLog log;
    private String cachedKeyText;
    private Ed25519.PublicPoint cachedKey;

    public WebhookVerifier(SecretsProvider secrets, boolean enabled, Clock clock, JsonLog log) {
        this.secrets = secrets;
        this.enabled = enabled;
        this.clock = clock;
        this.log = log;
    }

    /**
     * Verifies the request's signature and timestamp.
     *
     * @throws Failure {@code invalid_signature} (401) for a missing, malformed, stale or wrong signature
     */
    public void verify(ApiRequest request) {
        if (!enabled) {
            log.warn("webhook signature verification is OFF (TELNYX_WEBHOOK_VERIFY=false, dev only)", Map.of());
            return;
        }
        String signatureText = request.header("telnyx-signature-ed25519");
        String timestampText = request.header("telnyx-timestamp");
        if (signatureText == null || timestampText == null) {
            throw rejected("missing telnyx-signature-ed25519 or telnyx-timestamp header");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(timestampText.trim());
        } catch (NumberFormatException e) {
            throw rejected("telnyx-timestamp is not a number");
        }
        // compared without subtracting: now - timestamp overflows for a timestamp near Long.MIN_VALUE + now
        long now = clock.instant().getEpochSecond();
        long tolerance = TOLERANCE.toSeconds();
        if (timestamp < now - tolerance || timestamp > now + tolerance) {
            throw rejected("telnyx-timestamp is more than " + tolerance + " s away from now");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureText.trim());
        } catch (IllegalArgumentException e) {
            throw rejected("telnyx-signature-ed25519 is not base64");
        }
        if (signature.length != 64) {
            throw rejected("telnyx-signature-ed25519 is not 64 bytes");
        }
        byte[] prefix = (timestampText.trim() + "|").getBytes(StandardCharsets.UTF_8);
        byte[] body = request.body();
        byte[] signed = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        if (!Ed25519.verify(signature, 0, publicKey(), signed, 0, signed.length)) {
            throw rejected("signature does not match the body");
        }
    }

    /**
     * Before a SnapStart snapshot: verifies a published test signature as {@link #verify} does, so the classes and
     * the base point's tables are in the snapshot (the real key is a secret, never read before it).
     */
    public static void prime() {
        Ed25519.PublicPoint key = decode(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(TEST_KEY)));
        if (!Ed25519.verify(HexFormat.of().parseHex(TEST_SIGNATURE), 0, key, new byte[0], 0, 0)) {
            throw new IllegalStateException("the RFC 8032 test signature does not verify");
        }
    }

    private synchronized Ed25519.PublicPoint publicKey() {
        String text = secrets.current().requireWebhookPublicKey();
        if (!text.equals(cachedKeyText)) {
            cachedKey = decode(text);
            cachedKeyText = text;
        }
        return cachedKey;
    }

    /**
     * Turns the portal's base64 public key into a point on the curve, checked once here rather than on each request.
     *
     * @throws ConfigException when it is not base64 of 32 bytes that encode a valid Ed25519 public key
     */
    public static Ed25519.PublicPoint decode(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("TELNYX_WEBHOOK_PUBLIC_KEY is not base64");
        }
        if (raw.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new ConfigException("TELNYX_WEBHOOK_PUBLIC_KEY is not a 32-byte Ed25519 key");
        }
        Ed25519.PublicPoint point = Ed25519.validatePublicKeyFullExport(raw, 0);
        if (point == null) {
            throw new ConfigException("TELNYX_WEBHOOK_PUBLIC_KEY is not a valid Ed25519 key");
        }
        return point;
    }

    private static Failure rejected(String why) {
        return new Failure(ErrorCode.INVALID_SIGNATURE, "The webhook signature is missing, stale or wrong", why);
    }
}
