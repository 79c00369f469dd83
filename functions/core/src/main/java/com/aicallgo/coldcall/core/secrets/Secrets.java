package com.aicallgo.coldcall.core.secrets;

import com.aicallgo.coldcall.core.config.ConfigException;
import java.util.Map;

/**
 * The secret values, from the Secrets Manager secret or (local work) the environment. {@link #toString()} masks
 * every value, so a record logged by mistake leaks nothing.
 */
public record Secrets(
        String telnyxApiKey,
        String sipUsername,
        String sipPassword,
        String webhookPublicKey,
        String internalApiKey,
        String internalApiKeys,
        String webBackendApiKey,
        String redisUsername,
        String redisPassword,
        String clientStateKey,
        String source) {

    /** Builds the record from key/value pairs named as in docs/configuration.md (secret JSON or environment). */
    public static Secrets from(Map<String, String> values, String source) {
        return new Secrets(
                blankToNull(values.get("TELNYX_SIP_API_KEY")),
                blankToNull(values.get("TELNYX_SIP_USERNAME")),
                blankToNull(values.get("TELNYX_SIP_PASSWORD")),
                blankToNull(values.get("TELNYX_WEBHOOK_PUBLIC_KEY")),
                blankToNull(values.get("INTERNAL_API_KEY")),
                blankToNull(values.get("INTERNAL_API_KEYS")),
                blankToNull(values.get("WEB_BACKEND_API_KEY")),
                blankToNull(values.get("REDIS_USERNAME")),
                blankToNull(values.get("REDIS_PASSWORD")),
                blankToNull(values.get("CLIENT_STATE_KEY")),
                source);
    }

    public String requireTelnyxApiKey() {
        return require(telnyxApiKey, "TELNYX_SIP_API_KEY");
    }

    public String requireSipUsername() {
        return require(sipUsername, "TELNYX_SIP_USERNAME");
    }

    public String requireSipPassword() {
        return require(sipPassword, "TELNYX_SIP_PASSWORD");
    }

    public String requireWebhookPublicKey() {
        return require(webhookPublicKey, "TELNYX_WEBHOOK_PUBLIC_KEY");
    }

    /**
     * Who may call the internal routes: {@code INTERNAL_API_KEYS} (one key per rep) and {@code INTERNAL_API_KEY} (the
     * rep {@value Keyring#SHARED}).
     *
     * @throws com.aicallgo.coldcall.core.config.ConfigException when neither is set or the keyring is malformed
     */
    public Keyring keyring() {
        return Keyring.of(internalApiKey, internalApiKeys, source);
    }

    public String requireWebBackendApiKey() {
        return require(webBackendApiKey, "WEB_BACKEND_API_KEY");
    }

    /** The HMAC key that signs every {@code client_state} we set ({@code ClientState}). */
    public String requireClientStateKey() {
        return require(clientStateKey, "CLIENT_STATE_KEY");
    }

    private String require(String value, String name) {
        if (value == null) {
            throw new ConfigException(name + " is missing from " + source);
        }
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    @Override
    public String toString() {
        return "Secrets[source=" + source + ", values=****]";
    }
}
