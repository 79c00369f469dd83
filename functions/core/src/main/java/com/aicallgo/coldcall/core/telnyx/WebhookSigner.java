package com.aicallgo.coldcall.core.telnyx;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Signs a webhook body as Telnyx does ({@code <timestamp>|<body>}, Ed25519, base64). Never used by a deployed
 * function: the local runner re-signs the dev events with it, and the tests sign their requests.
 */
public final class WebhookSigner {
    /** PKCS#8 header for a raw 32-byte Ed25519 seed. */
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

    private final PrivateKey key;

    private WebhookSigner(PrivateKey key) {
        this.key = key;
    }

    /** A signer from the base64 of a raw 32-byte Ed25519 seed. */
    public static WebhookSigner fromSeed(String base64Seed) {
        byte[] seed = Base64.getDecoder().decode(base64Seed.trim());
        if (seed.length != 32) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes");
        }
        byte[] pkcs8 = new byte[PKCS8_PREFIX.length + seed.length];
        System.arraycopy(PKCS8_PREFIX, 0, pkcs8, 0, PKCS8_PREFIX.length);
        System.arraycopy(seed, 0, pkcs8, PKCS8_PREFIX.length, seed.length);
        try {
            return new WebhookSigner(KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 seed", e);
        }
    }

    /** The base64 signature for the header {@code telnyx-signature-ed25519}. */
    public String sign(long timestamp, byte[] body) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update((timestamp + "|").getBytes(StandardCharsets.UTF_8));
            signature.update(body);
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }
}
