package com.aicallgo.coldcall.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aicallgo.coldcall.core.time.Deadlines;
import java.time.Duration;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("TELNYX_SIP_PHONE_NUMBER", "+15550000001");
        env.put("WEB_BACKEND_URL", "https://backend.example.com/");
        env.put("COLD_CALL_BUSINESS_ID", "biz-1");
        return env;
    }

    @Test
    void theAwsSettingsComeFromLambdasVariablesAndHideTheKeys() {
        Map<String, String> env = minimal();
        env.put("AWS_LAMBDA_FUNCTION_NAME", "coldcall-dev-CallStatusWebhookFunction-A1");
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:5000");
        env.put("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEKEYID");
        env.put("AWS_SECRET_ACCESS_KEY", "not-a-real-secret-access-key");
        env.put("AWS_SESSION_TOKEN", "not-a-real-session-token");
        Config config = Config.fromEnv(env);
        assertEquals("coldcall-dev-CallStatusWebhookFunction-A1", config.functionName());
        assertEquals("eu-west-1", config.aws().region());
        assertEquals("http://127.0.0.1:5000", config.aws().secretsManagerEndpoint(), "the service's own variable wins");
        assertEquals("not-a-real-session-token", config.aws().sessionToken());
        for (String text : new String[] {config.aws().toString(), config.toString()}) {
            assertFalse(text.contains("AKIDEXAMPLEKEYID") || text.contains("not-a-real"), text);
        }
        Config bare = Config.fromEnv(minimal());
        assertEquals("us-east-1", bare.aws().region());
        assertEquals(null, bare.aws().secretsManagerEndpoint());
        assertEquals(null, bare.functionName());
    }

    @Test
    void defaultsFollowTheContract() {
        Config config = Config.fromEnv(minimal());
        assertEquals("redis://127.0.0.1:6379", config.redisUrl());
        assertEquals("https://api.telnyx.com", config.telnyxApiBase());
        assertEquals("https://backend.example.com", config.webBackendUrl(), "trailing slash dropped");
        assertTrue(config.autoRecord());
        assertFalse(config.redisCluster());
        assertTrue(config.verifyWebhooks());
        assertEquals(Duration.ofSeconds(86_400), config.callStateTtl());
        assertEquals("dev", config.stage());
    }

    @Test
    void aWebBackendTimeoutThatWouldOutliveTheClaimLeaseStopsTheFunctionAtStart() {
        Map<String, String> env = minimal();
        env.put("WEB_BACKEND_TIMEOUT_MS", "9000");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnv(env));
        assertTrue(e.getMessage().contains("WEB_BACKEND_TIMEOUT_MS must be at most 7699"), e.getMessage());
        env.put("WEB_BACKEND_TIMEOUT_MS", "7699");
        Config.fromEnv(env);
    }

    @Test
    void everyDeadlineNestsInsideTheClaimLease() {
        Duration longest = Deadlines.longestWorkUnderClaim(Duration.ofMillis(Config.DEFAULT_WEB_BACKEND_TIMEOUT_MS));
        assertTrue(longest.compareTo(Deadlines.CLAIM_HOLD) < 0, longest + " of work under a claim");
        assertTrue(Deadlines.CLAIM_HOLD.compareTo(Deadlines.CLAIM_LEASE) < 0);
        assertTrue(Deadlines.WEBHOOK.compareTo(Duration.ofSeconds(2)) < 0, "Telnyx waits about 2 s");
        assertTrue(Deadlines.START_RECORDING.plus(Deadlines.LAMBDA_MARGIN).compareTo(Duration.ofSeconds(10)) <= 0,
                "inside the template's 10 s Timeout");
    }

    @Test
    void missingRequiredValueNamesTheVariable() {
        Map<String, String> env = minimal();
        env.remove("COLD_CALL_BUSINESS_ID");
        Config config = Config.fromEnv(env);
        ConfigException e = assertThrows(ConfigException.class, config::requireBusinessId);
        assertTrue(e.getMessage().contains("COLD_CALL_BUSINESS_ID"), e.getMessage());
    }

    @Test
    void oldNameFailsAtStartAndNamesItsReplacement() {
        Map<String, String> env = minimal();
        env.put("TELNYX_COLD_CALL_API_KEY", "secret-value-123");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnv(env));
        assertTrue(e.getMessage().contains("TELNYX_SIP_API_KEY"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-value-123"), "never the value");
    }

    @Test
    void verificationCannotBeSwitchedOffInProd() {
        Map<String, String> env = minimal();
        env.put("STAGE", "prod");
        env.put("TELNYX_WEBHOOK_VERIFY", "false");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnv(env));
        assertTrue(e.getMessage().contains("TELNYX_WEBHOOK_VERIFY"), e.getMessage());
        env.put("STAGE", "dev");
        assertFalse(Config.fromEnv(env).verifyWebhooks());
    }

    @Test
    void everyMalformedValueIsListedAtOnce() {
        Map<String, String> env = minimal();
        env.put("REDIS_URL", "http://redis");
        env.put("AUTO_RECORD", "sometimes");
        env.put("TELNYX_API_BASE", "not a url");
        env.put("TELNYX_SIP_PHONE_NUMBER", "555-1234");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnv(env));
        for (String name : new String[] {"REDIS_URL", "AUTO_RECORD", "TELNYX_API_BASE", "TELNYX_SIP_PHONE_NUMBER"}) {
            assertTrue(e.getMessage().contains(name), name + " in " + e.getMessage());
        }
    }

    @Test
    void tokenModeNeedsACredential() {
        Map<String, String> env = minimal();
        env.put("CREDENTIALS_MODE", "token");
        assertThrows(ConfigException.class, () -> Config.fromEnv(env));
        env.put("TELNYX_SIP_CREDENTIAL_ID", "cred-1");
        assertEquals(CredentialsMode.TOKEN, Config.fromEnv(env).credentialsMode());
    }

    @Test
    void eachRepHasACredentialUnlessAnotherModeIsChosen() {
        Map<String, String> env = minimal();
        assertEquals(CredentialsMode.REP, Config.fromEnv(env).credentialsMode());
        env.put("CREDENTIALS_MODE", "Password");
        assertEquals(CredentialsMode.PASSWORD, Config.fromEnv(env).credentialsMode());
        env.put("CREDENTIALS_MODE", "shared");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnv(env));
        assertTrue(e.getMessage().contains("CREDENTIALS_MODE"), e.getMessage());
    }
}
