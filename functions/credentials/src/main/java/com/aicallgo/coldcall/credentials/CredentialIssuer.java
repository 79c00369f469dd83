package com.aicallgo.coldcall.credentials;

import com.aicallgo.coldcall.core.secrets.Secrets;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.aicallgo.coldcall.core.telnyx.TelnyxLoginTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Hands the page what it needs to log in: the SIP credentials, the caller id, and (when a telephony credential is
 * configured) a short-lived login token, cached for an hour of its 24 h life so a busy floor does not mint one per
 * page load.
 */
public final class CredentialIssuer {
    /** The answer of {@code GET /webrtc-credentials}. */
    public record WebRtcCredentials(String sipUsername, String sipPassword, String callerNumber, String loginToken,
            String status) {
        @Override
        public String toString() {
            return "WebRtcCredentials[sipUsername=" + sipUsername + ", callerNumber=" + callerNumber + ", secrets=****]";
        }
    }

    static final Duration TOKEN_REUSE = Duration.ofHours(1);

    private final SecretsProvider secrets;
    private final TelnyxLoginTokens tokens;
    private final String callerNumber;
    private final String credentialId;
    private final boolean tokenOnly;
    private final Clock clock;
    private String token;
    private Instant tokenMinted = Instant.MIN;

    public CredentialIssuer(SecretsProvider secrets, TelnyxLoginTokens tokens, String callerNumber, String credentialId,
            boolean tokenOnly, Clock clock) {
        this.secrets = secrets;
        this.tokens = tokens;
        this.callerNumber = callerNumber;
        this.credentialId = credentialId;
        this.tokenOnly = tokenOnly;
        this.clock = clock;
    }

    public WebRtcCredentials issue() {
        Secrets current = secrets.current();
        String loginToken = credentialId == null ? null : token();
        return new WebRtcCredentials(
                current.requireSipUsername(),
                tokenOnly ? null : current.requireSipPassword(),
                callerNumber,
                loginToken,
                "ok");
    }

    private synchronized String token() {
        Instant now = clock.instant();
        if (token == null || now.isAfter(tokenMinted.plus(TOKEN_REUSE))) {
            token = tokens.create(credentialId);
            tokenMinted = now;
        }
        return token;
    }
}
