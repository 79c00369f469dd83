package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * Checks Telnyx's Ed25519 webhook signature: the bytes signed are {@code <telnyx-timestamp>|<raw body>}, the key is
 * the account's public key (base64 of the raw 32 bytes), and a timestamp more than 300 s away from now is refused
 * as a replay. Java 15+ verifies Ed25519 natively.
 */
public final class WebhookVerifier {
    public static final Duration TOLERANCE = Duration.ofSeconds(300);
    /** X.509 SubjectPublicKeyInfo header for a raw Ed25519 key (OID 1.3.101.112). */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final SecretsProvider secrets;
    private final boolean enabled;
    private final Clock clock;
    private final JsonLog log;
    private String cachedKeyText;
    private PublicKey cachedKey;

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
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey());
            verifier.update(prefix);
            verifier.update(request.body());
            if (!verifier.verify(signature)) {
                throw rejected("signature does not match the body");
            }
        } catch (GeneralSecurityException e) {
            throw rejected("signature cannot be checked: " + e.getClass().getSimpleName());
        }
    }

    private synchronized PublicKey publicKey() {
        String text = secrets.current().requireWebhookPublicKey();
        if (!text.equals(cachedKeyText)) {
            cachedKey = decode(text);
            cachedKeyText = text;
        }
        return cachedKey;
    }

    /**
     * Turns the portal's base64 public key into a {@link PublicKey}.
     *
     * @throws ConfigException when it is not base64 of 32 bytes
     */
    public static PublicKey decode(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("TELNYX_WEBHOOK_PUBLIC_KEY is not base64");
        }
        if (raw.length != 32) {
            throw new ConfigException("TELNYX_WEBHOOK_PUBLIC_KEY is not a 32-byte Ed25519 key");
        }
        byte[] spki = new byte[SPKI_PREFIX.length + raw.length];
        System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, raw.length);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new ConfigException("TELNYX_WEBHOOK_PUBLIC_KEY is not a valid Ed25519 key");
        }
    }

    private static Failure rejected(String why) {
        return new Failure(ErrorCode.INVALID_SIGNATURE, "The webhook signature is missing, stale or wrong", why);
    }
}
