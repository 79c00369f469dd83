package com.aicallgo.coldcall.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis that requires a login, as the stack's ElastiCache does: a {@code requirepass} default user and an ACL user
 * (ElastiCache's RBAC is Redis ACLs). The login comes from the secret keys {@code REDIS_USERNAME} and
 * {@code REDIS_PASSWORD} (here from the environment, as in local work); a wrong one is a clear 503, never a password
 * in a message or a log line.
 */
class RedisAuthIT {
    private static final String DEFAULT_PASSWORD = "default-pw-not-real-0123456789";
    private static final String USER = "dialer";
    private static final String USER_PASSWORD = "dialer-pw-not-real-9876543210";
    private static final String WRONG_PASSWORD = "wrong-pw-not-real-5555555555";
    private static Process redis;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory("redis-auth-" + port);
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--requirepass", DEFAULT_PASSWORD)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        url = "redis://127.0.0.1:" + port;
        Instant deadline = Instant.now().plusSeconds(15);
        while (cli(port, "ACL", "SETUSER", USER, "on", ">" + USER_PASSWORD, "~*", "+@all") != 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("redis-server did not start");
            }
            Thread.sleep(100);
        }
        // a cold JVM on a busy machine can take longer than a command's 1.5 s to load Lettuce's connect path: load it
        // once here, so each test's deadline measures Redis, not class loading
        try (Redis warm = Redis.create(url, false, new com.aicallgo.coldcall.core.time.Budget(),
                () -> new Redis.Login(USER, USER_PASSWORD))) {
            for (int attempt = 0; ; attempt++) {
                try {
                    warm.ping();
                    break;
                } catch (StoreUnavailable e) {
                    if (attempt == 5) {
                        throw e;
                    }
                }
            }
        }
    }

    private static int cli(int port, String... command) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port),
                "--no-auth-warning", "-a", DEFAULT_PASSWORD));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        return process.waitFor() == 0 && out.strip().equals("OK") ? 0 : 1;
    }

    @AfterAll
    static void stop() {
        redis.destroy();
    }

    private static Map<String, String> env(String username, String password) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", url);
        if (username != null) {
            env.put("REDIS_USERNAME", username);
        }
        if (password != null) {
            env.put("REDIS_PASSWORD", password);
        }
        return env;
    }

    @Test
    void anAclUserWithItsPasswordFromTheSecretKeysConnects() {
        Wiring wiring = new Wiring("test", env(USER, USER_PASSWORD), MutableClock.now(), new Fixtures.Log().stream());
        try (Redis store = wiring.redis()) {
            Calls calls = new Calls(store, Duration.ofSeconds(60));
            assertTrue(calls.read(new com.aicallgo.coldcall.core.CallControlId("v3:auth")).empty());
        }
    }

    @Test
    void aPasswordAloneLogsInAsTheDefaultUser() {
        Wiring wiring = new Wiring("test", env(null, DEFAULT_PASSWORD), MutableClock.now(), new Fixtures.Log().stream());
        try (Redis store = wiring.redis()) {
            store.ping();
        }
    }

    @Test
    void aWrongPasswordIsA503NamingTheSettingsNeverThePassword() {
        Fixtures.Log log = new Fixtures.Log();
        Wiring wiring = new Wiring("test", env(USER, WRONG_PASSWORD), MutableClock.now(), log.stream());
        try (Redis store = wiring.redis()) {
            StoreUnavailable e = assertThrows(StoreUnavailable.class, store::ping);
            assertEquals(ErrorCode.STORE_UNAVAILABLE, e.code());
            assertTrue(e.detail().startsWith("redis refused the login (WRONGPASS"), e.detail());
            assertTrue(e.detail().contains("REDIS_USERNAME and REDIS_PASSWORD"), e.detail());
            for (String text : List.of(e.detail(), e.getMessage(), log.text(), String.valueOf(e.getCause()))) {
                assertFalse(text.contains(WRONG_PASSWORD) || text.contains(USER_PASSWORD), text);
            }
        }
    }

    @Test
    void noLoginAgainstARedisThatWantsOneSaysSo() {
        Wiring wiring = new Wiring("test", env(null, null), MutableClock.now(), new Fixtures.Log().stream());
        try (Redis store = wiring.redis()) {
            StoreUnavailable e = assertThrows(StoreUnavailable.class, store::ping);
            assertTrue(e.detail().startsWith("redis refused the login (NOAUTH"), e.detail());
        }
    }

    @Test
    void theInitWarmUpReadsNoSecretAndTheFirstRequestLogsIn() {
        Fixtures.Log log = new Fixtures.Log();
        int[] reads = {0};
        try (Redis store = Redis.create(url, false, new com.aicallgo.coldcall.core.time.Budget(), () -> {
            reads[0]++;
            return new Redis.Login(USER, USER_PASSWORD);
        })) {
            Priming.register(() -> { }, store, new com.aicallgo.coldcall.core.log.JsonLog("test", "dev", log.stream()));
            assertEquals(0, reads[0], "no login (no secret) asked for before the snapshot");
            assertTrue(log.text().contains("redis wants a login"), log.text());
            assertFalse(log.text().contains("WARN"), log.text());
            store.ping();
            assertEquals(1, reads[0], "the first command logs in");
            assertEquals("Login[username=dialer, password=****]", new Redis.Login(USER, USER_PASSWORD).toString());
        }
    }

    @Test
    void afterAWarmUpThatADefaultUserServedTheFirstCommandLogsInAsTheSecretSays() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory("redis-open-" + port);
        Process open = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            String openUrl = "redis://127.0.0.1:" + port;
            Instant deadline = Instant.now().plusSeconds(15);
            while (!new String(new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "ACL", "SETUSER", USER,
                    "on", ">" + USER_PASSWORD, "~*", "+@all").start().getInputStream().readAllBytes()).strip().equals("OK")) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("redis-server did not start");
                }
                Thread.sleep(100);
            }
            try (Redis store = Redis.create(openUrl, false, new com.aicallgo.coldcall.core.time.Budget(),
                    () -> new Redis.Login(USER, USER_PASSWORD))) {
                assertTrue(store.warmUp(), "the default user answers without a login");
                assertEquals(USER, store.run(commands -> commands.dispatch(io.lettuce.core.protocol.CommandType.ACL,
                        new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).add("WHOAMI"))));
            }
        } finally {
            open.destroy();
        }
    }

    @Test
    void theWarmUpStillReportsARedisThatIsNotThere() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (Redis store = Redis.create("redis://127.0.0.1:" + port, false)) {
            StoreUnavailable e = assertThrows(StoreUnavailable.class, store::warmUp);
            assertFalse(e.detail().contains("refused the login"), e.detail());
        }
    }
}
