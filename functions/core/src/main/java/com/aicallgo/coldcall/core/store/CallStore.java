package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.http.ErrorCode;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The call state in Redis: one hash per call at {@code cold_call_status:{<call_control_id>}}. The braces make the
 * call control id the key's hash tag, so on a Redis cluster (ElastiCache Serverless) everything about one call sits
 * in one slot. Every write is one Lua script on that one key, so two functions touching the same call at once
 * never lose an update: fields that record a fact are first-wins ({@code HSETNX}), and once-only work
 * (posting a call log, a recording, starting a recording) is claimed with a lease.
 *
 * <p>One connection per container, opened on first use and reopened after a failure; Lettuce reconnects a dropped
 * connection by itself and, with {@code REJECT_COMMANDS}, fails fast instead of queueing while it is down.
 */
public final class CallStore implements AutoCloseable {
    public static final Duration COMMAND_TIMEOUT = Duration.ofMillis(1500);
    public static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);
    /** Reconnect attempts back off 1, 2, 4 ... ms up to this, so a returning Redis is found within half a second. */
    public static final Duration RECONNECT_DELAY_CAP = Duration.ofMillis(500);
    /** Longer than any Web Backend or Telnyx call we make, so a live claim is never taken over. */
    public static final Duration CLAIM_LEASE = Duration.ofSeconds(10);

    // ARGV: ttl, now, state, n (count of first-wins pairs), n pairs for HSETNX, then pairs for HSET
    private static final String APPLY = """
            local key = KEYS[1]
            local rank = {dialing = 0, initiated = 1, active = 2, ended = 3}
            local n = tonumber(ARGV[4])
            local i = 5
            for _ = 1, n do
              redis.call('HSETNX', key, ARGV[i], ARGV[i + 1])
              i = i + 2
            end
            while i < #ARGV do
              redis.call('HSET', key, ARGV[i], ARGV[i + 1])
              i = i + 2
            end
            if ARGV[3] ~= '' then
              local current = redis.call('HGET', key, 'state')
              if not current or (rank[ARGV[3]] or 0) > (rank[current] or 0) then
                redis.call('HSET', key, 'state', ARGV[3])
              end
            end
            redis.call('HSET', key, 'updated_at', ARGV[2])
            redis.call('EXPIRE', key, ARGV[1])
            return redis.call('HGETALL', key)
            """;

    // ARGV: field, now millis, lease millis, ttl
    private static final String CLAIM = """
            local value = redis.call('HGET', KEYS[1], ARGV[1])
            if value == 'done' or value == 'dead' then return 'done' end
            if value then
              local since = tonumber(string.match(value, '^claimed:(%d+)$'))
              if since and since + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return 'busy' end
            end
            redis.call('HSET', KEYS[1], ARGV[1], 'claimed:' .. ARGV[2])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            return 'claimed:' .. ARGV[2]
            """;

    // ARGV: field, the claim token, the value to leave (empty: delete the field). Done work drops its payload.
    private static final String SETTLE = """
            if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
              if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
              if ARGV[3] == 'done' then redis.call('HDEL', KEYS[1], 'outbox:' .. ARGV[1]) end
              return 1
            end
            return 0
            """;

    // ARGV: now millis, lease millis, ttl. Claims the right to send record_start.
    private static final String CLAIM_RECORDING = """
            if redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 then return 'ended' end
            local value = redis.call('HGET', KEYS[1], 'recording_state')
            if value == 'started' or value == 'saved' then return 'started' end
            if value then
              local since = tonumber(string.match(value, '^requesting:(%d+)$'))
              if since and since + tonumber(ARGV[2]) > tonumber(ARGV[1]) then return 'requesting' end
            end
            redis.call('HSET', KEYS[1], 'recording_state', 'requesting:' .. ARGV[1])
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            return 'requesting:' .. ARGV[1]
            """;

    // ARGV: claim token. Telnyx said "not answered yet": park as pending, unless the answer has been seen since.
    private static final String PARK_RECORDING = """
            if redis.call('HEXISTS', KEYS[1], 'answered_at') == 1 then return 'answered' end
            if redis.call('HGET', KEYS[1], 'recording_state') == ARGV[1] then
              redis.call('HSET', KEYS[1], 'recording_state', 'pending')
            end
            return 'pending'
            """;

    // ARGV: field, claim token or '', payload or '', now, keep seconds. Marks the work queued for the outbox;
    // without a token, a live claim of someone else is left alone (the entry then only checks on it later).
    private static final String QUEUE = """
            local value = redis.call('HGET', KEYS[1], ARGV[1])
            if value == 'done' or value == 'dead' then return 'done' end
            local claimed = value and string.sub(value, 1, 8) == 'claimed:'
            if ARGV[2] ~= '' and claimed and value ~= ARGV[2] then return 'taken' end
            if not claimed or value == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], 'queued') end
            if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'outbox:' .. ARGV[1], ARGV[3]) end
            redis.call('HSETNX', KEYS[1], 'outbox_since:' .. ARGV[1], ARGV[4])
            if ARGV[2] ~= '' then redis.call('HINCRBY', KEYS[1], 'outbox_attempts:' .. ARGV[1], 1) end
            if redis.call('TTL', KEYS[1]) < tonumber(ARGV[5]) then redis.call('EXPIRE', KEYS[1], ARGV[5]) end
            return 'queued'
            """;

    /** The outbox: members are {@code [call_control_id, name]} as JSON, scored by when they are due (epoch ms). */
    public static final String OUTBOX = "cold_call_outbox";
    /** Answered calls whose recording is to be checked, scored by when (epoch ms). */
    public static final String RECORDING_CHECKS = "cold_call_recording_checks";
    /** Records the outbox gave up on, as JSON lines, for a person to look at. */
    public static final String DEAD_LETTERS = "cold_call_dead_letters";

    private final AutoCloseable client;
    private final ClientResources resources;
    private final Function<Object, StatefulConnection<String, String>> connector;
    private final Duration ttl;
    private StatefulConnection<String, String> connection;
    private RedisClusterCommands<String, String> commands;

    private CallStore(AutoCloseable client, ClientResources resources,
            Function<Object, StatefulConnection<String, String>> connector, Duration ttl) {
        this.client = client;
        this.resources = resources;
        this.connector = connector;
        this.ttl = ttl;
    }

    /** Creates the client for a {@code redis://} or {@code rediss://} URL; the connection opens on first use. */
    public static CallStore create(String url, boolean cluster, Duration ttl) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(COMMAND_TIMEOUT);
        // Lettuce's default reconnect backoff grows to 30 s: after a Redis restart the functions would answer 503 long
        // after it is back, and a success that could not yet be recorded (Delivery.remember) would outlive its wait
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ZERO, RECONNECT_DELAY_CAP, 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(COMMAND_TIMEOUT);
        if (cluster) {
            RedisClusterClient client = RedisClusterClient.create(resources, uri);
            client.setOptions(ClusterClientOptions.builder()
                    .socketOptions(socket).timeoutOptions(timeouts)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .requestQueueSize(10_000)
                    .build());
            return new CallStore(client::shutdown, resources, ignored -> client.connect(), ttl);
        }
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(socket).timeoutOptions(timeouts)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(10_000)
                .build());
        return new CallStore(client::shutdown, resources, ignored -> client.connect(), ttl);
    }

    /** The Redis key of a call: the call control id in braces is the cluster hash tag. */
    public static String key(String callControlId) {
        return "cold_call_status:{" + callControlId + "}";
    }

    /** Opens the connection now and checks it with a PING (used at start and to prime a snapshot). */
    public void ping() {
        run(commands -> commands.ping());
    }

    /**
     * Records facts about a call: {@code firstWins} fields keep the first value ever written, {@code overwrite}
     * fields take this one, {@code state} only moves forward (dialing, initiated, active, ended).
     *
     * @return everything known about the call after the write
     */
    public CallRecord apply(String callControlId, String state, Map<String, String> firstWins,
            Map<String, String> overwrite, Instant now) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(ttl.toSeconds()));
        args.add(now.toString());
        args.add(state == null ? "" : state);
        Map<String, String> first = new LinkedHashMap<>(firstWins);
        first.put("call_control_id", callControlId);
        args.add(Integer.toString(first.size()));
        first.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        overwrite.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        List<Object> flat = run(commands -> commands.eval(APPLY, ScriptOutputType.MULTI,
                new String[] {key(callControlId)}, args.toArray(String[]::new)));
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return new CallRecord(fields);
    }

    /** Remembers that a webhook event was handled, so its redelivery is a no-op. */
    public void remember(String callControlId, String eventId, Instant now) {
        run(commands -> commands.hset(key(callControlId), "event:" + eventId, now.toString()));
    }

    /** Everything known about a call (empty when nothing is). */
    public CallRecord read(String callControlId) {
        return new CallRecord(run(commands -> commands.hgetall(key(callControlId))));
    }

    /**
     * Claims a once-only piece of work named {@code field} on the call.
     *
     * @return the claim token when {@link Claim#CLAIMED}, else {@code "busy"} or {@code "done"}
     */
    public String claim(String callControlId, String field, Instant now) {
        return run(commands -> commands.eval(CLAIM, ScriptOutputType.VALUE, new String[] {key(callControlId)},
                field, Long.toString(now.toEpochMilli()), Long.toString(CLAIM_LEASE.toMillis()),
                Long.toString(ttl.toSeconds())));
    }

    public static Claim claimOf(String answer) {
        return switch (answer) {
            case "done" -> Claim.DONE;
            case "busy" -> Claim.BUSY;
            default -> Claim.CLAIMED;
        };
    }

    /** Marks claimed work done (value {@code done}) or gives the claim back ({@code null}), if it is still ours. */
    public void settle(String callControlId, String field, String token, String value) {
        run(commands -> commands.eval(SETTLE, ScriptOutputType.INTEGER, new String[] {key(callControlId)},
                field, token, value == null ? "" : value));
    }

    /**
     * Claims the right to send {@code record_start}.
     *
     * @return {@code ended}, {@code started}, {@code requesting} (someone else is asking now) or a claim token
     */
    public String claimRecording(String callControlId, Instant now) {
        return run(commands -> commands.eval(CLAIM_RECORDING, ScriptOutputType.VALUE,
                new String[] {key(callControlId)}, Long.toString(now.toEpochMilli()),
                Long.toString(CLAIM_LEASE.toMillis()), Long.toString(ttl.toSeconds())));
    }

    /** Parks a claimed recording as pending; {@code answered} when the answer arrived meanwhile (try again). */
    public String parkRecording(String callControlId, String token) {
        return run(commands -> commands.eval(PARK_RECORDING, ScriptOutputType.VALUE,
                new String[] {key(callControlId)}, token));
    }

    /**
     * Puts once-only work in the outbox: marks it {@code queued} on the call (keeping {@code payload} when given),
     * keeps the call's hash at least {@code keep} long, and schedules it at {@code due}. Marks and schedules in
     * two steps (the outbox is one key for all calls, so on a cluster it cannot share a script with the call);
     * a queued mark without a schedule is found again by the next delivery of the same webhook.
     *
     * @param token the caller's claim, or {@code null} to queue work nobody has claimed (a deferred call log)
     * @return {@code false} when the work was done meanwhile
     */
    public boolean enqueue(String callControlId, String name, String token, String payload, Instant due, Instant now,
            Duration keep) {
        String answer = run(commands -> commands.eval(QUEUE, ScriptOutputType.VALUE, new String[] {key(callControlId)},
                name, token == null ? "" : token, payload == null ? "" : payload, now.toString(),
                Long.toString(Math.max(keep.toSeconds(), ttl.toSeconds()))));
        if (!answer.equals("queued")) {
            return false;
        }
        schedule(callControlId, name, due);
        return true;
    }

    /** (Re)schedules an outbox entry. */
    public void schedule(String callControlId, String name, Instant due) {
        run(commands -> commands.zadd(OUTBOX, (double) due.toEpochMilli(), member(callControlId, name)));
    }

    /** Removes an outbox entry (done, or given up). */
    public void unschedule(String callControlId, String name) {
        run(commands -> commands.zrem(OUTBOX, member(callControlId, name)));
    }

    /** Up to {@code limit} outbox entries due by {@code now} (all when {@code null}), as {@code [call_control_id, name]}. */
    public List<String[]> due(Instant now, int limit) {
        double upTo = now == null ? Double.POSITIVE_INFINITY : (double) now.toEpochMilli();
        List<String> members = run(commands -> commands.zrangebyscore(OUTBOX,
                Range.create(Double.NEGATIVE_INFINITY, upTo), Limit.create(0, limit)));
        List<String[]> entries = new ArrayList<>();
        for (String member : members) {
            entries.add(unmember(member));
        }
        return entries;
    }

    /** How many entries the outbox and the dead-letter list hold. */
    public long[] backlog() {
        return new long[] {run(commands -> commands.zcard(OUTBOX)), run(commands -> commands.llen(DEAD_LETTERS))};
    }

    /** Gives up on an entry: keeps {@code record} in the dead-letter list and marks the work {@code dead}. */
    public void deadLetter(String callControlId, String name, String record) {
        run(commands -> commands.rpush(DEAD_LETTERS, record));
        run(commands -> commands.hset(key(callControlId), name, "dead"));
        unschedule(callControlId, name);
    }

    /** Schedules a recording check for the call unless one is scheduled already (a redelivery keeps the first). */
    public void scheduleCheck(String callControlId, Instant due) {
        run(commands -> commands.zadd(RECORDING_CHECKS, ZAddArgs.Builder.nx(), (double) due.toEpochMilli(), callControlId));
    }

    /** Moves a scheduled recording check. */
    public void rescheduleCheck(String callControlId, Instant due) {
        run(commands -> commands.zadd(RECORDING_CHECKS, (double) due.toEpochMilli(), callControlId));
    }

    /** The call needs no more checking. */
    public void settleCheck(String callControlId) {
        run(commands -> commands.zrem(RECORDING_CHECKS, callControlId));
    }

    /** Up to {@code limit} calls whose recording check is due by {@code now} (all when {@code null}). */
    public List<String> dueChecks(Instant now, int limit) {
        double upTo = now == null ? Double.POSITIVE_INFINITY : (double) now.toEpochMilli();
        return run(commands -> commands.zrangebyscore(RECORDING_CHECKS, Range.create(Double.NEGATIVE_INFINITY, upTo),
                Limit.create(0, limit)));
    }

    /** Adds one to a counter field of the call; returns the new count. */
    public long increment(String callControlId, String field) {
        return run(commands -> commands.hincrby(key(callControlId), field, 1));
    }

    private static String member(String callControlId, String name) {
        return "[" + quote(callControlId) + "," + quote(name) + "]";
    }

    private static String[] unmember(String member) {
        try {
            String[] parts = com.aicallgo.coldcall.core.json.Json.mapper().readValue(member, String[].class);
            if (parts.length == 2) {
                return parts;
            }
        } catch (java.io.IOException e) {
            // fall through: not one of ours
        }
        return new String[] {member, ""};
    }

    private static String quote(String text) {
        try {
            return com.aicallgo.coldcall.core.json.Json.mapper().writeValueAsString(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T run(Function<RedisClusterCommands<String, String>, T> command) {
        try {
            return command.apply(commands());
        } catch (RedisException e) {
            throw new ApiException(ErrorCode.STORE_UNAVAILABLE, "Call state storage is unavailable; try again",
                    "redis: " + e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
    }

    @SuppressWarnings("unchecked")
    private synchronized RedisClusterCommands<String, String> commands() {
        if (connection == null || !connection.isOpen()) {
            if (connection != null) {
                connection.closeAsync();
            }
            connection = connector.apply(null);
            commands = connection instanceof StatefulRedisClusterConnection<String, String> cluster
                    ? cluster.sync()
                    : ((StatefulRedisConnection<String, String>) connection).sync();
        }
        return commands;
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
