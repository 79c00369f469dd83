package com.aicallgo.coldcall.credentials;

import com.aicallgo.coldcall.core.ApiHandler;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.config.CredentialsMode;
import com.aicallgo.coldcall.core.http.ApiKeyCheck;
import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.http.Reply;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.aicallgo.coldcall.core.store.Redis;
import java.util.Map;

/**
 * {@code GET /webrtc-credentials}: the dialer page's SIP login, as the rep whose key asks; {@code GET /dial-policy}:
 * the numbers it may dial (the rule set the webhook enforces, docs/call-policy.md). Both behind the API key. Redis
 * (which rep each SIP user is) only in the default rep mode.
 */
public final class CredentialsHandler extends ApiHandler {
    private final ApiKeyCheck apiKeys;
    private final CredentialIssuer issuer;
    private final Map<String, Object> dialPolicy;

    public CredentialsHandler() {
        this(System.getenv());
    }

    /** Builds the handler from an explicit environment (the local runner's {@code env.json}). */
    public CredentialsHandler(Map<String, String> env) {
        this(Wiring.fromEnvironment("CredentialsFunction", env));
    }

    CredentialsHandler(Wiring wiring) {
        super(wiring, Endpoint.CREDENTIALS, Endpoint.DIAL_POLICY);
        Config config = wiring.config();
        boolean perRep = config.credentialsMode() == CredentialsMode.REP;
        this.apiKeys = wiring.apiKeyCheck();
        this.issuer = new CredentialIssuer(config.credentialsMode(), wiring.secrets(), wiring.loginTokens(),
                config.requirePhoneNumber(), config.sipCredentialId(),
                perRep ? new CredentialIssuer.PerRep(wiring.telnyxCredentials(), wiring.reps(),
                        config.requireConnectionId(), config.stage()) : null,
                wiring.clock());
        this.dialPolicy = wiring.dialPolicy().describe();
        prime(wiring, perRep ? wiring.redis() : null, () -> {
            primeRequest(Priming.unauthenticatedJson(Endpoint.CREDENTIALS, null));
            wiring.primeSecretsClient();
            Priming.primeHttp(wiring.log());
            if (perRep) {
                Redis.primeCodec();
            }
        });
    }

    @Override
    protected Reply handle(ApiRequest request) {
        String rep = apiKeys.check(request);
        if (Endpoint.DIAL_POLICY.path().equals(request.path())) {
            return Reply.ok(dialPolicy, "served").withHeader("Cache-Control", "no-store");
        }
        return Reply.ok(issuer.issue(rep), "issued").withHeader("Cache-Control", "no-store");
    }
}
