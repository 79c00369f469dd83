package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Least privilege and the edge, in the template as CloudFormation deploys it: translated by aws-sam-translator and
 * its conditions evaluated under given parameter values ({@code sam-transform.py}). Which secrets each function may
 * read, how KMS is granted, the Redis login, the page's response headers, the route throttles and the WAF web ACL.
 */
class EdgeTemplateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> BASE = Map.of(
            "SipConnectionId", "2839481102938475610",
            "SipPhoneNumber", "+14083572311",
            "WebBackendUrl", "https://api.example-backend.com",
            "BusinessId", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            "VpcId", "vpc-0123456789abcdef0",
            "PrivateSubnetIds", "subnet-0123456789abcdef0,subnet-0fedcba9876543210");
    private static final String PAGE_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:coldcall-page-Ab1Cd2";
    private static final String HOOK_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:coldcall-hook-Ef3Gh4";
    private static final String KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    private static final List<String> PAGE_FUNCTIONS = List.of("CredentialsFunction", "StartRecordingFunction");
    private static final List<String> WEBHOOK_FUNCTIONS = List.of("CallStatusWebhookFunction",
            "RecordingWebhookFunction", "OutboxDrainFunction");

    static JsonNode deployed(Map<String, String> overrides) throws Exception {
        Map<String, String> params = new LinkedHashMap<>(BASE);
        params.putAll(overrides);
        Path script = Path.of(EdgeTemplateIT.class.getResource("/sam-transform.py").toURI());
        Process process = new ProcessBuilder("python3", script.toString(),
                Fixtures.root().resolve("template.yaml").toString(), JSON.writeValueAsString(params))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "aws-sam-translator did not finish");
        assertEquals(0, process.exitValue(), "sam-transform.py failed (aws-sam-translator and cfn-lint installed?)");
        return JSON.readTree(out).path("Resources");
    }

    private static JsonNode ref(String name) {
        return JSON.createObjectNode().put("Ref", name);
    }

    private static JsonNode text(String value) {
        return JSON.getNodeFactory().textNode(value);
    }

    private static List<JsonNode> statements(JsonNode resources, String function, String action) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode policy : resources.path(function + "Role").path("Properties").path("Policies")) {
            for (JsonNode statement : policy.path("PolicyDocument").path("Statement")) {
                if (statement.path("Action").asText().equals(action)) {
                    found.add(statement);
                }
            }
        }
        return found;
    }

    /** The secrets a function may read, and that it is told to read, in order. */
    private static void readsOnly(JsonNode resources, String function, List<JsonNode> secrets) {
        List<JsonNode> reads = statements(resources, function, "secretsmanager:GetSecretValue");
        assertEquals(1, reads.size(), function + ": one GetSecretValue statement");
        assertEquals(JSON.valueToTree(secrets), reads.get(0).path("Resource"), function + " may read");
        JsonNode id = resources.path(function).path("Properties").path("Environment").path("Variables")
                .path("TELNYX_SIP_SECRET_ID");
        JsonNode expected = secrets.size() == 1 ? secrets.get(0)
                : JSON.createObjectNode().set("Fn::Join", JSON.createArrayNode().add(",").add(JSON.valueToTree(secrets)));
        assertEquals(expected, id, function + "'s TELNYX_SIP_SECRET_ID");
        String all = resources.path(function + "Role").toString();
        assertFalse(all.contains("\"secretsmanager:*\"") || all.contains("\"Resource\":\"*\""), function + ": " + all);
    }

    @Test
    void theStacksOwnSecretsAreSplitByUseAndTheCredentialsFunctionCannotReadTheWebhookOne() throws Exception {
        JsonNode resources = deployed(Map.of());
        readsOnly(resources, "CredentialsFunction", List.of(ref("Secret"), ref("RedisSecret")));
        // start-recording delivers the call log of a call the page reports ended: the Web Backend key is the webhooks'
        readsOnly(resources, "StartRecordingFunction", List.of(ref("Secret"), ref("WebhookSecret"), ref("RedisSecret")));
        for (String function : WEBHOOK_FUNCTIONS) {
            readsOnly(resources, function, List.of(ref("WebhookSecret"), ref("RedisSecret")));
        }
        assertTrue(resources.has("WebhookSecret"));
        assertFalse(resources.path("WebhookSecret").path("Properties").toString().contains("INTERNAL_API_KEY"));
        for (String key : List.of("WEB_BACKEND_API_KEY", "TELNYX_WEBHOOK_PUBLIC_KEY", "CLIENT_STATE_KEY", "TELNYX_SIP_API_KEY")) {
            assertTrue(resources.path("WebhookSecret").path("Properties").path("SecretString").asText().contains(key), key);
        }
    }

    @Test
    void oneExistingSecretStillServesEveryFunctionAndAnExistingWebhookSecretSplitsIt() throws Exception {
        JsonNode single = deployed(Map.of("ExistingSecretArn", PAGE_ARN, "RedisUrl", "rediss://redis.example.internal:6379"));
        for (String function : PAGE_FUNCTIONS) {
            readsOnly(single, function, List.of(text(PAGE_ARN)));
        }
        for (String function : WEBHOOK_FUNCTIONS) {
            readsOnly(single, function, List.of(text(PAGE_ARN)));
        }
        assertFalse(single.has("Secret") || single.has("WebhookSecret") || single.has("RedisSecret"),
                "no secret created beside existing ones");

        JsonNode split = deployed(Map.of("ExistingSecretArn", PAGE_ARN, "ExistingWebhookSecretArn", HOOK_ARN));
        readsOnly(split, "CredentialsFunction", List.of(text(PAGE_ARN), ref("RedisSecret")));
        readsOnly(split, "StartRecordingFunction", List.of(text(PAGE_ARN), text(HOOK_ARN), ref("RedisSecret")));
        for (String function : WEBHOOK_FUNCTIONS) {
            readsOnly(split, function, List.of(text(HOOK_ARN), ref("RedisSecret")));
        }
    }

    @Test
    void kmsDecryptIsGrantedOnTheGivenKeyThroughSecretsManagerOnlyAndNotAtAllWithoutOne() throws Exception {
        JsonNode without = deployed(Map.of("ExistingSecretArn", PAGE_ARN));
        JsonNode with = deployed(Map.of("ExistingSecretArn", PAGE_ARN, "SecretsKmsKeyArn", KEY_ARN));
        for (String function : List.of("CredentialsFunction", "StartRecordingFunction", "CallStatusWebhookFunction",
                "RecordingWebhookFunction", "OutboxDrainFunction")) {
            assertEquals(List.of(), statements(without, function, "kms:Decrypt"), function + ": the AWS-managed key");
            assertFalse(without.path(function + "Role").toString().contains("kms:"), function);
            List<JsonNode> grants = statements(with, function, "kms:Decrypt");
            assertEquals(1, grants.size(), function);
            assertEquals(text(KEY_ARN), grants.get(0).path("Resource"), function + ": that key only, never *");
            assertEquals("{\"Fn::Sub\":\"secretsmanager.${AWS::Region}.${AWS::URLSuffix}\"}",
                    grants.get(0).path("Condition").path("StringEquals").path("kms:ViaService").toString(), function);
            assertEquals(1, grants.get(0).path("Condition").size(), function);
        }
    }

    @Test
    void theStacksRedisAdmitsOnlyItsUserGroupWhosePasswordComesFromTheRedisSecret() throws Exception {
        JsonNode resources = deployed(Map.of());
        JsonNode cache = resources.path("RedisCache").path("Properties");
        assertEquals(ref("RedisUserGroup"), cache.path("UserGroupId"));
        JsonNode group = resources.path("RedisUserGroup").path("Properties");
        assertEquals(JSON.valueToTree(List.of(ref("RedisDefaultUser"), ref("RedisDialerUser"))), group.path("UserIds"));
        JsonNode defaultUser = resources.path("RedisDefaultUser").path("Properties");
        assertEquals("default", defaultUser.path("UserName").asText());
        assertTrue(defaultUser.path("AccessString").asText().startsWith("off "), "the default user cannot log in");
        JsonNode dialer = resources.path("RedisDialerUser").path("Properties");
        assertEquals("password", dialer.path("AuthenticationMode").path("Type").asText());
        assertEquals("{\"Fn::Sub\":\"{{resolve:secretsmanager:${RedisSecret}:SecretString:REDIS_PASSWORD}}\"}",
                dialer.path("AuthenticationMode").path("Passwords").path(0).toString());
        JsonNode generated = resources.path("RedisSecret").path("Properties").path("GenerateSecretString");
        assertEquals("REDIS_PASSWORD", generated.path("GenerateStringKey").asText());
        assertTrue(generated.path("PasswordLength").asInt() >= 32);
        assertTrue(generated.path("ExcludePunctuation").asBoolean(), "ElastiCache refuses some punctuation");
        assertTrue(generated.path("SecretStringTemplate").toString().contains("REDIS_USERNAME"));
        assertEquals(dialer.path("UserName"), generated.path("SecretStringTemplate").path("Fn::Sub").path(1).path("User"),
                "the secret's REDIS_USERNAME is the user's name");
    }

    @Test
    void thePageIsServedWithItsSecurityHeadersPolicy() throws Exception {
        JsonNode resources = deployed(Map.of());
        JsonNode behaviour = resources.path("DialerDistribution").path("Properties").path("DistributionConfig")
                .path("DefaultCacheBehavior");
        assertEquals(ref("DialerResponseHeadersPolicy"), behaviour.path("ResponseHeadersPolicyId"));
        JsonNode headers = resources.path("DialerResponseHeadersPolicy").path("Properties")
                .path("ResponseHeadersPolicyConfig").path("SecurityHeadersConfig");
        String csp = headers.path("ContentSecurityPolicy").path("ContentSecurityPolicy").path("Fn::Sub").asText()
                .replaceAll("\\s+", " ");
        assertTrue(headers.path("ContentSecurityPolicy").path("Override").asBoolean());
        assertTrue(csp.contains("default-src 'none';"), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
        String connect = csp.substring(csp.indexOf("connect-src"), csp.indexOf(';', csp.indexOf("connect-src")));
        assertEquals("connect-src 'self' https://*.execute-api.${AWS::Region}.${AWS::URLSuffix} wss://rtc.telnyx.com"
                + " https://rtc.telnyx.com wss://*.rtc.telnyx.com https://*.rtc.telnyx.com", connect,
                "the API and Telnyx's signalling, nothing else (no bare https: or wss:)");
        String page = java.nio.file.Files.readString(Fixtures.root().resolve("static-dialer/src/index.html"));
        String meta = page.substring(page.indexOf("connect-src"), page.indexOf(';', page.indexOf("connect-src")));
        assertEquals(connect.replace(" https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}", ""), meta,
                "the page's own policy: the same Telnyx hosts; bin/deploy-dialer adds its API's origin after 'self'");
        assertEquals("DENY", headers.path("FrameOptions").path("FrameOption").asText());
        assertTrue(headers.path("ContentTypeOptions").path("Override").asBoolean());
        assertTrue(headers.path("StrictTransportSecurity").path("AccessControlMaxAgeSec").asInt() >= 31_536_000);
        assertEquals("no-referrer", headers.path("ReferrerPolicy").path("ReferrerPolicy").asText());
    }

    @Test
    void thePageRoutesAndTelnyxsWebhookRoutesAreThrottledApart() throws Exception {
        JsonNode stage = deployed(Map.of("PageRateLimit", "7", "WebhookRateLimit", "70")).path("ApiApiGatewayDefaultStage")
                .path("Properties");
        JsonNode page = stage.path("DefaultRouteSettings");
        assertEquals("7", page.path("ThrottlingRateLimit").asText(), "the page's routes (and any new one) by default");
        assertEquals("20", page.path("ThrottlingBurstLimit").asText(), "PageBurstLimit's default");
        JsonNode routes = stage.path("RouteSettings");
        for (String path : List.of("call-status", "recording")) {
            JsonNode route = routes.path("POST /aicallgo/api/v1/cold-call/webhook/telnyx/direct/" + path);
            assertEquals("70", route.path("ThrottlingRateLimit").asText(), path);
            assertEquals("100", route.path("ThrottlingBurstLimit").asText(), path + ": WebhookBurstLimit's default");
        }
        routes.fieldNames().forEachRemaining(key -> assertTrue(key.contains("/webhook/telnyx/"), key
                + ": only Telnyx's routes leave the page's default"));
    }

    @Test
    void aWebAclIsAttachedToTheDistributionOnlyWhenGiven() throws Exception {
        String acl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/coldcall/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        JsonNode none = deployed(Map.of()).path("DialerDistribution").path("Properties").path("DistributionConfig");
        assertFalse(none.has("WebACLId"), none.toString());
        JsonNode given = deployed(Map.of("WebAclArn", acl)).path("DialerDistribution").path("Properties")
                .path("DistributionConfig");
        assertEquals(acl, given.path("WebACLId").asText());
    }
}
