package com.aicallgo.coldcall.core.http;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.secrets.Keyring;
import com.aicallgo.coldcall.core.secrets.Secrets;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;

/**
 * Checks the {@code X-API-Key} header against the keyring of the current secrets (docs/configuration.md "Secret
 * keys") and names the rep it belongs to. The keyring is read from the cached secrets on every request, so a rep whose
 * entry is removed is refused once the functions read the secret again ({@code SECRETS_TTL_SECONDS}).
 */
public final class ApiKeyCheck {
    /** The log field (and call hash field) naming the person behind a request. */
    public static final String REP = "rep";

    private final SecretsProvider secrets;
    private Secrets parsedFrom;
    private Keyring keyring;

    public ApiKeyCheck(SecretsProvider secrets) {
        this.secrets = secrets;
    }

    /**
     * Lets the request through as its rep, tagged on the request's log line, or refuses it.
     *
     * @return the rep whose key the request carries
     * @throws Failure {@code unauthorized} (401) for a missing or wrong key; {@code misconfigured} (500) for a
     *     keyring that is missing or malformed
     */
    public String check(ApiRequest request) {
        String given = request.header("x-api-key");
        if (given == null) {
            throw new Failure(ErrorCode.UNAUTHORIZED, "The X-API-Key header is required", "no x-api-key header");
        }
        String rep = keyring().repOf(given);
        if (rep == null) {
            throw new Failure(ErrorCode.UNAUTHORIZED, "The X-API-Key is not valid",
                    "wrong x-api-key (fingerprint " + Keyring.fingerprint(given) + ")");
        }
        request.tag(REP, rep);
        return rep;
    }

    /** The keyring of the current secrets, parsed once per secret read. */
    private synchronized Keyring keyring() {
        Secrets current = secrets.current();
        if (current != parsedFrom) {
            keyring = current.keyring();
            parsedFrom = current;
        }
        return keyring;
    }
}
