package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Ids;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code client_state} every command we send carries, authenticated: base64 (one line: Telnyx cuts the value at a
 * newline) of {@code {"cold_call":"<call_control_id>","session":"<call_session_id>","mac":"<HMAC-SHA256>"}}, naming
 * the browser call a command belongs to and, when known, the call session its legs share. Telnyx adds it to every
 * later webhook of the leg the command was sent on (and {@code target_leg_client_state} to the leg a transfer creates),
 * so an event that lacks our call's control id (a transferred leg's) still names its call.
 *
 * <p>The MAC (keyed by the secret's {@code CLIENT_STATE_KEY}) makes a state nobody but us can write: the SDK lets any
 * holder of the SIP login set a call's {@code client_state}, and an unsigned one could name a victim's call. The
 * session binds a state to its call: copied onto another call's events (another session), it names nothing. A state
 * that does not verify is not ours ({@link #verify} answers {@code null}).
 */
public final class ClientState {
    /** A verified state: the call it names, and the session it is bound to ({@code null}: its own leg only). */
    public record Stated(CallControlId call, String session) {
        /** Whether this state may attribute an event of leg {@code controlId} in session {@code sessionId}. */
        public boolean binds(CallControlId controlId, String sessionId) {
            return call.equals(controlId) || (session != null && session.equals(sessionId));
        }
    }

    private static final String CALL = "cold_call";
    private static final String SESSION = "session";
    private static final String MAC = "mac";
    private static final String ALGORITHM = "HmacSHA256";
    /** Two ids of at most {@link Ids#MAX_LENGTH}, a MAC and the JSON around them, in base64: far below this. */
    private static final int MAX_LENGTH = 2048;

    private final SecretsProvider secrets;

    /** @param secrets whose {@code CLIENT_STATE_KEY} signs and checks every state */
    public ClientState(SecretsProvider secrets) {
        this.secrets = secrets;
    }

    /**
     * The state naming {@code call}, bound to {@code session} when given.
     *
     * @throws com.aicallgo.coldcall.core.config.ConfigException when the secret has no {@code CLIENT_STATE_KEY}
     */
    public String of(CallControlId call, String session) {
        String bound = Ids.valid(session) ? session : null;
        ObjectNode json = Json.mapper().createObjectNode();
        json.put(CALL, call.value());
        if (bound != null) {
            json.put(SESSION, bound);
        }
        json.put(MAC, Base64.getUrlEncoder().withoutPadding().encodeToString(mac(call.value(), bound)));
        return Base64.getEncoder().encodeToString(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The state naming {@code call}, for its own leg only. */
    public String of(CallControlId call) {
        return of(call, null);
    }

    /**
     * What a webhook's {@code client_state} names, or {@code null} when it is absent, not ours, or its MAC does not
     * verify (forged, or signed with another key).
     */
    public Stated verify(String clientState) {
        if (clientState == null || clientState.isBlank() || clientState.length() > MAX_LENGTH) {
            return null;
        }
        try {
            JsonNode node = Json.mapper().readTree(Base64.getDecoder().decode(clientState.trim()));
            if (node == null || !node.path(CALL).isTextual() || !node.path(MAC).isTextual()) {
                return null;
            }
            CallControlId call = CallControlId.parse(node.get(CALL).textValue());
            JsonNode sessionNode = node.get(SESSION);
            String session = sessionNode != null && sessionNode.isTextual() ? sessionNode.textValue() : null;
            if (call == null || (sessionNode != null && !Ids.valid(session))) {
                return null;
            }
            byte[] given = Base64.getUrlDecoder().decode(node.get(MAC).textValue());
            return MessageDigest.isEqual(given, mac(call.value(), session)) ? new Stated(call, session) : null;
        } catch (IllegalArgumentException | java.io.IOException e) {
            return null;
        }
    }

    /** Whether {@code clientState} looks like one of ours (names a call) without verifying it: for the log line. */
    public static boolean claimsACall(String clientState) {
        if (clientState == null || clientState.isBlank() || clientState.length() > MAX_LENGTH) {
            return false;
        }
        try {
            JsonNode node = Json.mapper().readTree(Base64.getDecoder().decode(clientState.trim()));
            return node != null && node.has(CALL);
        } catch (IllegalArgumentException | java.io.IOException e) {
            return false;
        }
    }

    private byte[] mac(String call, String session) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secrets.current().requireClientStateKey().getBytes(StandardCharsets.UTF_8),
                    ALGORITHM));
            // length-prefixed fields: no two (call, session) pairs sign the same bytes
            String signed = "cold_call.v1\n" + call.length() + ":" + call + "\n"
                    + (session == null ? "-" : session.length() + ":" + session);
            return mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
