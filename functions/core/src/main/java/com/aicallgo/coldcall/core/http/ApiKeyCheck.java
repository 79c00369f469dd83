package com.aicallgo.coldcall.core.http;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks the {@code X-API-Key} header against the internal API key, in constant time. */
public final class ApiKeyCheck {
    private final SecretsProvider secrets;

    public ApiKeyCheck(SecretsProvider secrets) {
        this.secrets = secrets;
    }

    /**
     * Lets the request through or refuses it.
     *
     * @throws Failure {@code unauthorized} (401) for a missing or wrong key
     */
    public void check(ApiRequest request) {
        String given = request.header("x-api-key");
        if (given == null) {
            throw new Failure(ErrorCode.UNAUTHORIZED, "The X-API-Key header is required", "no x-api-key header");
        }
        String expected = secrets.current().requireInternalApiKey();
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw new Failure(ErrorCode.UNAUTHORIZED, "The X-API-Key is not valid", "wrong x-api-key");
        }
    }
}
