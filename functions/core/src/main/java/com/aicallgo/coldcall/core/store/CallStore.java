package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
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
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.RedisFuture;
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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import com.aicallgo.coldcall.core.Ids;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
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
    /** One command's limit, cut to what the invocation has left ({@link Budget}). */
    public static final Duration COMMAND_TIMEOUT = Deadlines.REDIS_COMMAND;
    public static final Duration CONNECT_TIMEOUT = Deadlines.REDIS_COMMAND;
    /** Reconnect attempts back off 1, 2, 4 ... ms up to this, so a returning Redis is found within half a second. */
    public static final Duration RECONNECT_DELAY_CAP = Duration.ofMillis(500);
    /**
     * Strictly longer than the longest work done under a claim: its holder stops by {@link Deadlines#CLAIM_HOLD}
     * (the lease less a margin), so a live claim is never taken over.
     */
    public static final Duration CLAIM_LEASE = Deadlines.CLAIM_LEASE;

    /** The outbox: members are {@code [call_control_id, name]} as JSON, scored by when they are due (epoch ms). */
    public static final String OUTBOX = "cold_call_outbox";
    /** Answered calls whose recording is to be checked, scored by when (epoch ms). */
    public static final String RECORDING_CHECKS = "cold_call_recording_checks";
    /** Records the outbox gave up on, as JSON lines, for a person to look at. */
    public static final String DEAD_LETTERS = "cold_call_dead_letters";
    /** How often handling an outbox entry threw, by outbox member (cleared when the entry leaves the outbox). */
    public static final String OUTBOX_FAILURES = "cold_call_outbox_failures";
    /** How often a recording check threw, by call control id (cleared when the check leaves the schedule). */
    public static final String CHECK_FAILURES = "cold_call_recording_check_failures";
    /** Calls to ask Telnyx about if their hang-up has not come by then, scored by when (epoch ms). */
    public static final String STALE_CHECKS = "cold_call_stale_checks";

    private final AutoCloseable client;
    private final ClientResources resources;
    private final Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connector;
    private final Duration ttl;
    private final Budget budget;
    private StatefulConnection<String, String> connection;
    private RedisClusterAsyncCommands<String, String> commands;

    private CallStore(AutoCloseable client, ClientResources resources,
            Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connector, Duration ttl,
            Budget budget) {
        this.client = client;
        this.resources = resources;
        this.connector = connector;
        this.ttl = ttl;
        this.budget = budget;
    }

    /** Creates the client outside any invocation budget (tools, tests): each command has its own limit only. */
    public static CallStore create(String url, boolean cluster, Duration ttl) {
        return create(url, cluster, ttl, new Budget());
    }

    /**
     * Creates the client for a {@code redis://} or {@code rediss://} URL; the connection opens on first use. Each
     * command, and opening the connection, waits at most {@link #COMMAND_TIMEOUT} cut to the invocation's budget.
     */
    public static CallStore create(String url, boolean cluster, Duration ttl, Budget budget) {
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
            return new CallStore(client::shutdown, resources, () -> CompletableFuture.supplyAsync(client::connect), ttl,
                    budget);
        }
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(options);
        return new CallStore(client::shutdown, resources,
                () -> client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture(), ttl, budget);
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

    /** The Redis key of a call: the call control id in braces is the cluster hash tag. */
    public static String key(String callControlId) {
        Ids.require("call_control_id", callControlId);
        return "cold_call_status:{" + callControlId + "}";
    }

    /** Opens the connection now and checks it with a PING (used at start and to prime a snapshot). */
    public void ping() {
        run(commands -> commands.ping());
    }

    /**
     * Records facts first-wins (the numbers Telnyx tells replace the page's); the stage only moves forward (dialing,
     * initiated, active, ended).
     */
    public CallState record(String callControlId, CallFacts facts, Instant now) {
        return apply(callControlId, facts.stage(), CallHash.encode(facts), CallHash.overwrites(facts), now);
    }

    /**
     * Remembers which call a leg id and a session id belong to (first wins), so an event that carries neither our
     * call's control id nor our client state can still be attributed ({@code cold_call_leg:{id}},
     * {@code cold_call_session:{id}}; each its own key, so no cross-slot script on a cluster).
     */
    public void index(String callControlId, String callLegId, String callSessionId) {
        Ids.require("call_control_id", callControlId);
        for (String key : new String[] {legKey(callLegId), sessionKey(callSessionId)}) {
            if (key != null) {
                run(commands -> commands.set(key, callControlId, io.lettuce.core.SetArgs.Builder.nx().ex(ttl)));
            }
        }
    }

    /** The call a leg id was indexed for, or {@code null}. */
    public String callOfLeg(String callLegId) {
        String key = legKey(callLegId);
        return key == null ? null : run(commands -> commands.get(key));
    }

    /** The call a session id was indexed for, or {@code null}. */
    public String callOfSession(String callSessionId) {
        String key = sessionKey(callSessionId);
        return key == null ? null : run(commands -> commands.get(key));
    }

    private static String legKey(String callLegId) {
        return Ids.valid(callLegId) ? "cold_call_leg:{" + callLegId + "}" : null;
    }

    private static String sessionKey(String callSessionId) {
        return Ids.valid(callSessionId) ? "cold_call_session:{" + callSessionId + "}" : null;
    }

    /** Claims the once-only connect command of a parked call. */
    public Claim claimConnect(String callControlId, Instant now) {
        return Claim.of(run(commands -> commands.eval(CallHash.CLAIM, ScriptOutputType.VALUE,
                new String[] {key(callControlId)}, CallHash.Field.CONNECT.wire, Long.toString(now.toEpochMilli()),
                Long.toString(CLAIM_LEASE.toMillis()), Long.toString(ttl.toSeconds()))));
    }

    /** Settles the connect claim: done once Telnyx took the command, else given back. */
    public void settleConnect(String callControlId, Claim.Claimed claim, boolean done) {
        settle(callControlId, CallHash.Field.CONNECT.wire, claim.token(), done ? CallState.Mark.DONE.wire : "");
    }

    /**
     * Records what a recording's webhook (or a backfill) says: its result, when it was saved or backfilled (each
     * first-wins), and, from a webhook, the call's recording state ({@code SAVED} or {@code ERROR}).
     */
    public CallState recordRecording(String callControlId, RecordingFacts facts, CallState.Recording state, Instant now) {
        Map<String, String> overwrite = state == null ? Map.of() : Map.of(CallHash.Field.RECORDING_STATE.wire, state.wire);
        return apply(callControlId, null, CallHash.encode(facts), overwrite, now);
    }

    /**
     * Marks the call's recording checked, first-wins, with why when given.
     *
     * @return whether this mark is the one that counts (a concurrent check may have won)
     */
    public boolean markRecordingChecked(String callControlId, String outcome, String reason, Instant now) {
        String mark = outcome + " " + UUID.randomUUID();
        String field = CallHash.Field.RECORDING_CHECK.wire;
        boolean ours = mark.equals(applyRaw(callControlId, null, Map.of(field, mark), Map.of(), now).get(field));
        if (ours && reason != null) {
            apply(callControlId, null, Map.of(CallHash.Field.RECORDING_CHECK_REASON.wire, reason), Map.of(), now);
        }
        return ours;
    }

    private CallState apply(String callControlId, CallState.Stage stage, Map<String, String> firstWins,
            Map<String, String> overwrite, Instant now) {
        return CallHash.decode(applyRaw(callControlId, stage, firstWins, overwrite, now));
    }

    private Map<String, String> applyRaw(String callControlId, CallState.Stage stage, Map<String, String> firstWins,
            Map<String, String> overwrite, Instant now) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(ttl.toSeconds()));
        args.add(now.toString());
        args.add(stage == null || stage == CallState.Stage.NONE ? "" : stage.wire);
        Map<String, String> first = new LinkedHashMap<>(firstWins);
        first.put(CallHash.Field.CALL_CONTROL_ID.wire, callControlId);
        args.add(Integer.toString(first.size()));
        first.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        overwrite.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        List<Object> flat = run(commands -> commands.eval(CallHash.APPLY, ScriptOutputType.MULTI,
                new String[] {key(callControlId)}, args.toArray(String[]::new)));
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return fields;
    }

    /** Remembers that a webhook event was handled, so its redelivery is a no-op. */
    public void remember(String callControlId, String eventId, Instant now) {
        Ids.require("data.id", eventId);
        run(commands -> commands.hset(key(callControlId), CallHash.Prefix.EVENT.of(eventId), now.toString()));
    }

    /** Everything known about a call ({@link CallState#empty()} when nothing is). */
    public CallState read(String callControlId) {
        return CallHash.decode(run(commands -> commands.hgetall(key(callControlId))));
    }

    /** Claims the once-only delivery of {@code deliverable}. */
    public Claim claim(String callControlId, Deliverable deliverable, Instant now) {
        return Claim.of(run(commands -> commands.eval(CallHash.CLAIM, ScriptOutputType.VALUE,
                new String[] {key(callControlId)}, deliverable.field(), Long.toString(now.toEpochMilli()),
                Long.toString(CLAIM_LEASE.toMillis()), Long.toString(ttl.toSeconds()))));
    }

    /** Marks claimed work done, if the claim is still ours; its kept payload is dropped. */
    public void finish(String callControlId, Deliverable deliverable, Claim.Claimed claim) {
        settle(callControlId, deliverable.field(), claim.token(), CallState.Mark.DONE.wire);
    }

    /** Gives a claim back, if it is still ours. */
    public void release(String callControlId, Deliverable deliverable, Claim.Claimed claim) {
        settle(callControlId, deliverable.field(), claim.token(), "");
    }

    /** Claims the right to send {@code record_start}. */
    public RecordingClaim claimRecording(String callControlId, Instant now) {
        return RecordingClaim.of(run(commands -> commands.eval(CallHash.CLAIM_RECORDING, ScriptOutputType.VALUE,
                new String[] {key(callControlId)}, Long.toString(now.toEpochMilli()),
                Long.toString(CLAIM_LEASE.toMillis()), Long.toString(ttl.toSeconds()))));
    }

    /** Leaves the recording state {@code state} (or none, giving the claim back), if the claim is still ours. */
    public void settleRecording(String callControlId, RecordingClaim.Claimed claim, CallState.Recording state) {
        settle(callControlId, CallHash.Field.RECORDING_STATE.wire, claim.token(),
                state == CallState.Recording.NONE ? "" : state.wire);
    }

    /**
     * Parks a claimed recording as pending (Telnyx said "not answered yet").
     *
     * @return {@code false} when the answer arrived meanwhile: the claim is still held, try again
     */
    public boolean parkRecording(String callControlId, RecordingClaim.Claimed claim) {
        return "pending".equals(run(commands -> commands.eval(CallHash.PARK_RECORDING, ScriptOutputType.VALUE,
                new String[] {key(callControlId)}, claim.token())));
    }

    private void settle(String callControlId, String field, String token, String value) {
        run(commands -> commands.eval(CallHash.SETTLE, ScriptOutputType.INTEGER, new String[] {key(callControlId)},
                field, token, value));
    }

    /**
     * Puts once-only work in the outbox: marks it queued on the call (keeping {@code payload} when given), keeps the
     * call's hash at least {@code keep} long, and schedules it at {@code due}. Marks and schedules in two steps (the
     * outbox is one key for all calls, so on a cluster it cannot share a script with the call); a queued mark
     * without a schedule is found again by the next delivery of the same webhook.
     *
     * @param claim the caller's claim, or {@code null} to queue work nobody has claimed (a deferred call log)
     * @return {@code false} when the work was done meanwhile
     */
    public boolean enqueue(String callControlId, Deliverable deliverable, Claim.Claimed claim, String payload,
            Instant due, Instant now, Duration keep) {
        String answer = run(commands -> commands.eval(CallHash.QUEUE, ScriptOutputType.VALUE,
                new String[] {key(callControlId)}, deliverable.field(), claim == null ? "" : claim.token(),
                payload == null ? "" : payload, now.toString(), Long.toString(Math.max(keep.toSeconds(), ttl.toSeconds()))));
        if (!answer.equals("queued")) {
            return false;
        }
        schedule(new OutboxEntry(callControlId, deliverable), due);
        return true;
    }

    /** (Re)schedules an outbox entry. */
    public void schedule(OutboxEntry entry, Instant due) {
        run(commands -> commands.zadd(OUTBOX, (double) due.toEpochMilli(), member(entry)));
    }

    /** Removes an outbox entry (done, or given up). */
    public void unschedule(OutboxEntry entry) {
        run(commands -> commands.zrem(OUTBOX, member(entry)));
        run(commands -> commands.hdel(OUTBOX_FAILURES, member(entry)));
    }

    /** Counts one more time handling {@code entry} threw; returns the count. */
    public long countFailure(OutboxEntry entry) {
        return run(commands -> commands.hincrby(OUTBOX_FAILURES, member(entry), 1));
    }

    /**
     * Up to {@code limit} outbox entries due by {@code now} (all when {@code null}). A member we cannot read was not
     * written by us: it moves to the dead-letter list as it is, so it cannot block the outbox.
     */
    public List<OutboxEntry> due(Instant now, int limit) {
        double upTo = now == null ? Double.POSITIVE_INFINITY : (double) now.toEpochMilli();
        List<String> members = run(commands -> commands.zrangebyscore(OUTBOX,
                Range.create(Double.NEGATIVE_INFINITY, upTo), Limit.create(0, limit)));
        List<OutboxEntry> entries = new ArrayList<>();
        for (String member : members) {
            OutboxEntry entry = entry(member);
            if (entry == null) {
                run(commands -> commands.rpush(DEAD_LETTERS, "{\"unreadable_outbox_member\":" + quote(member) + "}"));
                run(commands -> commands.zrem(OUTBOX, member));
            } else {
                entries.add(entry);
            }
        }
        return entries;
    }

    public Backlog backlog() {
        return new Backlog(run(commands -> commands.zcard(OUTBOX)), run(commands -> commands.llen(DEAD_LETTERS)));
    }

    /** Gives up on an entry: keeps {@code record} in the dead-letter list and marks the work dead. */
    public void deadLetter(OutboxEntry entry, String record) {
        run(commands -> commands.rpush(DEAD_LETTERS, record));
        run(commands -> commands.hset(key(entry.callControlId()), entry.deliverable().field(), CallState.Mark.DEAD.wire));
        unschedule(entry);
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
    public void dropCheck(String callControlId) {
        run(commands -> commands.zrem(RECORDING_CHECKS, callControlId));
        run(commands -> commands.hdel(CHECK_FAILURES, callControlId));
    }

    /** Counts one more time checking the call's recording threw; returns the count. */
    public long countCheckFailure(String callControlId) {
        return run(commands -> commands.hincrby(CHECK_FAILURES, callControlId, 1));
    }

    /** Gives up on a recording check: keeps {@code record} in the dead-letter list and drops the check. */
    public void deadLetterCheck(String callControlId, String record) {
        run(commands -> commands.rpush(DEAD_LETTERS, record));
        dropCheck(callControlId);
    }

    /** Schedules a check on a call whose hang-up may never come, unless one is scheduled. */
    public void scheduleStaleCheck(String callControlId, Instant due) {
        run(commands -> commands.zadd(STALE_CHECKS, ZAddArgs.Builder.nx(), (double) due.toEpochMilli(), callControlId));
    }

    /** Moves a call's stale check ({@code null}: drops it). */
    public void rescheduleStaleCheck(String callControlId, Instant due) {
        if (due == null) {
            run(commands -> commands.zrem(STALE_CHECKS, callControlId));
        } else {
            run(commands -> commands.zadd(STALE_CHECKS, (double) due.toEpochMilli(), callControlId));
        }
    }

    /** Up to {@code limit} calls whose stale check is due by {@code now}. */
    public List<String> dueStaleChecks(Instant now, int limit) {
        return run(commands -> commands.zrangebyscore(STALE_CHECKS,
                Range.create(Double.NEGATIVE_INFINITY, (double) now.toEpochMilli()), Limit.create(0, limit)));
    }

    /**
     * Sets the recording state unless one stands already: {@code STARTED} when the parked flow's connect command asked
     * for the recording (so neither the page nor the answer sends a record_start of its own), {@code PENDING} when the
     * page asked before the call's flow was known (the answer starts it if the call turns out not parked).
     */
    public CallState markRecording(String callControlId, CallState.Recording state, Instant now) {
        return apply(callControlId, null, Map.of(CallHash.Field.RECORDING_STATE.wire, state.wire), Map.of(), now);
    }

    /** Replaces a pending recording state (the page asked before the connect command recorded the call). */
    public void replacePendingRecording(String callControlId, CallState.Recording state, Instant now) {
        apply(callControlId, null, Map.of(), Map.of(CallHash.Field.RECORDING_STATE.wire, state.wire), now);
    }

    /** Up to {@code limit} calls whose recording check is due by {@code now} (all when {@code null}). */
    public List<String> dueChecks(Instant now, int limit) {
        double upTo = now == null ? Double.POSITIVE_INFINITY : (double) now.toEpochMilli();
        return run(commands -> commands.zrangebyscore(RECORDING_CHECKS, Range.create(Double.NEGATIVE_INFINITY, upTo),
                Limit.create(0, limit)));
    }

    /** Counts one more time Telnyx's recordings API listed nothing for the call; returns the count. */
    public long countEmptyListing(String callControlId) {
        return run(commands -> commands.hincrby(key(callControlId), CallHash.Field.RECORDING_LISTINGS.wire, 1));
    }

    /** Counts one more time Telnyx's recordings API failed for the call; returns the count. */
    public long countRecordingsApiFailure(String callControlId) {
        return run(commands -> commands.hincrby(key(callControlId), CallHash.Field.RECORDING_API_FAILURES.wire, 1));
    }

    private static String member(OutboxEntry entry) {
        return "[" + quote(entry.callControlId()) + "," + quote(entry.deliverable().field()) + "]";
    }

    private static OutboxEntry entry(String member) {
        try {
            String[] parts = Json.mapper().readValue(member, String[].class);
            Deliverable deliverable = parts.length == 2 && Ids.valid(parts[0]) ? Deliverable.parse(parts[1]) : null;
            return deliverable == null ? null : new OutboxEntry(parts[0], deliverable);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String quote(String text) {
        try {
            return Json.mapper().writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One command, waited for until its deadline: {@link #COMMAND_TIMEOUT} cut to the invocation's budget. A Redis
     * that accepts and never answers costs the caller that long, never more.
     */
    private <T> T run(Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command) {
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
     * Before a SnapStart snapshot: encodes a command of each kind this store sends and decodes a canned reply of
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
        ByteBuf answer = Unpooled.wrappedBuffer(reply.getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
