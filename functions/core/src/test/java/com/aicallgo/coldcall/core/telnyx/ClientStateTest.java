package com.aicallgo.coldcall.core.telnyx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.secrets.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientStateTest {
    static final CallControlId CALL = new CallControlId("v3:" + "x".repeat(120));
    static final String SESSION = "b08ff4c4-a583-506e-9383-12bab719adf1";

    private static ClientState keyed(String key) {
        Secrets secrets = Secrets.from(Map.of("CLIENT_STATE_KEY", key), "the test");
        return new ClientState(() -> secrets);
    }

    private final ClientState states = keyed("a-key-of-ours");

    private static String json(String state) {
        return new String(Base64.getDecoder().decode(state), StandardCharsets.UTF_8);
    }

    @Test
    void aStateWeSignedNamesItsCallAndSessionAndFitsOneBase64Line() {
        String state = states.of(CALL, SESSION);
        assertEquals(new ClientState.Stated(CALL, SESSION), states.verify(state));
        assertTrue(state.matches("[A-Za-z0-9+/=]+"), "one line of base64");
        assertTrue(state.length() < 400, "short, even for a long call control id: " + state.length());
        assertFalse(json(state).contains("a-key-of-ours"), "the key never travels");
        assertEquals(new ClientState.Stated(CALL, null), states.verify(states.of(CALL)));
    }

    @Test
    void anUnsignedForgedTamperedOrOtherKeysStateIsNotOurs() {
        String unsigned = Base64.getEncoder().encodeToString(("{\"cold_call\":\"" + CALL + "\"}").getBytes());
        assertNull(states.verify(unsigned));
        String tampered = Base64.getEncoder().encodeToString(json(states.of(CALL, SESSION))
                .replace(SESSION, "b08ff4c4-a583-506e-9383-000000000000").getBytes(StandardCharsets.UTF_8));
        assertNull(states.verify(tampered), "the session is signed too");
        String sessionDropped = Base64.getEncoder().encodeToString(json(states.of(CALL, SESSION))
                .replace(",\"session\":\"" + SESSION + "\"", "").getBytes(StandardCharsets.UTF_8));
        assertNull(states.verify(sessionDropped), "a bound state cannot be unbound");
        assertNull(keyed("another-key").verify(states.of(CALL, SESSION)), "signed with another key");
        for (String junk : new String[] {null, "", " ", "not base64!", "e30=", "W10=", "bnVsbA==", "A".repeat(5000),
                Base64.getEncoder().encodeToString("{\"cold_call\":12,\"mac\":\"AA\"}".getBytes())}) {
            assertNull(states.verify(junk), String.valueOf(junk));
        }
    }

    @Test
    void aStateBindsOnlyItsOwnLegOrItsSession() {
        ClientState.Stated bound = states.verify(states.of(CALL, SESSION));
        assertTrue(bound.binds(CALL, "another-session"), "its own leg");
        assertTrue(bound.binds(new CallControlId("v3:destination"), SESSION), "a leg of its session");
        assertTrue(bound.binds(null, SESSION), "an event with no call control id, of its session");
        assertFalse(bound.binds(new CallControlId("v3:other"), "another-session"));
        assertFalse(bound.binds(null, null));
        ClientState.Stated ownLeg = states.verify(states.of(CALL));
        assertTrue(ownLeg.binds(CALL, null));
        assertFalse(ownLeg.binds(new CallControlId("v3:other"), SESSION));
        assertFalse(ownLeg.binds(null, SESSION));
    }

    @Test
    void withoutAKeyNothingIsSignedAndTheErrorNamesTheKey() {
        Secrets none = Secrets.from(Map.of(), "the environment");
        ConfigException missing = assertThrows(ConfigException.class, () -> new ClientState(() -> none).of(CALL));
        assertTrue(missing.detail().contains("CLIENT_STATE_KEY"), missing.detail());
    }
}
