package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ends a call whose {@code call.hangup} did not come, on other evidence that it ended: the one path the stale sweep
 * ({@code stale_sweep}, {@code max_duration}), the page's report ({@code page_report}) and a recording event
 * ({@code recording_event}) share. The call is recorded as ended at {@code end} with {@code settled_by} (first-wins:
 * a hang-up or another settlement that came first stands), a WARN line and a {@code StaleCallsSettled} metric (with
 * {@code settled_by} as a dimension) are written, and its call log goes through {@link Delivery} as at a hang-up.
 */
public final class Settlement {
    /**
     * What says the call ended.
     *
     * @param settledBy what settled it ({@code settled_by} on the call and the log line)
     * @param reason why, in plain words
     * @param end when it ended
     * @param endFrom where {@code end} came from ({@code telnyx}, {@code recording}, {@code now}...)
     * @param cause the hang-up cause the evidence stands for, or {@code null} (the call log's rule then decides)
     */
    public record Evidence(String settledBy, String reason, Instant end, String endFrom, String cause) {
    }

    private final Calls calls;
    private final CallTracker tracker;
    private final Clock clock;
    private final JsonLog log;

    public Settlement(Calls calls, CallTracker tracker, Clock clock, JsonLog log) {
        this.calls = calls;
        this.tracker = tracker;
        this.clock = clock;
        this.log = log;
    }

    /**
     * Settles the call {@code call} (its state as read) with {@code evidence}, logging {@code message} at WARN.
     *
     * @return whether this settlement is the one that ended it (a hang-up or another settlement may have come first:
     *     then nothing is logged nor posted here)
     */
    public boolean settle(CallControlId callControlId, CallState call, Evidence evidence, String message) {
        Instant now = clock.instant();
        CallState settled = calls.record(callControlId,
                CallFacts.settled(evidence.end(), now, evidence.settledBy(), evidence.cause()), now);
        CallFacts after = settled.facts();
        if (!evidence.settledBy().equals(after.settledBy()) || !now.equals(after.hangupSeenAt())) {
            return false;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", callControlId);
        fields.put("reason", evidence.reason());
        fields.put("settled_by", evidence.settledBy());
        fields.put("ended_at", evidence.end().toString());
        fields.put("end_time_from", evidence.endFrom());
        fields.put("answered", call.facts().answeredAt() != null);
        log.warn(message, fields);
        log.metric("StaleCallsSettled", "Count", 1, Map.of("settled_by", evidence.settledBy()), fields);
        tracker.postCallLog(callControlId, settled);
        return true;
    }
}
