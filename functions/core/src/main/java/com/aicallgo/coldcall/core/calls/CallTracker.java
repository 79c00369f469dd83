package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.http.ErrorCode;
import com.aicallgo.coldcall.core.store.CallRecord;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Follows a call through its call-control webhooks and delivers its call log once it has ended. Facts are stored
 * first-wins, so redeliveries and events in any order build the same record; the call log is built from the
 * record, never from the event at hand ({@link CallLogBuilder}).
 */
public final class CallTracker {
    private final CallStore store;
    private final RecordingStarter recordings;
    private final Delivery delivery;
    private final boolean autoRecord;
    private final Duration reconcileAfter;
    private final Clock clock;

    public CallTracker(CallStore store, RecordingStarter recordings, Delivery delivery, boolean autoRecord,
            Duration reconcileAfter, Clock clock) {
        this.store = store;
        this.recordings = recordings;
        this.delivery = delivery;
        this.autoRecord = autoRecord;
        this.reconcileAfter = reconcileAfter;
        this.clock = clock;
    }

    /**
     * Applies one webhook event.
     *
     * @return the outcome for the log line ({@code ignored}, {@code duplicate}, {@code call_log_posted}, ...)
     * @throws ApiException 503 when Redis is down or Telnyx does not see the call answered yet, so Telnyx
     *     delivers the event again
     */
    public String apply(WebhookEvent event) {
        String state = switch (event.eventType()) {
            case "call.initiated" -> "initiated";
            case "call.answered" -> "active";
            case "call.hangup" -> "ended";
            default -> null;
        };
        if (state == null) {
            return "ignored";
        }
        String callControlId = event.callControlId();
        WebhookEvent.Payload payload = event.payload();
        Instant occurred = event.occurredAt();
        Map<String, String> facts = new LinkedHashMap<>();
        put(facts, "to_phone", payload.to());
        put(facts, "from_phone", payload.from());
        // the recordings API is asked by these ids when no recording webhook comes
        put(facts, "call_session_id", payload.callSessionId());
        put(facts, "call_leg_id", payload.callLegId());
        put(facts, "call_start_time", iso(WebhookEvent.time("data.payload.start_time", payload.startTime())));
        switch (state) {
            case "initiated" -> facts.put("initiated_at", occurred.toString());
            case "active" -> facts.put("answered_at", occurred.toString());
            default -> {
                Instant end = WebhookEvent.time("data.payload.end_time", payload.endTime());
                facts.put("ended_at", (end == null ? occurred : end).toString());
                facts.put("hangup_at", occurred.toString());
                // when we learned of it: waits for what may still come (the answer, the recording) count from here,
                // so a hang-up Telnyx delivers late does not cut them short
                facts.put("hangup_seen_at", clock.instant().toString());
                put(facts, "hangup_cause", payload.hangupCause());
                put(facts, "hangup_source", payload.hangupSource());
                put(facts, "sip_hangup_cause", payload.sipHangupCause());
            }
        }
        facts.putIfAbsent("call_start_time", occurred.toString());
        CallRecord call = store.apply(callControlId, state, facts, Map.of(), clock.instant());
        if (call.has("event:" + event.id())) {
            return "duplicate";
        }
        String outcome = switch (state) {
            case "active" -> call.has("ended_at") ? postCallLog(callControlId, call) : startRecording(callControlId, call);
            case "ended" -> postCallLog(callControlId, call);
            default -> "recorded";
        };
        store.remember(callControlId, event.id(), clock.instant());
        return outcome;
    }

    private String startRecording(String callControlId, CallRecord call) {
        String recording = call.get("recording_state");
        boolean wanted = "pending".equals(recording) || "failed".equals(recording)
                || (autoRecord && recording == null);
        if (!wanted) {
            return "answered";
        }
        return switch (recordings.start(callControlId)) {
            case STARTED -> "recording_started";
            case ALREADY_STARTED -> "recording_already_started";
            case CALL_ENDED -> "recording_call_ended";
            case PENDING -> throw new ApiException(ErrorCode.AWAITING_ANSWER,
                    "Telnyx does not see the call answered yet; deliver again", "record_start still pending", null);
        };
    }

    private String postCallLog(String callControlId, CallRecord call) {
        if (CallLogBuilder.answered(call)) {
            // an answered call must end up with a recording: check on it a few minutes after the hang-up
            store.scheduleCheck(callControlId, CallLogBuilder.hungUp(call).plus(reconcileAfter));
        }
        return switch (delivery.deliverCallLog(callControlId, call)) {
            case POSTED -> "call_log_posted";
            case ALREADY_POSTED -> "call_log_already_posted";
            case QUEUED -> "call_log_queued";
            case DEAD_LETTERED -> "call_log_dead_lettered";
        };
    }

    private static void put(Map<String, String> facts, String field, String value) {
        if (value != null && !value.isBlank()) {
            facts.put(field, value);
        }
    }

    private static String iso(Instant time) {
        return time == null ? null : time.toString();
    }
}
