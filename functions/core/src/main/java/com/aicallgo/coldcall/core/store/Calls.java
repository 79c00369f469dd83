package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Ids;
import com.aicallgo.coldcall.core.time.Deadlines;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The calls in Redis: one hash per call ({@link CallHash#key}, its layout and scripts {@link CallHash}'s), plus the
 * leg and session indexes that attribute an event to its call. Every write is one Lua script on the call's one key,
 * so two functions touching the same call at once never lose an update: fields that record a fact are first-wins
 * ({@code HSETNX}), and once-only work (posting a call log, a recording, starting a recording) is claimed with a
 * lease.
 */
public final class Calls {
    /**
     * Strictly longer than the longest work done under a claim: its holder stops by {@link Deadlines#CLAIM_HOLD}
     * (the lease less a margin), so a live claim is never taken over.
     */
    public static final Duration CLAIM_LEASE = Deadlines.CLAIM_LEASE;

    private final Redis redis;
    private final Duration ttl;

    /** @param ttl how long a call's hash (and its indexes) outlive the last write */
    public Calls(Redis redis, Duration ttl) {
        this.redis = redis;
        this.ttl = ttl;
    }

    // ---------------------------------------------------------------- facts

    /**
     * Records facts first-wins (the numbers Telnyx tells replace the page's); the stage only moves forward (dialing,
     * initiated, active, ended).
     */
    public CallState record(CallControlId callControlId, CallFacts facts, Instant now) {
        return apply(callControlId, facts.stage(), CallHash.encode(facts), CallHash.overwrites(facts), now);
    }

    /**
     * Keeps a call's hash at least {@code atLeast} from now (never shortening it), so a call that is still up keeps
     * its state until it is settled; {@code false} when the call has no state left.
     */
    public boolean keep(CallControlId callControlId, Duration atLeast) {
        long seconds = Math.max(atLeast.toSeconds(), ttl.toSeconds());
        return Long.valueOf(1).equals(redis.run(commands -> commands.eval(CallHash.KEEP, ScriptOutputType.INTEGER,
                new String[] {CallHash.key(callControlId)}, Long.toString(seconds))));
    }

    /** Everything known about a call ({@link CallState#empty()} when nothing is). */
    public CallState read(CallControlId callControlId) {
        return CallHash.decode(redis.run(commands -> commands.hgetall(CallHash.key(callControlId))));
    }

    /** Whether the store has a hash for the call (a webhook named it, or start-recording found it live). */
    public boolean known(CallControlId callControlId) {
        return redis.run(commands -> commands.exists(CallHash.key(callControlId))) > 0;
    }

    /** Remembers that a webhook event was handled, so its redelivery is a no-op. */
    public void remember(CallControlId callControlId, String eventId, Instant now) {
        Ids.require("data.id", eventId);
        redis.run(commands -> commands.hset(CallHash.key(callControlId), CallHash.Prefix.EVENT.of(eventId),
                now.toString()));
    }

    /**
     * Remembers which call a leg id and a session id belong to (first wins), so an event that carries neither our
     * call's control id nor our client state can still be attributed ({@code cold_call_leg:{id}},
     * {@code cold_call_session:{id}}; each its own key, so no cross-slot script on a cluster).
     */
    public void index(CallControlId callControlId, String callLegId, String callSessionId) {
        for (String key : new String[] {legKey(callLegId), sessionKey(callSessionId)}) {
            if (key != null) {
                redis.run(commands -> commands.set(key, callControlId.value(), SetArgs.Builder.nx().ex(ttl)));
            }
        }
    }

    /**
     * Remembers the page's own id for its call ({@code cold_call_page:{id}}, first wins), from the custom SIP header
     * the page sends on the INVITE: the page finds the call by it when Telnyx never named the call to it.
     */
    public void indexPage(CallControlId callControlId, String pageCallId) {
        String key = pageKey(pageCallId);
        if (key != null) {
            redis.run(commands -> commands.set(key, callControlId.value(), SetArgs.Builder.nx().ex(ttl)));
        }
    }

    /** The call the page named {@code pageCallId} ({@link #indexPage}), or {@code null}. */
    public CallControlId callOfPage(String pageCallId) {
        return indexed(pageKey(pageCallId));
    }

    private static String pageKey(String pageCallId) {
        return Ids.valid(pageCallId) ? "cold_call_page:{" + pageCallId + "}" : null;
    }

    /**
     * Remembers that a call is not one of ours to act on (an inbound call, another connection's call), so its later
     * events, which do not say so themselves, are ignored too ({@code cold_call_ignored:{id}}, for the call's TTL).
     */
    public void markIgnored(CallControlId callControlId, String reason) {
        redis.run(commands -> commands.set(ignoredKey(callControlId), reason, SetArgs.Builder.ex(ttl)));
    }

    /** Why a call is not ours to act on ({@link #markIgnored}), or {@code null}. */
    public String ignored(CallControlId callControlId) {
        return redis.run(commands -> commands.get(ignoredKey(callControlId)));
    }

    private static String ignoredKey(CallControlId callControlId) {
        return "cold_call_ignored:{" + callControlId + "}";
    }

    /** The call a leg id was indexed for, or {@code null}. */
    public CallControlId callOfLeg(String callLegId) {
        return indexed(legKey(callLegId));
    }

    /** The call a session id was indexed for, or {@code null}. */
    public CallControlId callOfSession(String callSessionId) {
        return indexed(sessionKey(callSessionId));
    }

    /** The call an index key names, or {@code null}: also when what it holds is no call control id (poisoned). */
    private CallControlId indexed(String key) {
        return key == null ? null : CallControlId.parse(redis.run(commands -> commands.get(key)));
    }

    private static String legKey(String callLegId) {
        return Ids.valid(callLegId) ? "cold_call_leg:{" + callLegId + "}" : null;
    }

    private static String sessionKey(String callSessionId) {
        return Ids.valid(callSessionId) ? "cold_call_session:{" + callSessionId + "}" : null;
    }

    // ---------------------------------------------------------------- recording

    /**
     * Records what a recording's webhook (or a backfill) says: its result, when it was saved or backfilled (each
     * first-wins), and, from a webhook, the call's recording state ({@code SAVED} or {@code ERROR}).
     */
    public CallState recordRecording(CallControlId callControlId, RecordingFacts facts, CallState.Recording state,
            Instant now) {
        Map<String, String> overwrite = state == null ? Map.of() : Map.of(CallHash.Field.RECORDING_STATE.wire, state.wire);
        return apply(callControlId, null, CallHash.encode(facts), overwrite, now);
    }

    /**
     * Sets the recording state unless one stands already: {@code STARTED} when the parked flow's connect command asked
     * for the recording (so neither the page nor the answer sends a record_start of its own), {@code PENDING} when the
     * page asked before the call's flow was known (the answer starts it if the call turns out not parked).
     */
    public CallState markRecording(CallControlId callControlId, CallState.Recording state, Instant now) {
        return apply(callControlId, null, Map.of(CallHash.Field.RECORDING_STATE.wire, state.wire), Map.of(), now);
    }

    /** Replaces a pending recording state (the page asked before the connect command recorded the call). */
    public void replacePendingRecording(CallControlId callControlId, CallState.Recording state, Instant now) {
        apply(callControlId, null, Map.of(), Map.of(CallHash.Field.RECORDING_STATE.wire, state.wire), now);
    }

    /**
     * Marks the call's recording checked, first-wins, with why when given.
     *
     * @return whether this mark is the one that counts (a concurrent check may have won)
     */
    public boolean markRecordingChecked(CallControlId callControlId, String outcome, String reason, Instant now) {
        String mark = outcome + " " + UUID.randomUUID();
        String field = CallHash.Field.RECORDING_CHECK.wire;
        boolean ours = mark.equals(applyRaw(callControlId, null, Map.of(field, mark), Map.of(), now).get(field));
        if (ours && reason != null) {
            apply(callControlId, null, Map.of(CallHash.Field.RECORDING_CHECK_REASON.wire, reason), Map.of(), now);
        }
        return ours;
    }

    /** Counts one more time Telnyx's recordings API listed nothing for the call; returns the count. */
    public long countEmptyListing(CallControlId callControlId) {
        return increment(callControlId, CallHash.Field.RECORDING_LISTINGS);
    }

    /** Counts one more time Telnyx's recordings API failed for the call; returns the count. */
    public long countRecordingsApiFailure(CallControlId callControlId) {
        return increment(callControlId, CallHash.Field.RECORDING_API_FAILURES);
    }

    private long increment(CallControlId callControlId, CallHash.Field field) {
        return redis.run(commands -> commands.hincrby(CallHash.key(callControlId), field.wire, 1));
    }

    // ---------------------------------------------------------------- claims

    /** Claims the once-only delivery of {@code deliverable}. */
    public Claim claim(CallControlId callControlId, Deliverable deliverable, Instant now) {
        return CallHash.claim(claim(callControlId, deliverable.field(), now));
    }

    /** Marks claimed work done, if the claim is still ours; its kept payload is dropped. */
    public void finish(CallControlId callControlId, Deliverable deliverable, Claim.Claimed claim) {
        settle(callControlId, deliverable.field(), claim.token(), CallState.Mark.DONE.wire);
    }

    /** Gives a claim back, if it is still ours. */
    public void release(CallControlId callControlId, Deliverable deliverable, Claim.Claimed claim) {
        settle(callControlId, deliverable.field(), claim.token(), "");
    }

    /** Claims the once-only connect command of a parked call. */
    public Claim claimConnect(CallControlId callControlId, Instant now) {
        return CallHash.claim(claim(callControlId, CallHash.Field.CONNECT.wire, now));
    }

    /** Settles the connect claim: done once Telnyx took the command, else given back. */
    public void settleConnect(CallControlId callControlId, Claim.Claimed claim, boolean done) {
        settle(callControlId, CallHash.Field.CONNECT.wire, claim.token(), done ? CallState.Mark.DONE.wire : "");
    }

    /** The connect command sent before (under an earlier claim), or {@code null} when none was. */
    public ConnectAttempt connectAttempt(CallControlId callControlId) {
        List<io.lettuce.core.KeyValue<String, String>> values = redis.run(commands -> commands.hmget(
                CallHash.key(callControlId), CallHash.Field.CONNECT_ATTEMPT.wire, CallHash.Field.CONNECT_SENT_AT.wire));
        String attempt = values.get(0).getValueOrElse(null);
        String sentAt = values.get(1).getValueOrElse(null);
        return attempt == null || sentAt == null ? null : new ConnectAttempt(attempt, Instant.parse(sentAt));
    }

    /** Remembers the connect command about to be sent (under the connect claim; a new attempt replaces an old one). */
    public void rememberConnectAttempt(CallControlId callControlId, ConnectAttempt attempt) {
        redis.run(commands -> commands.hset(CallHash.key(callControlId), Map.of(
                CallHash.Field.CONNECT_ATTEMPT.wire, attempt.attempt(),
                CallHash.Field.CONNECT_SENT_AT.wire, attempt.firstSent().toString())));
    }

    /** Claims the right to send {@code record_start}. */
    public RecordingClaim claimRecording(CallControlId callControlId, Instant now) {
        return CallHash.recordingClaim(redis.run(commands -> commands.eval(CallHash.CLAIM_RECORDING,
                ScriptOutputType.VALUE, new String[] {CallHash.key(callControlId)}, Long.toString(now.toEpochMilli()),
                Long.toString(CLAIM_LEASE.toMillis()), Long.toString(ttl.toSeconds()))));
    }

    /** Leaves the recording state {@code state} (or none, giving the claim back), if the claim is still ours. */
    public void settleRecording(CallControlId callControlId, RecordingClaim.Claimed claim, CallState.Recording state) {
        settle(callControlId, CallHash.Field.RECORDING_STATE.wire, claim.token(),
                state == CallState.Recording.NONE ? "" : state.wire);
    }

    /**
     * Parks a claimed recording as pending (Telnyx said "not answered yet").
     *
     * @return {@code false} when the answer arrived meanwhile: the claim is still held, try again
     */
    public boolean parkRecording(CallControlId callControlId, RecordingClaim.Claimed claim) {
        return "pending".equals(redis.run(commands -> commands.eval(CallHash.PARK_RECORDING, ScriptOutputType.VALUE,
                new String[] {CallHash.key(callControlId)}, claim.token())));
    }

    /**
     * Marks once-only work queued for the outbox (keeping {@code payload} when given) and keeps the call's hash at
     * least {@code keep} long; {@link Outbox#enqueue} schedules it.
     *
     * @return {@code false} when the work was done meanwhile
     */
    boolean queue(CallControlId callControlId, Deliverable deliverable, Claim.Claimed claim, String payload,
            Instant now, Duration keep) {
        return "queued".equals(redis.run(commands -> commands.eval(CallHash.QUEUE, ScriptOutputType.VALUE,
                new String[] {CallHash.key(callControlId)}, deliverable.field(), claim == null ? "" : claim.token(),
                payload == null ? "" : payload, now.toString(),
                Long.toString(Math.max(keep.toSeconds(), ttl.toSeconds())))));
    }

    /** Marks the work given up on ({@link Outbox#deadLetter}). */
    void markDead(CallControlId callControlId, Deliverable deliverable) {
        redis.run(commands -> commands.hset(CallHash.key(callControlId), deliverable.field(),
                CallState.Mark.DEAD.wire));
    }

    private String claim(CallControlId callControlId, String field, Instant now) {
        return redis.run(commands -> commands.eval(CallHash.CLAIM, ScriptOutputType.VALUE,
                new String[] {CallHash.key(callControlId)}, field, Long.toString(now.toEpochMilli()),
                Long.toString(CLAIM_LEASE.toMillis()), Long.toString(ttl.toSeconds())));
    }

    private void settle(CallControlId callControlId, String field, String token, String value) {
        redis.run(commands -> commands.eval(CallHash.SETTLE, ScriptOutputType.INTEGER,
                new String[] {CallHash.key(callControlId)}, field, token, value));
    }

    private CallState apply(CallControlId callControlId, CallState.Stage stage, Map<String, String> firstWins,
            Map<String, String> overwrite, Instant now) {
        return CallHash.decode(applyRaw(callControlId, stage, firstWins, overwrite, now));
    }

    private Map<String, String> applyRaw(CallControlId callControlId, CallState.Stage stage,
            Map<String, String> firstWins, Map<String, String> overwrite, Instant now) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(ttl.toSeconds()));
        args.add(now.toString());
        args.add(stage == null || stage == CallState.Stage.NONE ? "" : stage.wire);
        Map<String, String> first = new LinkedHashMap<>(firstWins);
        first.put(CallHash.Field.CALL_CONTROL_ID.wire, callControlId.value());
        args.add(Integer.toString(first.size()));
        first.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        overwrite.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        List<Object> flat = redis.run(commands -> commands.eval(CallHash.APPLY, ScriptOutputType.MULTI,
                new String[] {CallHash.key(callControlId)}, args.toArray(String[]::new)));
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return fields;
    }
}
