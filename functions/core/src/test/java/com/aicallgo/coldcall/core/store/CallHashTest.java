package com.aicallgo.coldcall.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.store.CallState.Mark;
import com.aicallgo.coldcall.core.store.CallState.Recording;
import com.aicallgo.coldcall.core.store.CallState.Stage;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hash layout without Redis: what a running deployment's keys decode to, what facts encode to, the scripts. */
class CallHashTest {
    private static final Instant T = Instant.parse("2025-11-15T10:30:00Z");

    /** A hash as the functions before the typed core wrote it (the layout did not change). */
    private static Map<String, String> deployedHash() {
        Map<String, String> hash = new LinkedHashMap<>();
        hash.put("call_control_id", "v3:abc");
        hash.put("state", "ended");
        hash.put("updated_at", "2025-11-15T10:35:01Z");
        hash.put("to_phone", "+18005551234");
        hash.put("from_phone", "+14083572311");
        hash.put("call_session_id", "session-1");
        hash.put("call_start_time", "2025-11-15T10:30:00Z");
        hash.put("answered_at", "2025-11-15T10:30:05Z");
        hash.put("ended_at", "2025-11-15T10:35:00Z");
        hash.put("hangup_at", "2025-11-15T10:35:00.500Z");
        hash.put("hangup_seen_at", "2025-11-15T10:35:01Z");
        hash.put("hangup_cause", "normal_clearing");
        hash.put("recording_state", "requesting:1763202600000");
        hash.put("call_log", "claimed:1763202901000");
        hash.put("outbox_since:call_log", "2025-11-15T10:35:01Z");
        hash.put("outbox_attempts:call_log", "2");
        hash.put("recording:rec-1", "queued");
        hash.put("outbox:recording:rec-1", "{\"call_sid\":\"v3:abc\"}");
        hash.put("result:recording:rec-1", "completed");
        hash.put("saved_at:recording:rec-1", "2025-11-15T10:35:30Z");
        hash.put("result:recording:rec-2", "failed");
        hash.put("recording:rec-3", "done");
        hash.put("result:recording:rec-3", "completed");
        hash.put("backfilled:recording:rec-3", "2025-11-15T10:40:00Z");
        hash.put("event:evt-1", "2025-11-15T10:30:05Z");
        return hash;
    }

    @Test
    void aDeployedHashDecodesToItsTypedState() {
        CallState call = CallHash.decode(deployedHash());
        assertEquals("v3:abc", call.callControlId());
        assertEquals(Stage.ENDED, call.facts().stage());
        assertEquals("+18005551234", call.facts().toPhone());
        assertEquals(Instant.parse("2025-11-15T10:30:05Z"), call.facts().answeredAt());
        assertEquals(Instant.parse("2025-11-15T10:35:00.500Z"), call.facts().hangupAt());
        assertEquals("normal_clearing", call.facts().hangupCause());
        assertEquals(Recording.REQUESTING, call.recording());
        assertTrue(call.ended());
        assertFalse(call.empty());
        assertTrue(call.handled("evt-1"));
        assertFalse(call.handled("evt-2"));

        CallState.Sending callLog = call.sending(Deliverable.CALL_LOG);
        assertEquals(Mark.CLAIMED, callLog.mark());
        assertEquals(2, callLog.attempts());
        assertEquals(Instant.parse("2025-11-15T10:35:01Z"), callLog.queuedSince());

        CallState.Sending first = call.sending(new Deliverable.Recording("rec-1"));
        assertEquals(Mark.QUEUED, first.mark());
        assertEquals("{\"call_sid\":\"v3:abc\"}", first.payload());
        assertEquals(Boolean.TRUE, first.completed());
        assertEquals(Instant.parse("2025-11-15T10:35:30Z"), first.savedAt());
        assertEquals(Boolean.FALSE, call.sending(new Deliverable.Recording("rec-2")).completed());
        assertTrue(call.sending(new Deliverable.Recording("rec-3")).backfilled());
        assertEquals(Mark.NONE, call.sending(new Deliverable.Recording("never")).mark());
        assertEquals(List.of("rec-1", "rec-2", "rec-3"),
                call.recordings().stream().map(Deliverable.Recording::id).sorted().toList());
    }

    @Test
    void nothingStoredIsAnEmptyCall() {
        CallState call = CallHash.decode(Map.of());
        assertTrue(call.empty());
        assertEquals(Stage.NONE, call.facts().stage());
        assertEquals(Recording.NONE, call.recording());
        assertFalse(call.ended());
        assertTrue(call.recordings().isEmpty());
    }

    @Test
    void factsEncodeUnderTheContractsNamesAndBlanksWriteNothing() {
        Map<String, String> fields = CallHash.encode(new CallFacts(Stage.ENDED, "+18005551234", " ", "s-1", null, T,
                null, null, T.plusSeconds(300), T.plusSeconds(300), null, "user_busy", "callee", "486", null, null, null, null, null, null));
        // numbers Telnyx tells are not first-wins: they replace the page's
        assertEquals(Map.of("to_phone", "+18005551234"), CallHash.overwrites(new CallFacts(Stage.ENDED, "+18005551234",
                " ", "s-1", null, T, null, null, T.plusSeconds(300), T.plusSeconds(300), null, "user_busy", "callee", "486", null, null, null,
                null, null, null)));
        assertEquals(Map.of("call_session_id", "s-1",
                "call_start_time", "2025-11-15T10:30:00Z", "ended_at", "2025-11-15T10:35:00Z",
                "hangup_at", "2025-11-15T10:35:00Z", "hangup_cause", "user_busy", "hangup_source", "callee",
                "sip_hangup_cause", "486"), fields);
        assertEquals(Map.of("recording_started_at", "2025-11-15T10:30:00Z", "result:recording:r1", "completed",
                "saved_at:recording:r1", "2025-11-15T10:35:00Z"),
                CallHash.encode(new RecordingFacts(new Deliverable.Recording("r1"), true, T, T.plusSeconds(300), null, null)));
        assertEquals(Map.of("result:recording:r1", "failed", "backfilled:recording:r1", "2025-11-15T10:30:00Z"),
                CallHash.encode(new RecordingFacts(new Deliverable.Recording("r1"), false, null, null, T, null)));
        assertEquals(Map.of("result:recording:r1", "failed", "reason:recording:r1", "Internal server error"),
                CallHash.encode(new RecordingFacts(new Deliverable.Recording("r1"), false, null, null, null,
                        "Internal server error")));
    }

    @Test
    void theScriptsCarryOnlyWireSpellings() {
        Pattern symbol = Pattern.compile("\\b[FPV]\\.[A-Z_]+|\\bRANK\\b");
        for (String script : List.of(CallHash.APPLY, CallHash.CLAIM, CallHash.SETTLE, CallHash.CLAIM_RECORDING,
                CallHash.PARK_RECORDING, CallHash.QUEUE, CallHash.KEEP)) {
            assertFalse(symbol.matcher(script).find(), script);
        }
        assertTrue(CallHash.APPLY.contains("{none = 0, dialing = 1, initiated = 2, active = 3, ended = 4, }"));
        assertTrue(CallHash.CLAIM_RECORDING.contains("redis.call('HEXISTS', KEYS[1], 'ended_at')"));
        assertTrue(CallHash.CLAIM.contains("value == 'done' or value == 'dead'"));
        assertTrue(CallHash.QUEUE.contains("'outbox_since:' .. ARGV[1]"));
        assertTrue(CallHash.CLAIM.contains("'claimed:' .. ARGV[2]"));
    }

    @ParameterizedTest
    @CsvSource({
        "done, Done",
        "busy, Busy",
        "claimed:1763202600000, Claimed",
    })
    void claimAnswers(String answer, String kind) {
        Claim claim = CallHash.claim(answer);
        assertEquals(kind, claim.getClass().getSimpleName());
        if (claim instanceof Claim.Claimed claimed) {
            assertEquals(answer, claimed.token(), "the token is what settling compares against");
        }
    }

    @ParameterizedTest
    @CsvSource({
        "ended, CallEnded",
        "started, AlreadyStarted",
        "requesting, AlreadyStarted",
        "requesting:1763202600000, Claimed",
    })
    void recordingClaimAnswers(String answer, String kind) {
        assertEquals(kind, CallHash.recordingClaim(answer).getClass().getSimpleName());
    }

    @ParameterizedTest
    @CsvSource({
        ", NONE, NONE",
        "claimed:1763202600000, CLAIMED, ",
        "queued, QUEUED, ",
        "done, DONE, ",
        "dead, DEAD, ",
        "requesting:1763202600000, , REQUESTING",
        "started, , STARTED",
        "saved, , SAVED",
        "pending, , PENDING",
        "failed, , FAILED",
        "call_ended, , CALL_ENDED",
        "error, , ERROR",
    })
    void marksAndRecordingStatesParseFromTheirWireForm(String wire, Mark mark, Recording recording) {
        if (mark != null) {
            assertEquals(mark, Mark.of(wire));
        }
        if (recording != null) {
            assertEquals(recording, Recording.of(wire));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "call_log, call_log",
        "outbox_attempts:call_log, call_log",
        "recording:r-1, recording:r-1",
        "outbox:recording:r:2, recording:r:2",
        "saved_at:recording:r-1, recording:r-1",
        "event:evt-1, ",
        "hangup_at, ",
        "recording_state, ",
    })
    void fieldsNameTheirDeliverable(String field, String deliverable) {
        Deliverable parsed = CallHash.deliverableOf(field);
        assertEquals(deliverable, parsed == null ? null : parsed.field());
    }

    @Test
    void aClusterClientFollowsTopologyChanges() {
        EnumSet<RefreshTrigger> triggers = EnumSet.copyOf(Redis.clusterOptions(ClientOptions.create())
                .getTopologyRefreshOptions().getAdaptiveRefreshTriggers());
        assertEquals(EnumSet.allOf(RefreshTrigger.class), triggers);
    }
}
