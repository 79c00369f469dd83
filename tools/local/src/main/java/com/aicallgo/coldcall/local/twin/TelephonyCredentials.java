package com.aicallgo.coldcall.local.twin;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Telnyx's telephony credentials, as the twin keeps them: {@code POST /v2/telephony_credentials} makes a SIP user
 * ({@code gencred...}) with a password on a connection, {@code GET} lists them by {@code filter[...]}, and
 * {@code POST /{id}/token} mints a login token naming that credential, which the twin's signalling accepts as that SIP
 * user. Tokens of ids the twin never made (the shared {@code TELNYX_SIP_CREDENTIAL_ID}) log in as the shared login.
 */
public final class TelephonyCredentials {
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Credential(String id, String name, String tag, String connectionId, String sipUsername,
            String sipPassword, String createdAt) {
        Map<String, Object> describe() {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("id", id);
            data.put("record_type", "credential");
            data.put("name", name);
            data.put("tag", tag);
            data.put("resource_id", "connection:" + connectionId);
            data.put("expired", false);
            data.put("sip_username", sipUsername);
            data.put("sip_password", sipPassword);
            data.put("created_at", createdAt);
            data.put("updated_at", createdAt);
            return data;
        }
    }

    private final List<Credential> credentials = new ArrayList<>();
    private final Map<String, String> credentialOfToken = new LinkedHashMap<>();

    /** {@code POST /v2/telephony_credentials}: the new credential, as Telnyx describes it (password included). */
    public synchronized Map<String, Object> create(String connectionId, String name, String tag) {
        Credential credential = new Credential(UUID.randomUUID().toString(), name, tag, connectionId,
                "gencred" + HexFormat.of().formatHex(bytes(10)), HexFormat.of().formatHex(bytes(16)),
                java.time.Instant.now().toString());
        credentials.add(credential);
        return credential.describe();
    }

    /** {@code GET /v2/telephony_credentials}: those matching every filter given ({@code name}, {@code sip_username}, ...). */
    public synchronized List<Map<String, Object>> find(Map<String, String> filters) {
        return credentials.stream().map(Credential::describe)
                .filter(c -> filters.entrySet().stream().allMatch(f -> f.getValue().equals(String.valueOf(c.get(f.getKey())))))
                .toList();
    }

    /** Whether the twin made {@code credentialId}. */
    public synchronized boolean knows(String credentialId) {
        return credentials.stream().anyMatch(c -> c.id().equals(credentialId));
    }

    /** A login token for the credential (any id: one the twin never made logs in as the shared login). */
    public synchronized String mint(String credentialId) {
        String token = Twin.TOKEN_PREFIX + UUID.randomUUID();
        credentialOfToken.put(token, credentialId);
        return token;
    }

    /** The SIP user a token logs in as; {@code null} when it names no credential of the twin's. */
    synchronized String sipUserOfToken(String token) {
        String id = credentialOfToken.get(token);
        return credentials.stream().filter(c -> c.id().equals(id)).map(Credential::sipUsername).findFirst().orElse(null);
    }

    /** Whether {@code login}/{@code password} is one of the twin's credentials. */
    synchronized boolean accepts(String login, String password) {
        return credentials.stream().anyMatch(c -> c.sipUsername().equals(login) && c.sipPassword().equals(password));
    }

    private static byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
