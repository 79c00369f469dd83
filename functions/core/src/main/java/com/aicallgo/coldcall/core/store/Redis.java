package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.MapOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisStateMachine;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one Redis connection of a container, and the runner of every command sent on it: each command waits at most
 * {@link #COMMAND_TIMEOUT} cut to the invocation's {@link Budget}, and any failure is {@link StoreUnavailable}. The
 * connection opens on first use and reopens after a failure; Lettuce reconnects a dropped connection by itself and,
 * with {@code REJECT_COMMANDS}, fails fast instead of queueing while it is down. Standalone Redis or a cluster
 * (ElastiCache Serverless) alike: what is stored where is {@link Calls}', {@link Outbox}'s and {@link Schedule}'s.
 */
public final class Redis implements AutoCloseable {
    /** One command's limit, cut to what the invocation has left ({@link Budget}). */
    public static final Duration COMMAND_TIMEOUT = Deadlines.REDIS_COMMAND;
    public static final Duration CONNECT_TIMEOUT = Deadlines.REDIS_COMMAND;
    /** Reconnect attempts back off 1, 2, 4 ... ms up to this, so a returning Redis is found within half a second. */
    public static final Duration RECONNECT_DELAY_CAP = Duration.ofMillis(500);

    private final AutoCloseable client;
    private final ClientResources resources;
    private final Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connector;
    private final Budget budget;
    private final Supplier<Login> logins;
    /** The login Lettuce uses when it opens a connection, ours or its own reconnect: the last one resolved. */
    private volatile Login login = Login.NONE;
    /** Set while {@link #warmUp} opens the connection without a login. */
    private volatile boolean anonymous;
    private StatefulConnection<String, String> connection;
    private RedisClusterAsyncCommands<String, String> commands;

    /**
     * Who connects: an ACL user and its password ({@code REDIS_USERNAME}, {@code REDIS_PASSWORD}), a password alone
     * (the {@code default} user, {@code requirepass}), or nobody (a Redis without authentication). Never printed.
     */
    public record Login(String username, String password) {
        public static final Login NONE = new Login(null, null);

        @Override
        public String toString() {
            return "Login[username=" + username + ", password=" + (password == null ? "none" : "****") + "]";
        }
    }

    private Redis(AutoCloseable client, ClientResources resources,
            Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connector, Budget budget,
            Supplier<Login> logins) {
        this.client = client;
        this.resources = resources;
        this.connector = connector;
        this.budget = budget;
        this.logins = logins;
    }

    /** Creates the client outside any invocation budget (tools, tests): each command has its own limit only. */
    public static Redis create(String url, boolean cluster) {
        return create(url, cluster, new Budget(), () -> Login.NONE);
    }

    /** As {@link #create(String, boolean, Budget, Supplier)}, for a Redis without authentication. */
    public static Redis create(String url, boolean cluster, Budget budget) {
        return create(url, cluster, budget, () -> Login.NONE);
    }

    /**
     * Creates the client for a {@code redis://} or {@code rediss://} URL; the connection opens on first use. Each
     * command, and opening the connection, waits at most {@link #COMMAND_TIMEOUT} cut to the invocation's budget.
     * {@code logins} is asked on the calling thread each time this class opens the connection (it may read a secret,
     * within the same budget); Lettuce's own reconnects reuse the last answer.
     */
    public static Redis create(String url, boolean cluster, Budget budget, Supplier<Login> logins) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(COMMAND_TIMEOUT);
        Redis[] self = new Redis[1];
        // resolved from memory on Lettuce's thread: the secret read happens before, in commands()
        uri.setCredentialsProvider(RedisCredentialsProvider.from(
                () -> RedisCredentials.just(self[0].login.username(), self[0].login.password())));
        // Lettuce's default reconnect backoff grows to 30 s: after a Redis restart the functions would answer 503 long
        // after it is back, and a success that could not yet be recorded (Delivery.remember) would outlive its wait
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ZERO, RECONNECT_DELAY_CAP, 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(COMMAND_TIMEOUT);
        ClientOptions options = ClientOptions.builder()
                .socketOptions(socket).timeoutOptions(timeouts)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(10_000)
                .build();
        if (cluster) {
            RedisClusterClient client = RedisClusterClient.create(resources, uri);
            client.setOptions(clusterOptions(options));
            // the cluster client's connectAsync skips the topology loading that connect() does first; the blocking
            // connect runs aside, so the caller still waits no longer than its deadline
            self[0] = new Redis(client::shutdown, resources, () -> CompletableFuture.supplyAsync(client::connect),
                    budget, logins);
            return self[0];
        }
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(options);
        self[0] = new Redis(client::shutdown, resources,
                () -> client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture(), budget, logins);
        return self[0];
    }

    /**
     * On a node-based cluster slots move (resharding, fail-over): the client re-reads the topology when Redis says so
     * (MOVED, ASK, repeated reconnects). Adaptive only: a periodic refresh would run on a timer in a frozen container.
     */
    static ClusterClientOptions clusterOptions(ClientOptions options) {
        return ClusterClientOptions.builder(options)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build())
                .build();
    }

    /** Opens the connection now and checks it with a PING (after a SnapStart restore, and in tools). */
    public void ping() {
        run(commands -> commands.ping());
    }

    /**
     * At init, before a SnapStart snapshot: opens the connection and PINGs as {@link #ping} does, but without a login,
     * since nothing may read a secret into the snapshot. A Redis that wants one refuses (NOAUTH): Lettuce's and Netty's
     * connect path (and TLS) is loaded all the same. The connection is closed either way, so the first request opens
     * it with the login the secret names (a Redis whose default user is on would otherwise serve it as that user).
     *
     * @return false when Redis asked for a login
     * @throws StoreUnavailable when Redis cannot be reached at all
     */
    public boolean warmUp() {
        try {
            anonymous = true;
            ping();
            return true;
        } catch (StoreUnavailable e) {
            if (e.detail() != null && e.detail().contains(LOGIN_REFUSED)) {
                return false;
            }
            throw e;
        } finally {
            anonymous = false;
            disconnect();
        }
    }

    /**
     * One command, waited for until its deadline: {@link #COMMAND_TIMEOUT} cut to the invocation's budget. A Redis
     * that accepts and never answers costs the caller that long, never more.
     */
    <T> T run(Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command) {
        Deadline deadline = budget.call(COMMAND_TIMEOUT);
        if (deadline.passed()) {
            throw new StoreUnavailable("redis: not asked, the invocation's time is spent");
        }
        RedisFuture<T> future = null;
        try {
            future = command.apply(commands(deadline));
            return future.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new StoreUnavailable("redis: no answer within the deadline (" + COMMAND_TIMEOUT.toMillis()
                    + " ms, cut to the invocation's budget)");
        } catch (ExecutionException e) {
            throw new StoreUnavailable(describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailable("redis: interrupted");
        } catch (RedisException e) {
            throw new StoreUnavailable(describe(e));
        }
    }

    static final String LOGIN_REFUSED = "redis refused the login";

    /**
     * What went wrong, from Lettuce's exception: a refused login (NOAUTH, WRONGPASS, an ACL denial) is named as such,
     * whatever connect exception wraps it, so the log says which setting to check. Redis's replies never quote a
     * password, and the login is never part of the message.
     */
    static String describe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (cause instanceof RedisCommandExecutionException && message != null
                    && (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS") || message.startsWith("NOPERM"))) {
                return LOGIN_REFUSED + " (" + message.strip() + "): check REDIS_USERNAME and REDIS_PASSWORD in the"
                        + " function's secret (docs/configuration.md section 5)";
            }
        }
        return "redis: " + failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    @SuppressWarnings("unchecked")
    private synchronized RedisClusterAsyncCommands<String, String> commands(Deadline deadline) {
        if (connection == null || !connection.isOpen()) {
            if (connection != null) {
                connection.closeAsync();
                connection = null;
            }
            login = anonymous ? Login.NONE : logins.get();
            CompletableFuture<? extends StatefulConnection<String, String>> opening = connector.get();
            try {
                connection = opening.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // a connection that opens after we gave up is closed, not leaked
                opening.thenAccept(StatefulConnection::closeAsync);
                throw new StoreUnavailable("redis: no connection within the deadline");
            } catch (ExecutionException e) {
                throw new StoreUnavailable(describe(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailable("redis: interrupted");
            }
            commands = connection instanceof StatefulRedisClusterConnection<String, String> cluster
                    ? cluster.async()
                    : ((StatefulRedisConnection<String, String>) connection).async();
        }
        return commands;
    }

    /**
     * Before a SnapStart snapshot: encodes a command of each kind the store sends and decodes a canned reply of
     * each shape it reads, in memory, so Lettuce's codec path is loaded without sending anything to Redis.
     */
    public static void primeCodec() {
        StringCodec codec = StringCodec.UTF8;
        prime(CommandType.EVAL, new NestedMultiOutput<>(codec), new CommandArgs<>(codec).add("return 1").add(1)
                .addKey("cold_call_status:{priming}").addValue("1"), "*2\r\n$1\r\nx\r\n:1\r\n");
        prime(CommandType.HGETALL, new MapOutput<>(codec), new CommandArgs<>(codec).addKey("priming"),
                "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
        prime(CommandType.HINCRBY, new IntegerOutput<>(codec), new CommandArgs<>(codec).addKey("priming").add("f")
                .add(1L), ":1\r\n");
        prime(CommandType.HSET, new IntegerOutput<>(codec), new CommandArgs<>(codec).addKey("priming").add("f")
                .addValue("v"), ":1\r\n");
        prime(CommandType.ZADD, new IntegerOutput<>(codec), new CommandArgs<>(codec).addKey("priming").add(1.5)
                .addValue("m"), ":1\r\n");
        prime(CommandType.ZRANGEBYSCORE, new ValueListOutput<>(codec), new CommandArgs<>(codec).addKey("priming")
                .add("-inf").add("+inf").add("LIMIT").add(0).add(10), "*1\r\n$1\r\nm\r\n");
        prime(CommandType.SET, new StatusOutput<>(codec), new CommandArgs<>(codec).addKey("priming").addValue("v")
                .add("NX").add("EX").add(60), "+OK\r\n");
        prime(CommandType.GET, new ValueOutput<>(codec), new CommandArgs<>(codec).addKey("priming"), "$-1\r\n");
    }

    private static <T> void prime(CommandType type, CommandOutput<String, String, T> output,
            CommandArgs<String, String> args, String reply) {
        ByteBuf buffer = Unpooled.buffer(128);
        ByteBuf answer = Unpooled.wrappedBuffer(reply.getBytes(StandardCharsets.UTF_8));
        try {
            new Command<>(type, output, args).encode(buffer);
            RedisStateMachine decoder = new RedisStateMachine();
            if (!decoder.decode(answer, output)) {
                throw new IllegalStateException("priming: the canned " + type + " reply did not decode");
            }
            decoder.close();
        } finally {
            buffer.release();
            answer.release();
        }
    }

    /** Closes the connection (before a SnapStart snapshot); the next command reopens it. */
    public synchronized void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    @Override
    public void close() {
        disconnect();
        try {
            client.close();
        } catch (Exception e) {
            // closing at shutdown: nothing left to do with the failure
        }
        resources.shutdown();
    }
}
