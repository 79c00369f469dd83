package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.webbackend.CallLog;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The call log from a call's state, and when it can be built: no I/O. */
class CallLogBuilderTest {
    private static final Instant START = Instant.parse("2025-11-15T10:30:00Z");
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(60);
    private final CallLogBuilder builder = new CallLogBuilder("biz-1", "+15550000001", ANSWER_WAIT);

    /** Times are seconds after START; blank is absent. */
    static CallState call(Integer answered, Integer ended, String cause, Integer recordingStarted, Integer seen) {
        Instant end = at(ended);
        return new CallState("v3:t", new CallFacts(end == null ? CallState.Stage.ACTIVE : CallState.Stage.ENDED,
                "+18005551234", "+14083572311", "s-1", "l-1", START, START.plusSeconds(1), at(answered), end, end,
                at(seen), cause, "callee", null, null, null, null, null, null, null), CallState.Recording.NONE, at(recordingStarted), false, false, Map.of(),
                Set.of());
    }

    private static Instant at(Integer seconds) {
        return seconds == null ? null : START.plusSeconds(seconds);
    }

    @ParameterizedTest(name = "answered {0}, ended {1}, {2} -> {5}, {6} s from +{7}")
    @CsvSource({
        // answered, ended, cause, recording started, seen, status, duration, start offset
        "5, 125, normal_clearing, , , completed, 120, 5",
        "5, 125, user_busy, , , completed, 120, 5",
        ", 30, user_busy, , , busy, 0, 0",
        ", 30, call_rejected, , , busy, 0, 0",
        ", 45, timeout, , , no-answer, 0, 0",
        ", 45, no_answer, , , no-answer, 0, 0",
        ", 10, originator_cancel, , , canceled, 0, 0",
        ", 10, unallocated_number, , , failed, 0, 0",
        ", 10, , , , failed, 0, 0",
        // talked but call.answered never came: the recording's start, else the call's start, is the answer
        ", 100, normal_clearing, 8, , completed, 92, 8",
        ", 100, time_limit, , , completed, 100, 0",
        // normal_clearing with no answer and no recording: not a talked call (no SIP code: failed)
        ", 100, normal_clearing, , , failed, 0, 0",
        // a hang-up reported before the answer gives 0 s, never a negative duration
        "50, 40, normal_clearing, , , completed, 0, 50",
        // rounding to the nearest second
        "5, 65, normal_clearing, , , completed, 60, 5",
    })
    void buildsTheContractsLog(Integer answered, Integer ended, String cause, Integer recording, Integer seen,
            String status, long duration, int startOffset) {
        CallLog log = builder.build(new CallControlId("v3:t"), call(answered, ended, cause, recording, seen));
        assertEquals(status, log.callStatus());
        assertEquals(duration, log.callDurationSeconds());
        assertEquals(START.plusSeconds(startOffset).toString(), log.callStartTime());
        assertEquals(START.plusSeconds(ended).toString(), log.callEndTime());
        assertEquals("biz-1", log.businessId());
        assertEquals("+14083572311", log.callerPhoneNumber());
        assertEquals("+18005551234", log.toPhoneNumber());
        assertEquals("OUTBOUND", log.callDirection());
        assertEquals("v3:t", log.twilioCallSid());
    }

    @ParameterizedTest(name = "answered {0}, ended {1}, {2}, seen {3} -> ready at {4}")
    @CsvSource({
        // answered, ended, cause, seen, ready (seconds after START; MIN = now; blank = not ended)
        "5, 100, normal_clearing, , MIN",
        ", 100, user_busy, , MIN",
        ", 100, normal_clearing, , 160",
        // a hang-up learned of late waits from when it was learned of
        ", 100, normal_clearing, 400, 460",
        // seen before Telnyx's own time (clock skew): Telnyx's time counts
        ", 100, normal_clearing, 90, 160",
        "5, , , , ",
    })
    void readyWhenTheAnswerCannotStillCome(Integer answered, Integer ended, String cause, Integer seen, String ready) {
        Instant expected = ready == null ? null : ready.equals("MIN") ? Instant.MIN : START.plusSeconds(Long.parseLong(ready));
        assertEquals(expected, builder.readyAt(call(answered, ended, cause, null, seen)));
    }

    /** The browser leg's hang-up with these facts, no answer: the recording state as given. */
    static CallState hungUp(String source, String sip, CallState.Recording recording, Integer seen) {
        Instant end = at(100);
        return new CallState("v3:t", new CallFacts(CallState.Stage.ENDED, "+18005551234", "+14083572311", "s-1",
                "l-1", START, START.plusSeconds(1), null, end, end, at(seen), "normal_clearing", source, sip, null,
                null, false, null, null, null), recording, null, false, false, Map.of(), Set.of());
    }

    @ParameterizedTest(name = "{0} SIP {1} recording {2} -> {3} ready at {4}")
    @CsvSource({
        // source, SIP, recording, status, ready (seconds after START; MIN = now)
        // a tab closed while it rang: the browser's leg hung up, no SIP code, no answer
        "caller, unspecified, NONE, canceled, MIN",
        "caller, unspecified, CALL_ENDED, canceled, MIN",
        "callee, 487, NONE, canceled, MIN",
        "callee, 486, NONE, busy, MIN",
        "unknown, 480, NONE, no-answer, MIN",
        // talked, but when it was answered only the answer tells
        "callee, 200, NONE, completed, 160",
        "callee, unspecified, STARTED, completed, 160",
        "callee, unspecified, SAVED, completed, 160",
        // record_start refused as not answered (90034)
        "callee, unspecified, PENDING, failed, MIN",
        // talked, or nothing decides: a short wait for the answer and its time (from when the hang-up was learned of)
        "callee, unspecified, NONE, failed, 160",
        "unknown, , FAILED, failed, 160",
        "callee, unspecified, REQUESTING, failed, 160",
    })
    void theHangupsFactsDecideAtOnceWhereTheyCan(String source, String sip, CallState.Recording recording,
            String status, String ready) {
        CallState call = hungUp(source, sip, recording, 100);
        assertEquals(ready.equals("MIN") ? Instant.MIN : START.plusSeconds(Long.parseLong(ready)),
                builder.readyAt(call));
        assertEquals(status, builder.build(new CallControlId("v3:t"), call).callStatus());
    }

    @Test
    void answeredIsTheAnswerOrATalkingCause() {
        assertEquals(true, call(5, 10, "user_busy", null, null).answered());
        // normal_clearing alone does not say the call talked (the spec does not tie it to an answer) ...
        assertEquals(false, call(null, 10, "NORMAL_CLEARING", null, null).answered());
        // ... a recording Telnyx made of it does (it refuses to record before the answer)
        assertEquals(true, call(null, 10, "NORMAL_CLEARING", 3, null).answered());
        assertEquals(true, call(null, 10, "time_limit", null, null).answered());
        assertEquals(false, call(null, 10, "user_busy", null, null).answered());
        assertNull(builder.readyAt(call(null, null, null, null, null)));
    }

    @Test
    void numbersThatAreNotE164AreNeverPostedAsTold() {
        CallState told = call(5, 10, "normal_clearing", null, null);
        CallFacts facts = told.facts();
        CallState hostile = new CallState("v3:t", new CallFacts(facts.stage(), "+1800\r\nX-Injected: 1" + "9".repeat(65_536),
                "sip:gencred5Xk@sip.telnyx.com", "s-1", "l-1", START, START.plusSeconds(1), facts.answeredAt(),
                facts.endedAt(), facts.hangupAt(), null, "normal_clearing\u0000\u001b[31m", "callee", null, null, null,
                null, null, null, null), CallState.Recording.NONE, null, false, false, Map.of(), Set.of());
        CallLog log = builder.build(new CallControlId("v3:t"), hostile);
        assertEquals("unknown", log.toPhoneNumber());
        assertEquals("+15550000001", log.callerPhoneNumber(), "our caller ID, not the SIP login");
        assertEquals("completed", log.callStatus());
    }

    @Test
    void aMissingBusinessIdIsAConfigurationError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new CallLogBuilder(null, "+15550000001", ANSWER_WAIT).build(new CallControlId("v3:t"),
                        call(5, 10, "normal_clearing", null, null)));
        assertEquals("COLD_CALL_BUSINESS_ID is required and not set", e.getMessage());
    }
}
