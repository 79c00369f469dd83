package com.aicallgo.coldcall.credentials;

import com.aicallgo.coldcall.core.ApiHandler;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.http.ApiKeyCheck;
import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.http.Reply;
import com.aicallgo.coldcall.core.snapstart.Priming;
import java.util.Map;

/**
 * {@code GET /webrtc-credentials}: the dialer page's SIP login; {@code GET /dial-policy}: the numbers it may dial (the
 * rule set the webhook enforces, docs/call-policy.md). Both behind the API key. No Redis in this function.
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
        this.apiKeys = wiring.apiKeyCheck();
        this.issuer = new CredentialIssuer(wiring.secrets(), wiring.loginTokens(), wiring.config().requirePhoneNumber(),
                wiring.config().sipCredentialId(), wiring.config().tokenOnlyCredentials(), wiring.clock());
        this.dialPolicy = wiring.dialPolicy().describe();
        prime(wiring, null, () -> {
            primeRequest(Priming.unauthenticatedJson(Endpoint.CREDENTIALS, null));
            wiring.primeSecretsClient();
            Priming.primeHttp(wiring.log());
        });
    }

    @Override
    protected Reply handle(ApiRequest request) {
        apiKeys.check(request);
        if (Endpoint.DIAL_POLICY.path().equals(request.path())) {
            return Reply.ok(dialPolicy, "served").withHeader("Cache-Control", "no-store");
        }
        return Reply.ok(issuer.issue(), "issued").withHeader("Cache-Control", "no-store");
    }
}
