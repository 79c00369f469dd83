package com.aicallgo.coldcall.local.twin;

import com.aicallgo.coldcall.local.twin.Twin.Answer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The Telnyx account the twin plays, as its API reads it: the credential connection, its outbound voice profile and
 * the caller-ID number ({@code GET /v2/credential_connections/{id}}, {@code GET /v2/outbound_voice_profiles/{id}},
 * {@code GET /v2/phone_numbers?filter[phone_number]=...}), each behind the account's API key. It starts as a
 * hardened account that matches the runner: webhooks to the runner's call-status route (failover: its recording
 * route), API v2, parking as {@code CALL_FLOW} says, a profile limited to US and Canada with a spend limit, a
 * concurrent-call limit and a rate cap, and the number on the connection. A test makes it bad by merging a JSON
 * patch into it ({@code PATCH /_local/telnyx/account}); {@code DELETE} restores the good account.
 */
public final class Account {
    /** The id of the twin's outbound voice profile. */
    public static final String PROFILE_ID = "1293384261075731499";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PARTS = List.of("credential_connection", "outbound_voice_profile", "phone_number");

    /** What the good account is made of; the API key is never shown. */
    public record Settings(String apiKey, String connectionId, String phoneNumber, Twin.Flow flow, URI callStatusUrl,
            URI recordingUrl) {
        @Override
        public String toString() {
            return "Settings[apiKey=***, connectionId=" + connectionId + ", phoneNumber=" + phoneNumber + ", flow=" + flow
                    + ", callStatusUrl=" + callStatusUrl + ", recordingUrl=" + recordingUrl + "]";
        }
    }

    private final Settings settings;
    /** The three resources by the names {@link #PARTS} gives them; replaced whole, guarded by {@code this}. */
    private ObjectNode state;

    public Account(Settings settings) {
        this.settings = settings;
        reset();
    }

    /** Whether {@code path} (after {@code TELNYX_API_BASE}) is one of the account reads this class answers. */
    public static boolean serves(String path) {
        return path.startsWith("/v2/credential_connections/") || path.startsWith("/v2/outbound_voice_profiles/")
                || path.equals("/v2/phone_numbers");
    }

    /**
     * An account read: 401 without the account's key (as Telnyx answers a wrong key), 404 for an id that is not the
     * account's, else the resource in Telnyx's {@code {"data": ...}} envelope.
     */
    public synchronized Answer read(String path, Map<String, String> query, String authorization) {
        String expected = "Bearer " + settings.apiKey();
        if (authorization == null || settings.apiKey() == null || settings.apiKey().isEmpty()
                || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                        authorization.getBytes(StandardCharsets.UTF_8))) {
            return CallControl.error(401, "10009", "Authentication failed",
                    "The API key is missing or wrong: check the key you gave.", null);
        }
        if (path.equals("/v2/phone_numbers")) {
            JsonNode number = state.path("phone_number");
            String wanted = query.getOrDefault("filter[phone_number]", "");
            boolean match = wanted.isEmpty() || wanted.equals(number.path("phone_number").asText());
            return ok(Map.of("data", match ? List.of(number) : List.of(),
                    "meta", Map.of("page_number", 1, "page_size", 20, "total_pages", 1, "total_results", match ? 1 : 0)));
        }
        String part = path.startsWith("/v2/credential_connections/") ? "credential_connection" : "outbound_voice_profile";
        String id = path.substring(path.lastIndexOf('/') + 1);
        JsonNode resource = state.path(part);
        if (!id.equals(resource.path("id").asText())) {
            return CallControl.error(404, "10005", "Resource not found",
                    "The requested resource or URL could not be found.", null);
        }
        return ok(Map.of("data", resource));
    }

    /**
     * {@code /_local/telnyx/account}: {@code GET} shows the account, {@code PATCH} merges a JSON merge patch
     * (RFC 7386: {@code null} removes a field) into it, by part ({@code credential_connection},
     * {@code outbound_voice_profile}, {@code phone_number}), {@code DELETE} restores the good account.
     */
    public synchronized Answer control(String method, byte[] body) {
        switch (method) {
            case "GET" -> {
                return ok(state);
            }
            case "DELETE" -> reset();
            case "PATCH" -> {
                JsonNode patch;
                try {
                    patch = JSON.readTree(body);
                } catch (IOException e) {
                    patch = null;
                }
                if (patch == null || !patch.isObject()) {
                    return CallControl.error(400, "99010", "Invalid patch", "The body is a JSON object keyed by "
                            + String.join(", ", PARTS) + ".", null);
                }
                for (Iterator<String> names = patch.fieldNames(); names.hasNext();) {
                    String name = names.next();
                    if (!PARTS.contains(name)) {
                        return CallControl.error(400, "99010", "Invalid patch", "Unknown part '" + name + "': it takes "
                                + String.join(", ", PARTS) + ".", "/" + name);
                    }
                }
                ObjectNode next = state.deepCopy();
                merge(next, patch);
                state = next;
            }
            default -> {
                return CallControl.error(405, "99011", "Method not allowed", "GET, PATCH or DELETE.", null);
            }
        }
        return ok(state);
    }

    private void reset() {
        ObjectNode fresh = JSON.createObjectNode();
        ObjectNode connection = fresh.putObject("credential_connection");
        connection.put("id", settings.connectionId()).put("record_type", "credential_connection").put("active", true)
                .put("connection_name", "cold-call dialer (twin)")
                .put("webhook_event_url", settings.callStatusUrl().toString())
                .put("webhook_event_failover_url", settings.recordingUrl() == null ? "" : settings.recordingUrl().toString())
                .put("webhook_api_version", "2").put("webhook_timeout_secs", 25);
        connection.putObject("outbound").put("call_parking_enabled", settings.flow() == Twin.Flow.PARKED)
                .put("outbound_voice_profile_id", PROFILE_ID).put("ani_override_type", "always");
        ObjectNode profile = fresh.putObject("outbound_voice_profile");
        profile.put("id", PROFILE_ID).put("record_type", "outbound_voice_profile").put("name", "cold-call dialer (twin)")
                .put("enabled", true).put("traffic_type", "conversational").put("service_plan", "global")
                .put("concurrent_call_limit", 10).put("daily_spend_limit", "50.00").put("daily_spend_limit_enabled", true)
                .put("max_destination_rate", 0.05);
        profile.putArray("whitelisted_destinations").add("US").add("CA");
        ObjectNode number = fresh.putObject("phone_number");
        number.put("id", "1293384261075731500").put("record_type", "phone_number")
                .put("phone_number", settings.phoneNumber() == null ? "" : settings.phoneNumber()).put("status", "active")
                .put("connection_id", settings.connectionId()).put("connection_name", "cold-call dialer (twin)");
        state = fresh;
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (value.isObject() && target.path(field.getKey()).isObject()) {
                merge((ObjectNode) target.get(field.getKey()), value);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        }
    }

    private static Answer ok(Object body) {
        try {
            return new Answer(200, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException("the account always serialises", e);
        }
    }
}
