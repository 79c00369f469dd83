package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * Mints WebRTC login tokens: {@code POST /v2/telephony_credentials/{id}/token} answers 201 with the JWT as plain
 * text. A token lives about 24 h; the page refreshes it when the SDK says it is expiring.
 */
public final class TelnyxLoginTokens {
    private final String apiBase;
    private final SecretsProvider secrets;
    private final HttpCaller http;

    public TelnyxLoginTokens(String apiBase, SecretsProvider secrets, HttpCaller http) {
        this.apiBase = apiBase;
        this.secrets = secrets;
        this.http = http;
    }

    /**
     * Mints one token for the credential.
     *
     * @throws TelnyxFailure {@code telnyx_unavailable} when Telnyx does not hand one out
     */
    public String create(String credentialId) {
        URI uri = URI.create(apiBase + "/v2/telephony_credentials/" + HttpCaller.segment(credentialId) + "/token");
        Map<String, String> headers = Map.of(
                "Authorization", "Bearer " + secrets.current().requireTelnyxApiKey(),
                "Accept", "text/plain");
        try {
            HttpCaller.Response response = http.post(uri, headers, new byte[0]);
            String token = response.body().trim();
            if (response.ok() && !token.isEmpty()) {
                return token;
            }
            throw TelnyxFailure.unavailable("Telnyx did not issue a login token",
                    "token endpoint answered " + response.status());
        } catch (IOException e) {
            throw TelnyxFailure.unavailable("Telnyx did not issue a login token",
                    "token endpoint did not answer: " + e.getClass().getSimpleName());
        }
    }
}
