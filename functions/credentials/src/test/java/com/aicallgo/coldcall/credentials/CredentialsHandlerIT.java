package com.aicallgo.coldcall.credentials;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.Moto;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

class CredentialsHandlerIT {
    static final String TOKEN_PATH = "/v2/telephony_credentials/cred-0001/token";

    private final WireMockServer telnyx = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = MutableClock.now();
    private Map<String, String> env;

    @BeforeEach
    void start() {
        telnyx.start();
        telnyx.stubFor(post(TOKEN_PATH).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "text/plain")
                .withBody("eyJhbGciOiJSUzI1NiJ9.test-token.sig")));
        env = Fixtures.environment("redis://127.0.0.1:1", "http://127.0.0.1:9/unused", telnyx.baseUrl());
        // the shared-login modes, which need no Redis; RepCredentialsIT covers the default
        env.put("CREDENTIALS_MODE", "password");
    }

    @AfterEach
    void stop() {
        telnyx.stop();
        for (String key : new String[] {"TELNYX_SIP_PASSWORD", "INTERNAL_API_KEY", "TELNYX_SIP_API_KEY"}) {
            assertFalse(log.text().contains(env.getOrDefault(key, "-none-")), key + " leaked into the log");
        }
    }

    private CredentialsHandler handler() {
        return new CredentialsHandler(Fixtures.wiring("CredentialsFunction", env, clock, log));
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return Json.mapper().readTree(response.getBody());
    }

    @Test
    void answersTheSipLoginAndCallerIdUncached() throws Exception {
        APIGatewayV2HTTPResponse response = handler().handleRequest(Fixtures.event("credentials/get.json"), null);
        assertEquals(200, response.getStatusCode());
        assertEquals("no-store", response.getHeaders().get("Cache-Control"));
        JsonNode body = body(response);
        assertEquals("dev-sip-user", body.get("sip_username").asText());
        assertEquals(env.get("TELNYX_SIP_PASSWORD"), body.get("sip_password").asText());
        assertEquals("+15550000001", body.get("caller_number").asText());
        assertEquals("ok", body.get("status").asText());
        assertFalse(body.has("login_token"));
        assertTrue(telnyx.getAllServeEvents().isEmpty());
    }

    /** The credentials route's event, sent to {@code GET /dial-policy} instead. */
    private static com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent dialPolicy(String file) {
        var event = Fixtures.event(file);
        String path = com.aicallgo.coldcall.core.http.Endpoint.DIAL_POLICY.path();
        event.setRawPath(path);
        event.setRouteKey("GET " + path);
        event.getRequestContext().setRouteKey("GET " + path);
        event.getRequestContext().getHttp().setPath(path);
        return event;
    }

    @Test
    void servesTheDialPolicyBehindTheSameKey() throws Exception {
        env.put("DIAL_DENIED_PREFIXES", "+1202555");
        CredentialsHandler handler = handler();
        APIGatewayV2HTTPResponse response = handler.handleRequest(dialPolicy("credentials/get.json"), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("no-store", response.getHeaders().get("Cache-Control"));
        JsonNode body = body(response);
        assertEquals("[\"+1\"]", body.get("allowed_prefixes").toString());
        assertEquals("+15550000001", body.get("own_number").asText());
        assertEquals("sip.telnyx.com", body.get("sip_domain").asText());
        JsonNode denied = body.get("denied");
        assertEquals("+870", denied.get(0).get("prefix").asText());
        assertEquals("satellite", denied.get(0).get("rule").asText());
        assertEquals("+1202555", denied.get(denied.size() - 1).get("prefix").asText());
        assertEquals("operator_denied", denied.get(denied.size() - 1).get("rule").asText());
        assertFalse(body.has("sip_username"), "no credentials in the policy");
        for (String file : new String[] {"credentials/invalid-missing-api-key.json", "credentials/invalid-wrong-api-key.json"}) {
            APIGatewayV2HTTPResponse refused = handler.handleRequest(dialPolicy(file), null);
            assertEquals(401, refused.getStatusCode(), file);
            assertFalse(refused.getBody().contains("denied"));
        }
        assertTrue(telnyx.getAllServeEvents().isEmpty());
    }

    @Test
    void aMalformedDialSettingStopsTheFunctionNamingIt() {
        env.put("DIAL_ALLOWED_PREFIXES", "1-800");
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, this::handler);
        assertTrue(e.getMessage().contains("DIAL_ALLOWED_PREFIXES"), e.getMessage());
    }

    @Test
    void aMissingOrWrongKeyIs401() throws Exception {
        CredentialsHandler handler = handler();
        for (String file : new String[] {"credentials/invalid-missing-api-key.json", "credentials/invalid-wrong-api-key.json"}) {
            APIGatewayV2HTTPResponse response = handler.handleRequest(Fixtures.event(file), null);
            assertEquals(401, response.getStatusCode(), file);
            assertEquals("unauthorized", body(response).get("error").asText());
            assertFalse(response.getBody().contains("sip"));
        }
    }

    @Test
    void aConfiguredCredentialAddsALoginTokenMintedOncePerHour() throws Exception {
        env.put("TELNYX_SIP_CREDENTIAL_ID", "cred-0001");
        CredentialsHandler handler = handler();
        JsonNode first = body(handler.handleRequest(Fixtures.event("credentials/get.json"), null));
        assertEquals("eyJhbGciOiJSUzI1NiJ9.test-token.sig", first.get("login_token").asText());
        assertTrue(first.has("sip_password"));
        handler.handleRequest(Fixtures.event("credentials/get.json"), null);
        assertEquals(1, telnyx.findAll(postRequestedFor(urlEqualTo(TOKEN_PATH))).size());
        clock.advance(CredentialIssuer.TOKEN_REUSE.plusSeconds(1));
        handler.handleRequest(Fixtures.event("credentials/get.json"), null);
        assertEquals(2, telnyx.findAll(postRequestedFor(urlEqualTo(TOKEN_PATH))).size());
    }

    @Test
    void tokenModeLeavesThePasswordOut() throws Exception {
        env.put("TELNYX_SIP_CREDENTIAL_ID", "cred-0001");
        env.put("CREDENTIALS_MODE", "token");
        JsonNode body = body(handler().handleRequest(Fixtures.event("credentials/get.json"), null));
        assertFalse(body.has("sip_password"));
        assertTrue(body.has("login_token"));
    }

    @Test
    void telnyxRefusingATokenIs502() throws Exception {
        env.put("TELNYX_SIP_CREDENTIAL_ID", "cred-0001");
        telnyx.stubFor(post(TOKEN_PATH).willReturn(aResponse().withStatus(401)));
        APIGatewayV2HTTPResponse response = handler().handleRequest(Fixtures.event("credentials/get.json"), null);
        assertEquals(502, response.getStatusCode());
        assertEquals("telnyx_unavailable", body(response).get("error").asText());
    }

    @Test
    void readsTheSecretFromSecretsManager() throws Exception {
        String name = "cold-call/" + UUID.randomUUID();
        try (SecretsManagerClient admin = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(Moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build()) {
            admin.createSecret(r -> r.name(name).secretString(
                    "{\"TELNYX_SIP_USERNAME\":\"gencred-from-secret\",\"TELNYX_SIP_PASSWORD\":\"pw-from-secret\","
                            + "\"INTERNAL_API_KEY\":\"dev-internal-api-key\"}"));
        }
        env.keySet().removeIf(key -> key.startsWith("TELNYX_SIP_USERNAME") || key.equals("TELNYX_SIP_PASSWORD"));
        env.put("TELNYX_SIP_SECRET_ID", name);
        env.put("AWS_ENDPOINT_URL", Moto.endpoint());
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        JsonNode body = body(handler().handleRequest(Fixtures.event("credentials/get.json"), null));
        assertEquals("gencred-from-secret", body.get("sip_username").asText());
        assertFalse(log.text().contains("pw-from-secret"));
    }

    @Test
    void theLambdaJarCarriesTheHandler() throws Exception {
        Path jar = Fixtures.root().resolve("functions/credentials/target/credentials-function.jar");
        assertTrue(Files.isRegularFile(jar), "built by mvn package before the ITs");
        try (JarFile file = new JarFile(jar.toFile())) {
            assertTrue(file.stream().noneMatch(entry -> entry.getName().startsWith("org/bouncycastle/")),
                    "no webhook verification in the credentials jar");
            assertTrue(file.getEntry("com/aicallgo/coldcall/credentials/CredentialsHandler.class") != null);
            assertTrue(file.getEntry("io/lettuce/core/RedisClient.class") != null, "the rep mode writes Reps to Redis");
        }
        assertTrue(RequestStreamHandler.class.isAssignableFrom(CredentialsHandler.class));
    }
}
