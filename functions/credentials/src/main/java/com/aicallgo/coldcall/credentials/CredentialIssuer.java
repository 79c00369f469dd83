package com.aicallgo.coldcall.credentials;

import com.aicallgo.coldcall.core.config.CredentialsMode;
import com.aicallgo.coldcall.core.secrets.Secrets;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.aicallgo.coldcall.core.store.Reps;
import com.aicallgo.coldcall.core.telnyx.TelnyxCredentials;
import com.aicallgo.coldcall.core.telnyx.TelnyxFailure;
import com.aicallgo.coldcall.core.telnyx.TelnyxLoginTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands a rep's page what it needs to log in ({@link CredentialsMode}): by default the rep's own telephony credential
 * (created on first use, then found by name) and a login token for it; or the shared SIP login. Tokens are cached for
 * an hour of their 24 h life, per credential, so a busy floor does not mint one per page load; a rep's credential id
 * is cached as long, so it is not looked up on every load either.
 */
public final class CredentialIssuer {
    /** The answer of {@code GET /webrtc-credentials}. */
    public record WebRtcCredentials(String sipUsername, String sipPassword, String callerNumber, String loginToken,
            String repTag, String status) {
        @Override
        public String toString() {
            return "WebRtcCredentials[sipUsername=" + sipUsername + ", callerNumber=" + callerNumber + ", secrets=****]";
        }
    }

    /** What the rep mode needs beyond the shared settings. */
    public record PerRep(TelnyxCredentials credentials, Reps reps, String connectionId, String stage) {
    }

    static final Duration TOKEN_REUSE = Duration.ofHours(1);
    /** How long a rep's credential id is trusted before it is looked up again. */
    static final Duration CREDENTIAL_REUSE = Duration.ofHours(1);
    /**
     * How long Redis says which rep a SIP user is, from the last issue: a token lives 24 h, and a call placed at its
     * end may last over 4 h (Telnyx's time limit) before its last webhook.
     */
    static final Duration REP_OF_SIP_TTL = Duration.ofHours(30);

    private record Minted(String value, Instant at) {
    }

    /** A rep's tag for the page's calls, handed out (and its Redis entry renewed) as long as a token is. */
    private final Map<String, Minted> tagByRep = new HashMap<>();

    private final CredentialsMode mode;
    private final SecretsProvider secrets;
    private final TelnyxLoginTokens tokens;
    private final String callerNumber;
    private final String sharedCredentialId;
    private final PerRep perRep;
    private final Clock clock;
    private final Map<String, Minted> tokenByCredential = new HashMap<>();
    private final Map<String, TelnyxCredentials.Credential> credentialByRep = new HashMap<>();
    private final Map<String, Instant> credentialFoundAt = new HashMap<>();

    /**
     * @param sharedCredentialId {@code TELNYX_SIP_CREDENTIAL_ID} (token and password modes), or {@code null}
     * @param perRep what the rep mode uses; {@code null} in the other modes
     */
    public CredentialIssuer(CredentialsMode mode, SecretsProvider secrets, TelnyxLoginTokens tokens, String callerNumber,
            String sharedCredentialId, PerRep perRep, Clock clock) {
        if (mode == CredentialsMode.REP && perRep == null) {
            throw new IllegalArgumentException("the rep mode needs its credentials API and Redis");
        }
        this.mode = mode;
        this.secrets = secrets;
        this.tokens = tokens;
        this.callerNumber = callerNumber;
        this.sharedCredentialId = sharedCredentialId;
        this.perRep = perRep;
        this.clock = clock;
    }

    public synchronized WebRtcCredentials issue(String rep) {
        return switch (mode) {
            case REP -> ownCredential(rep);
            case TOKEN -> new WebRtcCredentials(secrets.current().requireSipUsername(), null, callerNumber,
                    token(sharedCredentialId), null, "ok");
            case PASSWORD -> {
                Secrets current = secrets.current();
                yield new WebRtcCredentials(current.requireSipUsername(), current.requireSipPassword(), callerNumber,
                        sharedCredentialId == null ? null : token(sharedCredentialId), null, "ok");
            }
        };
    }

    private WebRtcCredentials ownCredential(String rep) {
        Instant now = clock.instant();
        TelnyxCredentials.Credential credential = credentialByRep.get(rep);
        if (credential == null || now.isAfter(credentialFoundAt.get(rep).plus(CREDENTIAL_REUSE))) {
            credential = perRep.credentials().findOrCreate(credentialName(perRep.stage(), rep), perRep.connectionId());
            credentialByRep.put(rep, credential);
            credentialFoundAt.put(rep, now);
        }
        String token;
        try {
            token = token(credential.id());
        } catch (TelnyxFailure e) {
            // the credential may be gone (deleted in the portal): look it up again next time
            credentialByRep.remove(rep);
            throw e;
        }
        // before the page can place a call: the webhooks of its calls then name their rep
        perRep.reps().remember(credential.sipUsername(), rep, REP_OF_SIP_TTL);
        return new WebRtcCredentials(credential.sipUsername(), null, callerNumber, token, tag(rep, now), "ok");
    }

    /**
     * The rep's tag: the page sends it on every call ({@code X-Cold-Call-Rep}), and the webhook finds the rep by it
     * (Telnyx's webhooks name the caller ID, not the SIP login). A new one each hour; each stays valid in Redis for
     * {@link #REP_OF_SIP_TTL}, so a page that keeps an older one is still known.
     */
    private String tag(String rep, Instant now) {
        Minted tag = tagByRep.get(rep);
        if (tag == null || now.isAfter(tag.at().plus(TOKEN_REUSE))) {
            tag = new Minted(Reps.newTag(), now);
            tagByRep.put(rep, tag);
        }
        perRep.reps().rememberTag(tag.value(), rep, REP_OF_SIP_TTL);
        return tag.value();
    }

    /** The Telnyx name of a rep's credential: one per stage and rep, so no two reps ever share one. */
    static String credentialName(String stage, String rep) {
        return "cold-call-" + stage + "-" + rep;
    }

    private String token(String credentialId) {
        Instant now = clock.instant();
        Minted minted = tokenByCredential.get(credentialId);
        if (minted == null || now.isAfter(minted.at().plus(TOKEN_REUSE))) {
            minted = new Minted(tokens.create(credentialId), now);
            tokenByCredential.put(credentialId, minted);
        }
        return minted.value();
    }
}
