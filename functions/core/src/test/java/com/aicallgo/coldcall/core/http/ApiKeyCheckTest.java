package com.aicallgo.coldcall.core.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.secrets.Secrets;
import java.util.Map;
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
    void onlyTheExactKeyPasses() {
        Secrets secrets = Secrets.from(Map.of("INTERNAL_API_KEY", "the-key"), "test");
        ApiKeyCheck check = new ApiKeyCheck(() -> secrets);
        assertDoesNotThrow(() -> check.check(request(Map.of("x-api-key", "the-key"))));
        for (String wrong : new String[] {"the-ke", "the-key ", "THE-KEY", ""}) {
            assertThrows(Failure.class, () -> check.check(request(Map.of("x-api-key", wrong))), wrong);
        }
    }
}
