package com.aicallgo.coldcall.core.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.Moto;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

class SecretsManagerProviderIT {
    static SecretsManagerClient admin() {
        return SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(Moto.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    static Map<String, String> env(String secretId) {
        Map<String, String> env = new HashMap<>();
        env.put("TELNYX_SIP_SECRET_ID", secretId);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", Moto.endpoint());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        return env;
    }

    @Test
    void readsTheSecretOnceAndAgainAfterItsTtl() {
        String name = "cold-call/" + UUID.randomUUID();
        try (SecretsManagerClient admin = admin()) {
            admin.createSecret(r -> r.name(name).secretString(
                    "{\"INTERNAL_API_KEY\":\"first\",\"TELNYX_SIP_USERNAME\":\"gencred1\",\"TELNYX_SIP_PASSWORD\":\"pw\"}"));
            MutableClock clock = MutableClock.now();
            Map<String, String> env = env(name);
            env.put("WEB_BACKEND_API_KEY", "from-env");
            Wiring wiring = new Wiring("test", env, clock, new Fixtures.Log().stream());
            SecretsProvider secrets = wiring.secrets();
            assertEquals("first", secrets.current().internalApiKey());
            assertEquals("gencred1", secrets.current().sipUsername());
            assertEquals("from-env", secrets.current().webBackendApiKey(), "a key missing in the secret falls back to env");

            admin.putSecretValue(r -> r.secretId(name).secretString("{\"INTERNAL_API_KEY\":\"second\"}"));
            assertEquals("first", secrets.current().internalApiKey(), "cached within the TTL");
            clock.advance(Duration.ofSeconds(301));
            assertEquals("second", secrets.current().internalApiKey(), "read again after the TTL");
        }
    }

    @Test
    void aCommaSeparatedListIsReadAndMergedInOrderLaterNonBlankValuesWinning() {
        String shared = "cold-call/" + UUID.randomUUID();
        String own = "cold-call/" + UUID.randomUUID();
        try (SecretsManagerClient admin = admin()) {
            admin.createSecret(r -> r.name(shared).secretString("{\"TELNYX_SIP_API_KEY\":\"telnyx\","
                    + "\"INTERNAL_API_KEY\":\"old\",\"REDIS_PASSWORD\":\"redis-pw\",\"WEB_BACKEND_API_KEY\":\"\"}"));
            admin.createSecret(r -> r.name(own).secretString("{\"INTERNAL_API_KEY\":\"new\",\"TELNYX_SIP_API_KEY\":\"\","
                    + "\"REDIS_USERNAME\":\"dialer\"}"));
            Map<String, String> env = env(" " + shared + " , " + own + " ,");
            env.put("WEB_BACKEND_API_KEY", "from-env");
            Secrets secrets = new Wiring("test", env, MutableClock.now(), new Fixtures.Log().stream()).secrets().current();
            assertEquals("new", secrets.internalApiKey(), "the later secret wins");
            assertEquals("telnyx", secrets.telnyxApiKey(), "a blank value never wins");
            assertEquals("dialer", secrets.redisUsername());
            assertEquals("redis-pw", secrets.redisPassword());
            assertEquals("from-env", secrets.webBackendApiKey(), "a key blank in every secret falls back to env");
            assertEquals("secrets " + shared + ", " + own, secrets.source());
            assertFalse(secrets.toString().contains("redis-pw"), secrets.toString());
        }
    }

    @Test
    void oneUnreadableSecretOfTheListIsUnavailableAndNamed() {
        String shared = "cold-call/" + UUID.randomUUID();
        try (SecretsManagerClient admin = admin()) {
            admin.createSecret(r -> r.name(shared).secretString("{\"INTERNAL_API_KEY\":\"k\"}"));
            Wiring wiring = new Wiring("test", env(shared + ",cold-call/not-granted"), MutableClock.now(),
                    new Fixtures.Log().stream());
            SecretsUnavailableException e = assertThrows(SecretsUnavailableException.class,
                    () -> wiring.secrets().current());
            assertTrue(e.getMessage().contains("cold-call/not-granted"), e.getMessage());
        }
    }

    /**
     * Lambda's credentials endpoint under SnapStart, answered by {@code handler}: no keys in the environment, the
     * endpoint wants its token in Authorization. The SDK reads both settings as system properties before the
     * environment, so they are set here and cleared on close.
     */
    private record ContainerEndpoint(HttpServer server, String uri) implements AutoCloseable {
        static ContainerEndpoint start(HttpHandler handler) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/2018-06-01/credentials", handler);
            server.start();
            String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/2018-06-01/credentials";
            System.setProperty("aws.containerCredentialsFullUri", uri);
            System.setProperty("aws.containerAuthorizationToken", "container-token-not-real");
            return new ContainerEndpoint(server, uri);
        }

        /** The wiring of a function reading {@code secretName} with its keys from this endpoint only. */
        Wiring wiring(String secretName) {
            Map<String, String> env = env(secretName);
            env.remove("AWS_ACCESS_KEY_ID");
            env.remove("AWS_SECRET_ACCESS_KEY");
            env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri);
            return new Wiring("test", env, MutableClock.now(), new Fixtures.Log().stream());
        }

        @Override
        public void close() {
            System.clearProperty("aws.containerCredentialsFullUri");
            System.clearProperty("aws.containerAuthorizationToken");
            server.stop(0);
        }
    }

    @Test
    void underSnapStartTheKeysComeFromLambdasContainerEndpoint() throws Exception {
        String name = "cold-call/" + UUID.randomUUID();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        try (ContainerEndpoint endpoint = ContainerEndpoint.start(exchange -> {
                    authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                    byte[] body = ("{\"AccessKeyId\":\"ASIACONTAINER\",\"SecretAccessKey\":\"container-secret-not-real\","
                            + "\"Token\":\"container-session-not-real\",\"Expiration\":\""
                            + Instant.now().plus(Duration.ofHours(1)) + "\"}").getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
                SecretsManagerClient admin = admin()) {
            admin.createSecret(r -> r.name(name).secretString("{\"INTERNAL_API_KEY\":\"from-the-secret\"}"));
            Wiring wiring = endpoint.wiring(name);
            assertEquals("from-the-secret", wiring.secrets().current().internalApiKey());
            assertEquals(List.of("container-token-not-real"), authorizations);
            assertEquals(ContainerCredentialsProvider.class, SecretsManagerClients.credentials(wiring.config().aws()).getClass());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"drips", "spec-minimal"})
    void aContainerEndpointThatDripsOrAnswersTooLittleGetsAClearFailureInTime(String peer) throws Exception {
        // drips: a whole, valid answer, one byte every 300 ms (about 30 s); spec-minimal: no Expiration, which the
        // SDK turns into a NullPointerException. Either way the read ends within its 2 s deadline, as unavailable.
        String name = "cold-call/" + UUID.randomUUID();
        String answer = "{\"AccessKeyId\":\"ASIADRIP\",\"SecretAccessKey\":\"drip-secret-not-real\","
                + "\"Token\":\"drip-token-not-real\"" + (peer.equals("drips")
                        ? ",\"Expiration\":\"" + Instant.now().plus(Duration.ofHours(1)) + "\"}" : "}");
        try (ContainerEndpoint endpoint = ContainerEndpoint.start(exchange -> {
                    byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    try {
                        for (byte b : body) {
                            exchange.getResponseBody().write(b);
                            exchange.getResponseBody().flush();
                            if (peer.equals("drips")) {
                                Thread.sleep(300);
                            }
                        }
                    } catch (InterruptedException | IOException e) {
                        // the client gave up, or the test is over
                    }
                    exchange.close();
                });
                SecretsManagerClient admin = admin()) {
            admin.createSecret(r -> r.name(name).secretString("{\"INTERNAL_API_KEY\":\"k\"}"));
            Wiring wiring = endpoint.wiring(name);
            long started = System.nanoTime();
            SecretsUnavailableException e = assertThrows(SecretsUnavailableException.class,
                    () -> wiring.secrets().current());
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 2_500, peer + ": the read took " + millis + " ms");
            assertTrue(e.getMessage().contains(name), e.getMessage());
            assertFalse(e.getMessage().contains("drip-secret-not-real") || e.getMessage().contains("drip-token-not-real"),
                    e.getMessage());
        }
    }

    @Test
    void aMissingSecretIsUnavailableNotACrash() {
        Wiring wiring = new Wiring("test", env("cold-call/does-not-exist"), MutableClock.now(), new Fixtures.Log().stream());
        SecretsUnavailableException e = assertThrows(SecretsUnavailableException.class, () -> wiring.secrets().current());
        assertEquals(true, e.getMessage().contains("cold-call/does-not-exist"));
    }
}
