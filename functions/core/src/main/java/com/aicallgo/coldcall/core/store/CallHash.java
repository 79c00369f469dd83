package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.CallControlId;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layout of a call's Redis hash: the one place that names its fields and spells their values, in both
 * directions (typed facts to fields, fields to a {@link CallState}), and the Lua scripts that change it. The scripts
 * name fields and values symbolically ({@code F.ENDED_AT}, {@code P.OUTBOX}, {@code V.DONE}, and {@code RANK} for the
 * stages' order); those symbols are replaced by the wire spellings when the class loads, and an unknown symbol fails
 * the load.
 */
final class CallHash {
    /** The hash's fixed fields; the wire name is the lower-cased constant. */
    enum Field {
        CALL_CONTROL_ID, STATE, UPDATED_AT, TO_PHONE, FROM_PHONE, CALL_SESSION_ID, CALL_LEG_ID, CALL_START_TIME,
        INITIATED_AT, ANSWERED_AT, ENDED_AT, HANGUP_AT, HANGUP_SEEN_AT, HANGUP_CAUSE, HANGUP_SOURCE, SIP_HANGUP_CAUSE,
        DESTINATION_HANGUP_CAUSE, DESTINATION_SIP_HANGUP_CAUSE, PARKED, SETTLED_BY, REP,
        /** The call gate's rule that refused the call (docs/call-policy.md). */
        BLOCKED,
        /** The parked flow's connect command: claimed while sent, {@code done} once Telnyx took it. */
        CONNECT,
        /** The connect command's attempt (its {@code command_id}) and when it was first sent: kept across deliveries. */
        CONNECT_ATTEMPT, CONNECT_SENT_AT,
        RECORDING_STATE, RECORDING_STARTED_AT, RECORDING_CHECK, RECORDING_CHECK_REASON, RECORDING_LISTINGS,
        RECORDING_API_FAILURES;

        final String wire = name().toLowerCase(Locale.ROOT);
    }

    /** Fields per deliverable ({@code outbox:call_log}) or per event ({@code event:<id>}). */
    enum Prefix {
        OUTBOX, OUTBOX_SINCE, OUTBOX_ATTEMPTS, RESULT, SAVED_AT, BACKFILLED,
        /** Why a recording failed at Telnyx ({@code call.recording.error}'s {@code reason}). */
        REASON,
        EVENT;

        final String wire = name().toLowerCase(Locale.ROOT) + ":";

        String of(String suffix) {
            return wire + suffix;
        }

        String of(Deliverable deliverable) {
            return wire + deliverable.field();
        }
    }

    private CallHash() {
    }

    /**
     * The Redis key of a call: {@code cold_call_status:{<call_control_id>}}. The braces make the call control id the
     * key's hash tag, so on a Redis cluster everything about one call sits in one slot.
     */
    static String key(CallControlId callControlId) {
        return "cold_call_status:{" + callControlId + "}";
    }

    // ---------------------------------------------------------------- reading

    static CallState decode(Map<String, String> hash) {
        Map<Deliverable, CallState.Sending> sendings = new LinkedHashMap<>();
        Set<String> events = new HashSet<>();
        for (String field : hash.keySet()) {
            if (field.startsWith(Prefix.EVENT.wire)) {
                events.add(field.substring(Prefix.EVENT.wire.length()));
            }
            Deliverable deliverable = deliverableOf(field);
            if (deliverable != null) {
                sendings.computeIfAbsent(deliverable, d -> sending(hash, d));
            }
        }
        return new CallState(
                get(hash, Field.CALL_CONTROL_ID),
                new CallFacts(
                        CallState.Stage.of(get(hash, Field.STATE)),
                        get(hash, Field.TO_PHONE),
                        get(hash, Field.FROM_PHONE),
                        get(hash, Field.CALL_SESSION_ID),
                        get(hash, Field.CALL_LEG_ID),
                        time(hash.get(Field.CALL_START_TIME.wire)),
                        time(hash.get(Field.INITIATED_AT.wire)),
                        time(hash.get(Field.ANSWERED_AT.wire)),
                        time(hash.get(Field.ENDED_AT.wire)),
                        time(hash.get(Field.HANGUP_AT.wire)),
                        time(hash.get(Field.HANGUP_SEEN_AT.wire)),
                        get(hash, Field.HANGUP_CAUSE),
                        get(hash, Field.HANGUP_SOURCE),
                        get(hash, Field.SIP_HANGUP_CAUSE),
                        get(hash, Field.DESTINATION_HANGUP_CAUSE),
                        get(hash, Field.DESTINATION_SIP_HANGUP_CAUSE),
                        hash.containsKey(Field.PARKED.wire) ? Boolean.valueOf(hash.get(Field.PARKED.wire)) : null,
                        get(hash, Field.SETTLED_BY),
                        get(hash, Field.REP),
                        get(hash, Field.BLOCKED)),
                CallState.Recording.of(get(hash, Field.RECORDING_STATE)),
                time(hash.get(Field.RECORDING_STARTED_AT.wire)),
                hash.containsKey(Field.RECORDING_CHECK.wire),
                hash.isEmpty(),
                Map.copyOf(sendings),
                Set.copyOf(events));
    }

    /** The deliverable a field belongs to (its mark or one of its prefixed fields), or {@code null}. */
    static Deliverable deliverableOf(String field) {
        for (Prefix prefix : Prefix.values()) {
            if (prefix != Prefix.EVENT && field.startsWith(prefix.wire)) {
                return Deliverable.parse(field.substring(prefix.wire.length()));
            }
        }
        return Deliverable.parse(field);
    }

    private static CallState.Sending sending(Map<String, String> hash, Deliverable deliverable) {
        String attempts = hash.get(Prefix.OUTBOX_ATTEMPTS.of(deliverable));
        String result = hash.get(Prefix.RESULT.of(deliverable));
        return new CallState.Sending(
                CallState.Mark.of(hash.get(deliverable.field())),
                hash.get(Prefix.OUTBOX.of(deliverable)),
                time(hash.get(Prefix.OUTBOX_SINCE.of(deliverable))),
                attempts == null ? 0 : Integer.parseInt(attempts),
                result == null ? null : result.equals(RecordingStatus.COMPLETED.wire()),
                time(hash.get(Prefix.SAVED_AT.of(deliverable))),
                hash.containsKey(Prefix.BACKFILLED.of(deliverable)),
                hash.get(Prefix.REASON.of(deliverable)));
    }

    private static String get(Map<String, String> hash, Field field) {
        return hash.get(field.wire);
    }

    private static Instant time(String value) {
        return value == null ? null : Instant.parse(value);
    }

    // ---------------------------------------------------------------- writing

    /** The first-wins fields of a set of facts (absent facts write nothing). */
    static Map<String, String> encode(CallFacts facts) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (facts.fromPage()) {
            put(fields, Field.TO_PHONE.wire, facts.toPhone());
            put(fields, Field.FROM_PHONE.wire, facts.fromPhone());
        }
        put(fields, Field.CALL_SESSION_ID.wire, facts.callSessionId());
        put(fields, Field.CALL_LEG_ID.wire, facts.callLegId());
        put(fields, Field.CALL_START_TIME.wire, facts.callStartTime());
        put(fields, Field.INITIATED_AT.wire, facts.initiatedAt());
        put(fields, Field.ANSWERED_AT.wire, facts.answeredAt());
        put(fields, Field.ENDED_AT.wire, facts.endedAt());
        put(fields, Field.HANGUP_AT.wire, facts.hangupAt());
        put(fields, Field.HANGUP_SEEN_AT.wire, facts.hangupSeenAt());
        put(fields, Field.HANGUP_CAUSE.wire, facts.hangupCause());
        put(fields, Field.HANGUP_SOURCE.wire, facts.hangupSource());
        put(fields, Field.SIP_HANGUP_CAUSE.wire, facts.sipHangupCause());
        put(fields, Field.DESTINATION_HANGUP_CAUSE.wire, facts.destinationHangupCause());
        put(fields, Field.DESTINATION_SIP_HANGUP_CAUSE.wire, facts.destinationSipHangupCause());
        put(fields, Field.PARKED.wire, facts.parked());
        put(fields, Field.SETTLED_BY.wire, facts.settledBy());
        put(fields, Field.REP.wire, facts.rep());
        put(fields, Field.BLOCKED.wire, facts.blocked());
        return fields;
    }

    /** The fields a set of facts overwrites: the numbers Telnyx tells replace the page's. */
    static Map<String, String> overwrites(CallFacts facts) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (!facts.fromPage()) {
            put(fields, Field.TO_PHONE.wire, facts.toPhone());
            put(fields, Field.FROM_PHONE.wire, facts.fromPhone());
        }
        return fields;
    }

    /** What a recording's webhook or backfill tells about it, first-wins. */
    static Map<String, String> encode(RecordingFacts facts) {
        Map<String, String> fields = new LinkedHashMap<>();
        put(fields, Field.RECORDING_STARTED_AT.wire, facts.startedAt());
        put(fields, Prefix.RESULT.of(facts.recording()), facts.status().wire());
        put(fields, Prefix.SAVED_AT.of(facts.recording()), facts.savedAt());
        put(fields, Prefix.BACKFILLED.of(facts.recording()), facts.backfilledAt());
        put(fields, Prefix.REASON.of(facts.recording()), facts.reason());
        return fields;
    }

    private static void put(Map<String, String> fields, String field, Object value) {
        if (value != null && !value.toString().isBlank()) {
            fields.put(field, value.toString());
        }
    }

    // ---------------------------------------------------------------- scripts

    private static final Pattern SYMBOL = Pattern.compile("\\b([FPV])\\.([A-Z_]+)\\b");

    /**
     * ARGV: ttl, now, stage, n (count of first-wins pairs), n pairs for HSETNX, then pairs for HSET. Like every
     * script here it only ever raises the hash's time to live: a write never cuts the longer life queuing gave it.
     */
    static final String APPLY = lua("""
            local key = KEYS[1]
            local rank = RANK
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
              local current = redis.call('HGET', key, F.STATE)
              if not current or (rank[ARGV[3]] or 0) > (rank[current] or 0) then
                redis.call('HSET', key, F.STATE, ARGV[3])
              end
            end
            redis.call('HSET', key, F.UPDATED_AT, ARGV[2])
            if redis.call('TTL', key) < tonumber(ARGV[1]) then redis.call('EXPIRE', key, ARGV[1]) end
            return redis.call('HGETALL', key)
            """);

    /** ARGV: field, now millis, lease millis, ttl. Answers {@code done}, {@code busy} or the claim token. */
    static final String CLAIM = lua("""
            local value = redis.call('HGET', KEYS[1], ARGV[1])
            if value == V.DONE or value == V.DEAD then return 'done' end
            if value then
              local since = tonumber(string.match(value, '^' .. V.CLAIMED .. '(%d+)$'))
              if since and since + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return 'busy' end
            end
            redis.call('HSET', KEYS[1], ARGV[1], V.CLAIMED .. ARGV[2])
            if redis.call('TTL', KEYS[1]) < tonumber(ARGV[4]) then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
            return V.CLAIMED .. ARGV[2]
            """);

    /** What {@link #CLAIM} answered. */
    static Claim claim(String answer) {
        return switch (answer) {
            case "done" -> new Claim.Done();
            case "busy" -> new Claim.Busy();
            default -> new Claim.Claimed(answer);
        };
    }

    /** ARGV: field, the claim token, the value to leave (empty: delete the field). Done work drops its payload. */
    static final String SETTLE = lua("""
            if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
              if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
              if ARGV[3] == V.DONE then redis.call('HDEL', KEYS[1], P.OUTBOX .. ARGV[1]) end
              return 1
            end
            return 0
            """);

    /** ARGV: now millis, lease millis, ttl. Claims the right to send record_start (never for a blocked call). */
    static final String CLAIM_RECORDING = lua("""
            if redis.call('HEXISTS', KEYS[1], F.BLOCKED) == 1 then return 'blocked' end
            if redis.call('HEXISTS', KEYS[1], F.ENDED_AT) == 1 then return 'ended' end
            local value = redis.call('HGET', KEYS[1], F.RECORDING_STATE)
            if value == V.STARTED or value == V.SAVED then return 'started' end
            if value then
              local since = tonumber(string.match(value, '^' .. V.REQUESTING .. '(%d+)$'))
              if since and since + tonumber(ARGV[2]) > tonumber(ARGV[1]) then return 'requesting' end
            end
            redis.call('HSET', KEYS[1], F.RECORDING_STATE, V.REQUESTING .. ARGV[1])
            if redis.call('TTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
            return V.REQUESTING .. ARGV[1]
            """);

    /** What {@link #CLAIM_RECORDING} answered. */
    static RecordingClaim recordingClaim(String answer) {
        return switch (answer) {
            case "blocked" -> new RecordingClaim.Blocked();
            case "ended" -> new RecordingClaim.CallEnded();
            case "started", "requesting" -> new RecordingClaim.AlreadyStarted();
            default -> new RecordingClaim.Claimed(answer);
        };
    }

    /** ARGV: claim token. Telnyx said "not answered yet": park as pending, unless the answer has been seen since. */
    static final String PARK_RECORDING = lua("""
            if redis.call('HEXISTS', KEYS[1], F.ANSWERED_AT) == 1 then return 'answered' end
            if redis.call('HGET', KEYS[1], F.RECORDING_STATE) == ARGV[1] then
              redis.call('HSET', KEYS[1], F.RECORDING_STATE, V.PENDING)
            end
            return 'pending'
            """);

    /**
     * ARGV: field, claim token or '', payload or '', now, keep seconds. Marks the work queued for the outbox; without
     * a token, a live claim of someone else is left alone (the entry then only checks on it later).
     */
    static final String QUEUE = lua("""
            local value = redis.call('HGET', KEYS[1], ARGV[1])
            if value == V.DONE or value == V.DEAD then return 'done' end
            local claimed = value and string.sub(value, 1, #V.CLAIMED) == V.CLAIMED
            if ARGV[2] ~= '' and claimed and value ~= ARGV[2] then return 'taken' end
            if not claimed or value == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], V.QUEUED) end
            if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], P.OUTBOX .. ARGV[1], ARGV[3]) end
            redis.call('HSETNX', KEYS[1], P.OUTBOX_SINCE .. ARGV[1], ARGV[4])
            if ARGV[2] ~= '' then redis.call('HINCRBY', KEYS[1], P.OUTBOX_ATTEMPTS .. ARGV[1], 1) end
            if redis.call('TTL', KEYS[1]) < tonumber(ARGV[5]) then redis.call('EXPIRE', KEYS[1], ARGV[5]) end
            return 'queued'
            """);

    /** ARGV: seconds. Keeps an existing hash at least that long; answers whether the hash exists. */
    static final String KEEP = lua("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            if redis.call('TTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
            return 1
            """);

    /** Replaces the scripts' symbols by their wire spellings, quoted for Lua. */
    static String lua(String script) {
        StringBuilder rank = new StringBuilder("{");
        for (CallState.Stage stage : CallState.Stage.values()) {
            rank.append(stage.wire).append(" = ").append(stage.ordinal()).append(", ");
        }
        return SYMBOL.matcher(script.replace("RANK", rank.append('}'))).replaceAll(symbol -> Matcher.quoteReplacement(
                "'" + switch (symbol.group(1)) {
                    case "F" -> Field.valueOf(symbol.group(2)).wire;
                    case "P" -> Prefix.valueOf(symbol.group(2)).wire;
                    default -> value(symbol.group(2));
                } + "'"));
    }

    /** The wire spelling of a mark or a recording state named in a script. */
    private static String value(String name) {
        for (CallState.Mark mark : CallState.Mark.values()) {
            if (mark.name().equals(name) && mark.wire != null) {
                return mark.wire;
            }
        }
        String wire = CallState.Recording.valueOf(name).wire;
        return Objects.requireNonNull(wire, name);
    }
}
