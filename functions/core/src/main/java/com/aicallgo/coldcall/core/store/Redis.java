package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
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
    private StatefulConnection<String, String> connection;
    private RedisClusterAsyncCommands<String, String> commands;

    private Redis(AutoCloseable client, ClientResources resources,
            Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connector, Budget budget) {
        this.client = client;
        this.resources = resources;
        this.connector = connector;
        this.budget = budget;
    }

    /** Creates the client outside any invocation budget (tools, tests): each command has its own limit only. */
    public static Redis create(String url, boolean cluster) {
        return create(url, cluster, new Budget());
    }

    /**
     * Creates the client for a {@code redis://} or {@code rediss://} URL; the connection opens on first use. Each
     * command, and opening the connection, waits at most {@link #COMMAND_TIMEOUT} cut to the invocation's budget.
     */
    public static Redis create(String url, boolean cluster, Budget budget) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(COMMAND_TIMEOUT);
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
            return new Redis(client::shutdown, resources, () -> CompletableFuture.supplyAsync(client::connect), budget);
        }
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(options);
        return new Redis(client::shutdown, resources,
                () -> client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture(), budget);
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

    /** Opens the connection now and checks it with a PING (used at start and to prime a snapshot). */
    public void ping() {
        run(commands -> commands.ping());
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
            Throwable cause = e.getCause();
            throw new StoreUnavailable("redis: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailable("redis: interrupted");
        } catch (RedisException e) {
            throw new StoreUnavailable("redis: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private synchronized RedisClusterAsyncCommands<String, String> commands(Deadline deadline) {
        if (connection == null || !connection.isOpen()) {
            if (connection != null) {
                connection.closeAsync();
                connection = null;
            }
            CompletableFuture<? extends StatefulConnection<String, String>> opening = connector.get();
            try {
                connection = opening.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // a connection that opens after we gave up is closed, not leaked
                opening.thenAccept(StatefulConnection::closeAsync);
                throw new StoreUnavailable("redis: no connection within the deadline");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw new StoreUnavailable("redis: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
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
