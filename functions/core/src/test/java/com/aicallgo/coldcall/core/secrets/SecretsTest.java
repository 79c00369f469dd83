package com.aicallgo.coldcall.core.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void toStringMasksEveryValue() {
        Secrets secrets = Secrets.from(Map.of(
                "TELNYX_SIP_API_KEY", "KEYvalue-1", "TELNYX_SIP_USERNAME", "user-2", "TELNYX_SIP_PASSWORD", "pass-3",
                "TELNYX_WEBHOOK_PUBLIC_KEY", "pub-4", "INTERNAL_API_KEY", "internal-5", "WEB_BACKEND_API_KEY", "web-6"),
                "test");
        String text = secrets.toString();
        for (String value : new String[] {"KEYvalue-1", "user-2", "pass-3", "pub-4", "internal-5", "web-6"}) {
            assertFalse(text.contains(value), value + " leaked into " + text);
        }
        assertTrue(text.contains("****"));
    }

    @Test
    void missingSecretNamesTheKeyNotAValue() {
        Secrets secrets = Secrets.from(Map.of("TELNYX_SIP_USERNAME", "user"), "secret x");
        ConfigException e = assertThrows(ConfigException.class, secrets::requireTelnyxApiKey);
        assertTrue(e.getMessage().contains("TELNYX_SIP_API_KEY"));
    }

    @Test
    void theAiAgentsOwnTelnyxKeyIsNeverRead() {
        Secrets secrets = Secrets.from(Map.of("TELNYX_API_KEY", "agent-key"), "env");
        assertNull(secrets.telnyxApiKey());
        assertEquals("env", secrets.source());
    }
}
