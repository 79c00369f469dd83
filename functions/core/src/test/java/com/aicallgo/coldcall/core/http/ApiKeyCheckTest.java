package com.aicallgo.coldcall.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.secrets.Secrets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ApiKeyCheckTest {
    private static ApiRequest request(Map<String, String> headers) {
        return new ApiRequest("GET", "/", headers, new byte[0], "r");
    }

    @Test
    void aRequestWithoutAKeyIsRefusedBeforeAnySecretIsRead() {
        ApiKeyCheck check = new ApiKeyCheck(() -> {
            throw new AssertionError("secrets read for a request without a key (SnapStart priming relies on this)");
        });
        assertEquals(ErrorCode.UNAUTHORIZED,
                assertThrows(Failure.class, () -> check.check(request(Map.of()))).code());
    }

    @Test
    void onlyTheExactKeyPassesAsTheSharedRep() {
        Secrets secrets = Secrets.from(Map.of("INTERNAL_API_KEY", "the-key"), "test");
        ApiKeyCheck check = new ApiKeyCheck(() -> secrets);
        assertEquals("shared", check.check(request(Map.of("x-api-key", "the-key"))));
        for (String wrong : new String[] {"the-ke", "the-key ", "THE-KEY", ""}) {
            assertThrows(Failure.class, () -> check.check(request(Map.of("x-api-key", wrong))), wrong);
        }
    }

    @Test
    void theRepIsOnTheRequestsLogLineAndAWrongKeyOnlyAsAFingerprint() {
        Secrets secrets = Secrets.from(Map.of("INTERNAL_API_KEYS", "{\"alice\":\"alice-key-0123456789\"}"), "test");
        ApiKeyCheck check = new ApiKeyCheck(() -> secrets);
        ApiRequest alice = request(Map.of("x-api-key", "alice-key-0123456789"));
        assertEquals("alice", check.check(alice));
        assertEquals("alice", alice.logFields().get("rep"));
        Failure wrong = assertThrows(Failure.class,
                () -> check.check(request(Map.of("x-api-key", "alice-key-012345678X"))));
        assertEquals(ErrorCode.UNAUTHORIZED, wrong.code());
        assertFalse(wrong.detail().contains("alice-key"), wrong.detail());
        assertTrue(wrong.detail().contains("fingerprint"), wrong.detail());
    }

    @Test
    void aRepRemovedFromTheSecretIsRefusedOnceTheSecretIsReadAgain() {
        Map<String, String> values = new HashMap<>(Map.of("INTERNAL_API_KEYS",
                "{\"alice\":\"alice-key-0123456789\",\"bob\":\"bob-key-abcdefghijkl\"}"));
        AtomicReference<Secrets> current = new AtomicReference<>(Secrets.from(values, "test"));
        ApiKeyCheck check = new ApiKeyCheck(current::get);
        assertEquals("bob", check.check(request(Map.of("x-api-key", "bob-key-abcdefghijkl"))));
        values.put("INTERNAL_API_KEYS", "{\"alice\":\"alice-key-0123456789\"}");
        current.set(Secrets.from(values, "test"));
        assertThrows(Failure.class, () -> check.check(request(Map.of("x-api-key", "bob-key-abcdefghijkl"))));
        assertEquals("alice", check.check(request(Map.of("x-api-key", "alice-key-0123456789"))));
    }

    @Test
    void aMalformedKeyringIsMisconfiguredForEveryone() {
        Secrets secrets = Secrets.from(Map.of("INTERNAL_API_KEY", "the-key", "INTERNAL_API_KEYS", "{alice}"), "test");
        ApiKeyCheck check = new ApiKeyCheck(() -> secrets);
        assertEquals(ErrorCode.MISCONFIGURED,
                assertThrows(Failure.class, () -> check.check(request(Map.of("x-api-key", "the-key")))).code());
    }
}
