package com.aicallgo.coldcall.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The template as AWS runs it over time: a second deploy, a second stack in the VPC, an existing secret or Redis.
 * The version checks translate {@code template.yaml} with aws-sam-translator, as CloudFormation's SAM transform does.
 */
class TemplateLifecycleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Required parameters, at realistic lengths. */
    private static final Map<String, String> BASE = Map.of(
            "SipConnectionId", "2839481102938475610",
            "SipPhoneNumber", "+14083572311",
            "WebBackendUrl", "https://api.example-backend.com",
            "BusinessId", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            "VpcId", "vpc-0123456789abcdef0",
            "PrivateSubnetIds", "subnet-0123456789abcdef0,subnet-0fedcba9876543210");

    private static Map<String, String> with(String name, String value) {
        Map<String, String> params = new LinkedHashMap<>(BASE);
        params.put(name, value);
        return params;
    }

    /** Per function: the logical id of its version and that version's resolved description. */
    private static JsonNode versions(Path template, Map<String, String> params) throws Exception {
        Path script = Path.of(TemplateLifecycleIT.class.getResource("/sam-versions.py").toURI());
        Process process = new ProcessBuilder("python3", script.toString(), template.toString(),
                JSON.writeValueAsString(params)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "aws-sam-translator did not finish");
        assertEquals(0, process.exitValue(), "sam-versions.py failed (aws-sam-translator and cfn-lint installed?)");
        JsonNode versions = JSON.readTree(out);
        assertEquals(5, versions.size(), "every function has a published version: " + versions);
        return versions;
    }

    private static String template() throws IOException {
        return Files.readString(Fixtures.root().resolve("template.yaml"));
    }

    @Test
    void anyParameterThatReachesAFunctionPublishesANewVersionOfIt() throws Exception {
        Path template = Fixtures.root().resolve("template.yaml");
        JsonNode before = versions(template, BASE);
        assertEquals(before, versions(template, BASE), "the same parameters: the same versions (nothing published)");
        for (Map.Entry<String, String> change : Map.of(
                "SipCredentialId", "4b1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
                "CredentialsMode", "token",
                "WebBackendUrl", "https://api2.example-backend.com",
                "AutoRecord", "false",
                "RedisUrl", "rediss://master.coldcall.abc123.use1.cache.amazonaws.com:6379",
                "SecretsManagerEndpointUrl", "https://vpce-0abc-1xyz.secretsmanager.us-east-1.vpce.amazonaws.com",
                "ExistingSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:coldcall-Ab1Cd2",
                "ExistingWebhookSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:coldcall-hook-Ef3Gh4",
                "Stage", "prod").entrySet()) {
            JsonNode after = versions(template, with(change.getKey(), change.getValue()));
            before.fieldNames().forEachRemaining(function -> assertNotEquals(before.get(function), after.get(function),
                    function + ": changing " + change.getKey() + " must publish a version"));
        }
    }

    @Test
    void aChangedSettingWrittenInTheTemplateChangesTheVersionsLogicalId(@TempDir Path dir) throws Exception {
        String text = template();
        assertTrue(text.contains("    Timeout: 10\n"), "Globals Timeout");
        Path changed = dir.resolve("template.yaml");
        Files.writeString(changed, text.replace("    Timeout: 10\n", "    Timeout: 12\n"));
        JsonNode before = versions(Fixtures.root().resolve("template.yaml"), BASE);
        JsonNode after = versions(changed, BASE);
        for (String function : List.of("CredentialsFunction", "StartRecordingFunction", "CallStatusWebhookFunction",
                "RecordingWebhookFunction")) {
            assertNotEquals(before.get(function).get("logical_id"), after.get(function).get("logical_id"), function);
        }
    }

    /** Every parameter a function's environment or network uses is in its VersionDescription. */
    @Test
    void everyParameterInAFunctionsConfigurationIsInItsVersionDescription() throws IOException {
        String text = template();
        String globals = text.substring(text.indexOf("\nGlobals:"), text.indexOf("\nResources:"));
        String vpc = text.substring(text.indexOf("      VpcConfig:"), text.indexOf("      Policies:", text.indexOf("      VpcConfig:")));
        Matcher version = Pattern.compile("VersionDescription: !Sub\\n\\s+- \"([^\"]+)\"").matcher(text);
        int found = 0;
        while (version.find()) {
            found++;
            String description = version.group(1);
            Matcher ref = Pattern.compile("!Ref (\\w+)|\\$\\{(\\w+)}").matcher(globals + vpc);
            while (ref.find()) {
                String name = ref.group(1) != null ? ref.group(1) : ref.group(2);
                if (!text.contains("\n  " + name + ":\n    Type:") || text.indexOf("\n  " + name + ":\n") > text.indexOf("\nConditions:")) {
                    continue; // a resource or pseudo parameter, not a parameter
                }
                String as = Map.of("PrivateSubnetIds", "Subnets", "ExistingSecretArn", "SecretName").getOrDefault(name, name);
                assertTrue(description.contains("${" + as + "}"),
                        "VersionDescription lacks " + name);
            }
            assertTrue(description.contains("${SecretName}") && text.contains("!Select [6, !Split [\":\", !Ref ExistingSecretArn]]"),
                    "VersionDescription lacks ExistingSecretArn");
            assertTrue(description.contains("${WebhookSecretName}")
                    && text.contains("!Select [6, !Split [\":\", !Ref ExistingWebhookSecretArn]]"),
                    "VersionDescription lacks ExistingWebhookSecretArn (it changes TELNYX_SIP_SECRET_ID)");
            for (String name : List.of("RedisUrl", "CreateSecretsManagerEndpoint", "SecretsManagerEndpointUrl")) {
                assertTrue(description.contains("${" + name + "}"), "VersionDescription lacks " + name + " (used through a condition)");
            }
        }
        assertEquals(5, found, "one VersionDescription per function");
    }

    /**
     * Lambda refuses a description over 256 characters: usual values fit, with an existing secret and this stack's
     * cache (docs/deploy.md part 3 says what fits with an existing Redis as well).
     */
    @Test
    void theVersionDescriptionFitsLambdasLimitWithUsualLongValues() throws Exception {
        Map<String, String> params = new LinkedHashMap<>(BASE);
        params.put("SipCredentialId", "4b1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
        params.put("CredentialsMode", "password");
        params.put("ExistingSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:coldcall-Ab1Cd2");
        JsonNode versions = versions(Fixtures.root().resolve("template.yaml"), params);
        versions.fields().forEachRemaining(entry -> {
            int length = entry.getValue().get("description").asText().length();
            assertTrue(length <= 256, entry.getKey() + " version description is " + length + " characters");
        });
    }

    @Test
    void theSecretsEndpointHasNoPrivateDnsAndTheFunctionsAreGivenItsAddress() throws IOException {
        String text = template();
        assertTrue(text.contains("      PrivateDnsEnabled: false\n"), "no private DNS: it would take over the VPC's name");
        assertFalse(text.contains("PrivateDnsEnabled: true"));
        String globals = text.substring(text.indexOf("\nGlobals:"), text.indexOf("\nResources:"));
        assertTrue(globals.contains("AWS_ENDPOINT_URL_SECRETS_MANAGER: !If\n          - CreateSecretsEndpoint"), globals);
        assertTrue(globals.contains("!GetAtt SecretsManagerEndpoint.DnsEntries"), "our endpoint's own DNS name");
        assertTrue(globals.contains("- !Ref SecretsManagerEndpointUrl"), "an existing endpoint's URL");
        // the AWS SDK fails on an empty endpoint variable: the fallback is the regional name
        assertTrue(globals.contains("!Sub \"https://secretsmanager.${AWS::Region}.${AWS::URLSuffix}\""), globals);
    }

    @Test
    void redisUrlIsNoEchoCarriesNoTokenAndNoOutputRepeatsIt() throws IOException {
        String text = template();
        String parameter = text.substring(text.indexOf("\n  RedisUrl:\n"), text.indexOf("\n  RedisCluster:\n"));
        assertTrue(parameter.contains("    NoEcho: true\n"), parameter);
        Matcher pattern = Pattern.compile("AllowedPattern: \"(.*)\"").matcher(parameter);
        assertTrue(pattern.find());
        Pattern allowed = Pattern.compile(pattern.group(1).replace("\\\\", "\\"));
        assertTrue(allowed.matcher("").matches());
        assertTrue(allowed.matcher("rediss://master.x.abc.use1.cache.amazonaws.com:6379").matches());
        assertFalse(allowed.matcher("rediss://:s3cret@master.x.abc.use1.cache.amazonaws.com:6379").matches(), "a token");
        assertFalse(allowed.matcher("rediss://default:s3cret@host:6379").matches(), "a user and password");
        assertFalse(allowed.matcher("redis://host:6379").matches(), "no TLS");
        String outputs = text.substring(text.indexOf("\nOutputs:"));
        assertFalse(outputs.contains("Ref RedisUrl") || outputs.contains("${RedisUrl}"), "an output repeats RedisUrl");
    }

    @Test
    void lambdasStartReportAndRestoreLinesAreKept() throws IOException {
        String text = template();
        assertTrue(text.contains("      SystemLogLevel: INFO\n"), "WARN drops START/REPORT/RESTORE");
        assertFalse(text.contains("SystemLogLevel: WARN"));
        assertFalse(text.contains("SystemLogLevel: ERROR"));
    }

    @Test
    void theAccessLogGroupIsUnderVendedLogs() throws IOException {
        String text = template();
        String group = text.substring(text.indexOf("\n  ApiAccessLogGroup:\n"));
        group = group.substring(0, group.indexOf("\n\n"));
        assertTrue(group.contains("LogGroupName: !Sub /aws/vendedlogs/"), group);
        assertTrue(text.contains("DestinationArn: !GetAtt ApiAccessLogGroup.Arn"));
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
