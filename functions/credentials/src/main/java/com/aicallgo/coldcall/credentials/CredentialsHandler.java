package com.aicallgo.coldcall.credentials;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.http.ApiKeyCheck;
import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.http.HttpEdge;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.aicallgo.coldcall.core.http.Reply;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.Map;

/** {@code GET /webrtc-credentials}: the dialer page's SIP login. No Redis in this function. */
public final class CredentialsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final HttpEdge edge;
    private final Priming priming;
    private final ApiKeyCheck apiKeys;
    private final CredentialIssuer issuer;

    public CredentialsHandler() {
        this(System.getenv());
    }

    /** Builds the handler from an explicit environment (the local runner's {@code env.json}). */
    public CredentialsHandler(Map<String, String> env) {
        this(Wiring.fromEnvironment("CredentialsFunction", env));
    }

    CredentialsHandler(Wiring wiring) {
        this.edge = wiring.edge(Endpoint.CREDENTIALS);
        this.apiKeys = wiring.apiKeyCheck();
        this.issuer = new CredentialIssuer(wiring.secrets(), wiring.loginTokens(), wiring.config().requirePhoneNumber(),
                wiring.config().sipCredentialId(), wiring.config().tokenOnlyCredentials(), wiring.clock());
        this.priming = Priming.register(() -> {
            handleRequest(Priming.unauthenticated(Endpoint.CREDENTIALS, null), null);
            wiring.primeSecretsClient();
        }, null, wiring.log());
    }

    /** The SnapStart hooks (tests call them as the runtime would). */
    Priming priming() {
        return priming;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return edge.handle(event, context, this::issue);
    }

    private Reply issue(ApiRequest request) {
        apiKeys.check(request);
        return Reply.ok(issuer.issue(), "issued").withHeader("Cache-Control", "no-store");
    }
}
