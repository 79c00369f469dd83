package com.aicallgo.coldcall.core.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The real Redis of the tests ({@code REDIS_URL}, default {@code redis://127.0.0.1:6379}); each module uses its own
 * database number and empties it before each test, so runs never see each other's calls.
 */
public final class TestRedis {
    private TestRedis() {
    }

    public static String base() {
        String url = System.getenv("REDIS_URL");
        url = url == null || url.isBlank() ? "redis://127.0.0.1:6379" : url;
        return url.replaceFirst("/[0-9]+$", "");
    }

    public static String url(int database) {
        return base() + "/" + database;
    }

    /** Empties the database. */
    public static void flush(int database) {
        RedisClient client = RedisClient.create(url(database));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().flushdb();
        } finally {
            client.shutdown();
        }
    }

    /** Runs one command against the database and returns the connection's sync API result. */
    public static <T> T with(int database, java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> command) {
        RedisClient client = RedisClient.create(url(database));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return command.apply(connection.sync());
        } finally {
            client.shutdown();
        }
    }
}
