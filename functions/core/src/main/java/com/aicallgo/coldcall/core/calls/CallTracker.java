package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.CallState.Stage;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Follows a call through its call-control webhooks and delivers its call log once it has ended. Facts are stored
 * first-wins, so redeliveries and events in any order build the same state; the call log is built from the state,
 * never from the event at hand ({@link CallLogBuilder}).
 */
public final class CallTracker {
    private final CallStore store;
    private final RecordingStarter recordings;
    private final Delivery delivery;
    private final boolean autoRecord;
    private final Duration reconcileAfter;
    private final Clock clock;
    private final CallQuality quality;

    public CallTracker(CallStore store, RecordingStarter recordings, Delivery delivery, boolean autoRecord,
            Duration reconcileAfter, Clock clock, CallQuality quality) {
        this.store = store;
        this.recordings = recordings;
        this.delivery = delivery;
        this.autoRecord = autoRecord;
        this.reconcileAfter = reconcileAfter;
        this.clock = clock;
        this.quality = quality;
    }

    /** Applies one call event ({@code call.initiated}, {@code call.answered}, {@code call.hangup}). */
    public EventOutcome apply(WebhookEvent event) {
        Stage stage = switch (event.type()) {
            case CALL_INITIATED -> Stage.INITIATED;
            case CALL_ANSWERED -> Stage.ACTIVE;
            case CALL_HANGUP -> Stage.ENDED;
            case RECORDING_SAVED, RECORDING_ERROR, OTHER -> Stage.NONE;
        };
        if (stage == Stage.NONE) {
            return EventOutcome.IGNORED;
        }
        String callControlId = event.callControlId();
        WebhookEvent.Payload payload = event.payload();
        Instant occurred = event.occurredAt();
        // start_time rides on every call event, so the log does not depend on whether call.initiated came first
        Instant started = WebhookEvent.time("data.payload.start_time", payload.startTime());
        boolean hangup = stage == Stage.ENDED;
        Instant end = hangup ? WebhookEvent.time("data.payload.end_time", payload.endTime()) : null;
        CallState call = store.record(callControlId, new CallFacts(stage, payload.to(), payload.from(),
                // the recordings API is asked by the session id when no recording webhook comes
                payload.callSessionId(), payload.callLegId(),
                started == null ? occurred : started,
                stage == Stage.INITIATED ? occurred : null,
                stage == Stage.ACTIVE ? occurred : null,
                hangup ? (end == null ? occurred : end) : null,
                hangup ? occurred : null,
                // when we learned of the hang-up: waits for what may still come (the answer, the recording) count
                // from here, so a hang-up Telnyx delivers late does not cut them short
                hangup ? clock.instant() : null,
                hangup ? payload.hangupCause() : null,
                hangup ? payload.hangupSource() : null,
                hangup ? payload.sipHangupCause() : null), clock.instant());
        if (call.handled(event.id())) {
            return EventOutcome.DUPLICATE;
        }
        EventOutcome outcome = switch (stage) {
            case ACTIVE -> call.ended() ? postCallLog(callControlId, call) : startRecording(callControlId, call);
            case ENDED -> postCallLog(callControlId, call);
            case NONE, DIALING, INITIATED -> EventOutcome.RECORDED;
        };
        if (hangup) {
            // after the outcome: a hang-up that failed on the way (and comes again) has published nothing yet
            quality.publish(callControlId, call, payload.callQualityStats());
        }
        if (outcome != EventOutcome.AWAITING_ANSWER) {
            store.remember(callControlId, event.id(), clock.instant());
        }
        return outcome;
    }

    private EventOutcome startRecording(String callControlId, CallState call) {
        boolean wanted = switch (call.recording()) {
            case PENDING, FAILED -> true;
            case NONE -> autoRecord;
            case REQUESTING, STARTED, SAVED, CALL_ENDED, ERROR -> false;
        };
        if (!wanted) {
            return EventOutcome.ANSWERED;
        }
        return switch (recordings.start(callControlId)) {
            case STARTED -> EventOutcome.RECORDING_STARTED;
            case ALREADY_STARTED -> EventOutcome.RECORDING_ALREADY_STARTED;
            case CALL_ENDED -> EventOutcome.RECORDING_CALL_ENDED;
            case PENDING -> EventOutcome.AWAITING_ANSWER;
        };
    }

    private EventOutcome postCallLog(String callControlId, CallState call) {
        if (CallLogBuilder.answered(call)) {
            // an answered call must end up with a recording: check on it a few minutes after the hang-up
            store.scheduleCheck(callControlId, CallLogBuilder.hungUp(call).plus(reconcileAfter));
        }
        return switch (delivery.deliverCallLog(callControlId, call)) {
            case POSTED -> EventOutcome.CALL_LOG_POSTED;
            case ALREADY_POSTED -> EventOutcome.CALL_LOG_ALREADY_POSTED;
            case QUEUED -> EventOutcome.CALL_LOG_QUEUED;
            case DEAD_LETTERED -> EventOutcome.CALL_LOG_DEAD_LETTERED;
        };
    }
}
