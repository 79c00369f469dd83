package com.aicallgo.coldcall.credentials;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.Moto;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The default mode: each rep's own telephony credential on our connection, against WireMock's Telnyx. */
class RepCredentialsIT {
    static final int DB = 14;
    static final String CREDENTIALS = "/v2/telephony_credentials";
    static final String CONNECTION = "dev-connection-0000";
    static final String ALICE_KEY = "dev-alice-key-NOT-REAL";
    static final String BOB_KEY = "dev-bob-key-NOT-REAL";
    /** What Telnyx answers on create: the password is never read, never logged, never handed out. */
    static final String TELNYX_SIP_PASSWORD = "pw-telnyx-made-NOT-REAL";

    private final WireMockServer telnyx = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = MutableClock.now();
    private final List<Wiring> wirings = new ArrayList<>();
    private Map<String, String> env;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        telnyx.start();
        env = Fixtures.environment(TestRedis.url(DB), "http://127.0.0.1:9/unused", telnyx.baseUrl());
        env.remove("CREDENTIALS_MODE");
        for (String rep : List.of("alice", "bob", "shared")) {
            telnyx.stubFor(get(urlPathEqualTo(CREDENTIALS)).withQueryParam("filter[name]", equalTo(name(rep)))
                    .willReturn(json(200, "{\"data\":[],\"meta\":{\"total_results\":0}}")));
            telnyx.stubFor(post(urlEqualTo(CREDENTIALS)).withRequestBody(matchingJsonPath("$.name", equalTo(name(rep))))
                    .willReturn(json(201, described(name(rep), "cred-" + rep, "gencred" + rep, CONNECTION, false))));
            telnyx.stubFor(post(urlEqualTo(CREDENTIALS + "/cred-" + rep + "/token")).willReturn(aResponse()
                    .withStatus(201).withHeader("Content-Type", "text/plain").withBody("eyJ.token-of-" + rep + ".sig")));
        }
    }

    @AfterEach
    void stop() {
        wirings.forEach(wiring -> wiring.redis().close());
        telnyx.stop();
        for (String secret : List.of(ALICE_KEY, BOB_KEY, TELNYX_SIP_PASSWORD, env.get("TELNYX_SIP_API_KEY"),
                Fixtures.devEnvironment().get("INTERNAL_API_KEY"))) {
            assertFalse(log.text().contains(secret), "a secret leaked into the log");
        }
    }

    static String name(String rep) {
        return "cold-call-dev-" + rep;
    }

    static String described(String name, String id, String sipUsername, String connection, boolean expired) {
        return "{\"data\":{\"id\":\"" + id + "\",\"record_type\":\"credential\",\"name\":\"" + name + "\","
                + "\"resource_id\":\"connection:" + connection + "\",\"expired\":" + expired + ",\"sip_username\":\""
                + sipUsername + "\",\"sip_password\":\"" + TELNYX_SIP_PASSWORD + "\",\"created_at\":\"2026-01-01T00:00:00Z\"}}";
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private CredentialsHandler handler() {
        Wiring wiring = Fixtures.wiring("CredentialsFunction", env, clock, log);
        wirings.add(wiring);
        return new CredentialsHandler(wiring);
    }

    private static APIGatewayV2HTTPResponse ask(CredentialsHandler handler, String key) {
        APIGatewayV2HTTPEvent event = Fixtures.event("credentials/get.json");
        event.setHeaders(new HashMap<>(Map.of("x-api-key", key)));
        return handler.handleRequest(event, null);
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return Json.mapper().readTree(response.getBody());
    }

    private List<LoggedRequest> creates() {
        return telnyx.findAll(postRequestedFor(urlEqualTo(CREDENTIALS)));
    }

    private int lists() {
        return telnyx.findAll(getRequestedFor(urlPathEqualTo(CREDENTIALS))).size();
    }

    @Test
    void firstUseCreatesTheRepsOwnCredentialAndHandsOutOnlyAToken() throws Exception {
        APIGatewayV2HTTPResponse response = ask(handler(), ALICE_KEY);
        assertEquals(200, response.getStatusCode(), response.getBody());
        JsonNode body = body(response);
        assertEquals("gencredalice", body.get("sip_username").asText());
        assertEquals("eyJ.token-of-alice.sig", body.get("login_token").asText());
        assertFalse(body.has("sip_password"));
        assertFalse(response.getBody().contains(TELNYX_SIP_PASSWORD));
        assertEquals(1, creates().size());
        JsonNode sent = Json.mapper().readTree(creates().get(0).getBodyAsString());
        assertEquals(CONNECTION, sent.get("connection_id").asText());
        assertEquals(name("alice"), sent.get("name").asText());
        assertEquals("Bearer " + env.get("TELNYX_SIP_API_KEY"), creates().get(0).getHeader("Authorization"));
        // webhooks name the SIP user: Redis says whose it is, for longer than a token lives
        assertEquals("alice", TestRedis.with(DB, redis -> redis.get("cold_call_rep_of_sip:{gencredalice}")));
        long ttl = TestRedis.with(DB, redis -> redis.ttl("cold_call_rep_of_sip:{gencredalice}"));
        assertTrue(ttl > Duration.ofHours(24).toSeconds() && ttl <= CredentialIssuer.REP_OF_SIP_TTL.toSeconds(), "ttl " + ttl);
        assertTrue(log.text().contains("\"rep\":\"alice\""), "the request's log line names the rep");
    }

    @Test
    void aWarmContainerAsksTelnyxNothingAndANewOneFindsTheCredentialByName() throws Exception {
        CredentialsHandler warm = handler();
        ask(warm, ALICE_KEY);
        ask(warm, ALICE_KEY);
        assertEquals(1, lists());
        assertEquals(1, creates().size());
        assertEquals(1, telnyx.findAll(postRequestedFor(urlEqualTo(CREDENTIALS + "/cred-alice/token"))).size(),
                "one token per rep per hour");

        // Telnyx now lists it, beside look-alikes that must not be taken: an expired one, another connection's,
        // and a name the filter matched loosely
        telnyx.stubFor(get(urlPathEqualTo(CREDENTIALS)).withQueryParam("filter[name]", equalTo(name("alice")))
                .willReturn(json(200, "{\"data\":["
                        + inner(described(name("alice"), "cred-expired", "gencredold", CONNECTION, true)) + ","
                        + inner(described(name("alice"), "cred-elsewhere", "gencredother", "other-connection", false)) + ","
                        + inner(described(name("alice") + "x", "cred-alicex", "gencredalicex", CONNECTION, false)) + ","
                        + inner(described(name("alice"), "cred-alice", "gencredalice", CONNECTION, false)) + "]}")));
        JsonNode body = body(ask(handler(), ALICE_KEY));
        assertEquals("gencredalice", body.get("sip_username").asText());
        assertEquals(1, creates().size(), "found by name, not created again");
        assertEquals(2, lists());

        clock.advance(CredentialIssuer.CREDENTIAL_REUSE.plusSeconds(1));
        ask(warm, ALICE_KEY);
        assertEquals(3, lists(), "looked up again after an hour");
        assertEquals(3, telnyx.findAll(postRequestedFor(urlEqualTo(CREDENTIALS + "/cred-alice/token"))).size(),
                "one per container per hour: the warm one's, the new one's, the warm one's an hour on");
    }

    private static String inner(String described) {
        return described.substring("{\"data\":".length(), described.length() - 1);
    }

    @Test
    void twoRepsGetTwoCredentialsAndTheirOwnTokens() throws Exception {
        CredentialsHandler handler = handler();
        JsonNode alice = body(ask(handler, ALICE_KEY));
        JsonNode bob = body(ask(handler, BOB_KEY));
        assertNotEquals(alice.get("sip_username").asText(), bob.get("sip_username").asText());
        assertEquals("eyJ.token-of-alice.sig", alice.get("login_token").asText());
        assertEquals("eyJ.token-of-bob.sig", bob.get("login_token").asText());
        assertEquals(2, creates().size());
        assertEquals("bob", TestRedis.with(DB, redis -> redis.get("cold_call_rep_of_sip:{gencredbob}")));
        assertEquals("alice", TestRedis.with(DB, redis -> redis.get("cold_call_rep_of_sip:{gencredalice}")));
        // the shared key is one more rep, with its own credential: never a colleague's
        JsonNode shared = body(ask(handler, env.get("INTERNAL_API_KEY")));
        assertEquals(name("shared"), Json.mapper().readTree(creates().get(2).getBodyAsString()).get("name").asText());
        assertEquals("gencredshared", shared.get("sip_username").asText());
    }

    @Test
    void telnyxDownIsAClearErrorWithinTheBudget() throws Exception {
        telnyx.stubFor(get(urlPathEqualTo(CREDENTIALS)).willReturn(aResponse().withFixedDelay(10_000)));
        long started = System.nanoTime();
        APIGatewayV2HTTPResponse slow = ask(handler(), ALICE_KEY);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(502, slow.getStatusCode());
        assertEquals("telnyx_unavailable", body(slow).get("error").asText());
        assertTrue(millis < 5_000, "answered in " + millis + " ms");

        telnyx.stubFor(get(urlPathEqualTo(CREDENTIALS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertEquals(502, ask(handler(), ALICE_KEY).getStatusCode());
        telnyx.stubFor(get(urlPathEqualTo(CREDENTIALS)).willReturn(json(200, "{\"data\":[]}")));
        telnyx.stubFor(post(urlEqualTo(CREDENTIALS)).willReturn(json(422, "{\"errors\":[{\"code\":\"10015\"}]}")));
        assertEquals(502, ask(handler(), ALICE_KEY).getStatusCode());
        telnyx.stubFor(post(urlEqualTo(CREDENTIALS)).willReturn(json(201, "{\"data\":" + TELNYX_SIP_PASSWORD + "}")));
        APIGatewayV2HTTPResponse garbled = ask(handler(), ALICE_KEY);
        assertEquals(502, garbled.getStatusCode());
        assertFalse(garbled.getBody().contains(TELNYX_SIP_PASSWORD));
        assertFalse(TestRedis.with(DB, redis -> redis.exists("cold_call_rep_of_sip:{gencredalice}")) > 0);
    }

    @Test
    void aTokenRefusedForACachedCredentialLooksItUpAgain() throws Exception {
        CredentialsHandler handler = handler();
        ask(handler, ALICE_KEY);
        telnyx.stubFor(post(urlEqualTo(CREDENTIALS + "/cred-alice/token")).willReturn(json(404, "{}")));
        clock.advance(CredentialIssuer.TOKEN_REUSE.plusSeconds(1));
        assertEquals(502, ask(handler, ALICE_KEY).getStatusCode());
        int before = lists();
        ask(handler, ALICE_KEY);
        assertEquals(before + 1, lists(), "the credential was deleted in the portal? ask Telnyx again");
    }

    @Test
    void redisDownIs503AndNoCredentialIsHandedOutUnattributed() throws Exception {
        env.put("REDIS_URL", "redis://127.0.0.1:1");
        APIGatewayV2HTTPResponse response = ask(handler(), ALICE_KEY);
        assertEquals(503, response.getStatusCode());
        assertEquals("store_unavailable", body(response).get("error").asText());
        assertFalse(response.getBody().contains("token"));
    }

    @Test
    void aWrongKeyAsksTelnyxNothing() throws Exception {
        APIGatewayV2HTTPResponse response = ask(handler(), ALICE_KEY + "x");
        assertEquals(401, response.getStatusCode());
        assertEquals(0, lists() + creates().size());
        assertTrue(log.text().contains("fingerprint"));
    }

    @Test
    void aRepRemovedFromTheSecretIsRefusedOnceTheCacheExpires() throws Exception {
        String secretName = "cold-call/" + UUID.randomUUID();
        try (SecretsManagerClient admin = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(Moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build()) {
            admin.createSecret(r -> r.name(secretName).secretString("{\"INTERNAL_API_KEYS\":{\"alice\":\"" + ALICE_KEY
                    + "\",\"bob\":\"" + BOB_KEY + "\"}}"));
            env.remove("INTERNAL_API_KEYS");
            env.remove("INTERNAL_API_KEY");
            env.put("TELNYX_SIP_SECRET_ID", secretName);
            env.put("SECRETS_TTL_SECONDS", "60");
            env.put("AWS_ENDPOINT_URL", Moto.endpoint());
            env.put("AWS_ACCESS_KEY_ID", "test");
            env.put("AWS_SECRET_ACCESS_KEY", "test");
            CredentialsHandler handler = handler();
            assertEquals(200, ask(handler, BOB_KEY).getStatusCode());

            // bob leaves: his entry is removed from the secret (the nested object, as the console edits it)
            admin.putSecretValue(r -> r.secretId(secretName).secretString("{\"INTERNAL_API_KEYS\":{\"alice\":\""
                    + ALICE_KEY + "\"}}"));
            assertEquals(200, ask(handler, BOB_KEY).getStatusCode(), "within SECRETS_TTL_SECONDS the old keyring holds");
            clock.advance(Duration.ofSeconds(61));
            APIGatewayV2HTTPResponse refused = ask(handler, BOB_KEY);
            assertEquals(401, refused.getStatusCode());
            assertEquals("unauthorized", body(refused).get("error").asText());
            assertEquals(200, ask(handler, ALICE_KEY).getStatusCode());
        }
    }
}
