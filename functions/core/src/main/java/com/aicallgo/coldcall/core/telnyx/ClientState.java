package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The {@code client_state} every command we send carries: base64 (one line: Telnyx cuts the value at a newline) of
 * {@code {"cold_call":"<call_control_id>"}}, naming the browser call a command belongs to. Telnyx adds it to every
 * later webhook of the leg the command was sent on (and {@code target_leg_client_state} to the leg a transfer
 * creates), so an event that lacks our call's control id (a transferred leg's, a recording's) still names its call.
 * Decoding is lenient: another sender's state, or one that is not base64 or not JSON, is simply not ours.
 */
public final class ClientState {
    private static final String KEY = "cold_call";

    private ClientState() {
    }

    public static String of(CallControlId callControlId) {
        String json = "{\"" + KEY + "\":" + Json.mapper().valueToTree(callControlId.value()) + "}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The call a webhook's {@code client_state} names, or {@code null} when it names none of ours. */
    public static CallControlId callOf(String clientState) {
        if (clientState == null || clientState.isBlank() || clientState.length() > 4096) {
            return null;
        }
        try {
            byte[] json = Base64.getDecoder().decode(clientState.trim());
            JsonNode node = Json.mapper().readTree(json);
            JsonNode id = node == null ? null : node.get(KEY);
            return id == null || !id.isTextual() ? null : CallControlId.parse(id.textValue());
        } catch (IllegalArgumentException | java.io.IOException e) {
            return null;
        }
    }
}
