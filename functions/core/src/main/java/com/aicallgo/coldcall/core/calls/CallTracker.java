package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.PhoneNumber;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.policy.CallGate;
import com.aicallgo.coldcall.core.policy.DialPolicy;
import com.aicallgo.coldcall.core.policy.Verdict;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.CallState.Stage;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Claim;
import com.aicallgo.coldcall.core.store.ConnectAttempt;
import com.aicallgo.coldcall.core.store.Schedule;
import com.aicallgo.coldcall.core.telnyx.CallEnding;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl.Attempt;
import com.aicallgo.coldcall.core.telnyx.TelnyxFailure;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Follows a call through its call-control webhooks and delivers its call log once it has ended. Facts are stored
 * first-wins, so redeliveries and events in any order build the same state; the call log is built from the state,
 * never from the event at hand ({@link CallLogBuilder}).
 *
 * <p>Two flows (docs/call-flows.md). <b>Direct</b>: Telnyx bridges the browser's call to the number itself; its
 * {@code call.answered} starts the recording when nobody did. <b>Parked</b> ({@code CALL_FLOW=parked}, "Park Outbound
 * Calls" on the connection): the browser's {@code call.initiated} arrives with {@code state: "parked"} and this
 * connects it with one {@code transfer} to the dialled number, our caller ID and recording from the answer; the
 * leg Telnyx creates (the destination's) tells the answer and, when it ends unanswered, the outcome, and its hang-up
 * then ends the browser's leg with that outcome.
 */
public final class CallTracker {
    /**
     * How long a connect command's id is sent again as it was: Telnyx ignores a repeated {@code command_id} for 60
     * seconds; the margin covers the clocks' skew and the time the first command spent on its way.
     */
    static final Duration SAME_COMMAND_WINDOW = Duration.ofSeconds(50);

    /** The settings the tracker acts on. */
    public record Settings(boolean autoRecord, Duration reconcileAfter, boolean parkedFlow, String callerId,
            Duration connectTimeout, Duration staleCallAfter) {
    }

    private final Calls store;
    private final Schedule recordingChecks;
    private final Schedule staleChecks;
    private final RecordingStarter recordings;
    private final Delivery delivery;
    private final TelnyxCallControl telnyx;
    private final Settings settings;
    private final Budget budget;
    private final JsonLog log;
    private final Clock clock;
    private final CallQuality quality;
    private final CallGate gate;

    /** @param gate decides whether a browser call is ours and may go ahead (docs/call-policy.md) */
    public CallTracker(Calls store, Schedule recordingChecks, Schedule staleChecks, RecordingStarter recordings,
            Delivery delivery, TelnyxCallControl telnyx, Settings settings, Budget budget, JsonLog log, Clock clock,
            CallQuality quality, CallGate gate) {
        this.store = store;
        this.recordingChecks = recordingChecks;
        this.staleChecks = staleChecks;
        this.recordings = recordings;
        this.delivery = delivery;
        this.telnyx = telnyx;
        this.settings = settings;
        this.budget = budget;
        this.log = log;
        this.clock = clock;
        this.quality = quality;
        this.gate = gate;
    }

    /** Applies one call event ({@code call.initiated}, {@code call.answered}, {@code call.hangup}) of {@code to}. */
    public EventOutcome apply(WebhookEvent event, Attribution to) {
        Stage stage = switch (event.type()) {
            case CALL_INITIATED -> Stage.INITIATED;
            case CALL_ANSWERED -> Stage.ACTIVE;
            case CALL_HANGUP -> Stage.ENDED;
            case RECORDING_SAVED, RECORDING_ERROR, OTHER -> Stage.NONE;
        };
        if (stage == Stage.NONE) {
            return EventOutcome.IGNORED;
        }
        return to.ownLeg() ? ownLeg(event, to, stage) : destinationLeg(event, to, stage);
    }

    private EventOutcome ownLeg(WebhookEvent event, Attribution to, Stage stage) {
        CallControlId callControlId = to.call();
        if (gate.ignores(callControlId, event)) {
            return EventOutcome.NOT_OURS;
        }
        WebhookEvent.Payload payload = event.payload();
        Instant occurred = event.occurredAt();
        // start_time rides on every call event, so the log does not depend on whether call.initiated came first
        Instant started = payload.startTime();
        boolean hangup = stage == Stage.ENDED;
        Instant end = hangup ? payload.endTime() : null;
        Boolean parked = stage == Stage.INITIATED ? (Boolean) "parked".equalsIgnoreCase(payload.state()) : null;
        // the recordings API is asked by the session id when no recording webhook comes; a parked call's own answer
        // is not the callee's (that comes from the destination's leg), so no answer time rides here
        CallFacts facts = CallFacts.ownLeg(stage, number(payload.to()), callerNumber(payload.from()),
                payload.callSessionId(), payload.callLegId(), started == null ? occurred : started);
        if (parked != null) {
            facts = facts.withInitiated(occurred, parked).withRep(gate.rep(payload));
        }
        if (hangup) {
            // when we learned of the hang-up: waits for what may still come (the answer, the recording) count from
            // here, so a hang-up Telnyx delivers late does not cut them short
            facts = facts.withHangup(end == null ? occurred : end, occurred, clock.instant(), payload.hangupCause(),
                    payload.hangupSource(), payload.sipHangupCause());
        }
        CallState call = store.record(callControlId, facts, clock.instant());
        if (call.facts().initiatedAt() == null && gate.ignoredBefore(callControlId, event)) {
            return EventOutcome.NOT_OURS;
        }
        if (stage == Stage.ACTIVE && !Boolean.TRUE.equals(call.facts().parked())) {
            call = store.record(callControlId, CallFacts.answered(occurred), clock.instant());
        }
        if (call.handled(event.id())) {
            return EventOutcome.DUPLICATE;
        }
        if (!to.indexed()) {
            store.index(callControlId, payload.callLegId(), payload.callSessionId());
        }
        if (stage == Stage.INITIATED) {
            store.indexPage(callControlId, payload.header(CallTruth.PAGE_CALL_HEADER));
        }
        if (stage != Stage.ENDED && !call.ended()) {
            // a call whose hang-up never comes is asked about once Telnyx would have ended it
            Instant from = call.facts().initiatedAt() == null ? occurred : call.facts().initiatedAt();
            staleChecks.add(callControlId.value(), from.plus(settings.staleCallAfter()));
        }
        EventOutcome outcome = switch (stage) {
            case INITIATED -> !admitted(callControlId, call, payload.to(), event.id()) ? EventOutcome.CALL_BLOCKED
                    : Boolean.TRUE.equals(parked) ? connect(callControlId, call) : EventOutcome.RECORDED;
            case ACTIVE -> call.ended() ? answeredAfterHangup(callControlId, call)
                    : Boolean.TRUE.equals(call.facts().parked()) ? EventOutcome.RECORDED
                    : startRecording(callControlId, call);
            case ENDED -> postCallLog(callControlId, call);
            case NONE, DIALING -> EventOutcome.RECORDED;
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

    /** An event of the leg Telnyx created to connect a parked call: the callee's answer, or how it ended. */
    private EventOutcome destinationLeg(WebhookEvent event, Attribution to, Stage stage) {
        CallControlId callControlId = to.call();
        WebhookEvent.Payload payload = event.payload();
        CallState call = switch (stage) {
            case ACTIVE -> store.record(callControlId, CallFacts.destinationAnswered(number(payload.to()),
                    callerNumber(payload.from()), event.occurredAt()), clock.instant());
            case ENDED -> store.record(callControlId, CallFacts.destinationEnded(
                    blankToNull(payload.hangupCause(), "unspecified"), payload.sipHangupCause()), clock.instant());
            default -> store.read(callControlId);
        };
        if (call.handled(event.id())) {
            return EventOutcome.DUPLICATE;
        }
        if (!to.indexed()) {
            store.index(callControlId, payload.callLegId(), payload.callSessionId());
        }
        EventOutcome outcome = switch (stage) {
            case ACTIVE -> call.ended() ? postCallLog(callControlId, call) : EventOutcome.ANSWERED;
            // the browser's leg ended first: its call log may have waited for this leg's outcome
            case ENDED -> call.ended() ? postCallLog(callControlId, call)
                    : endBrowserLeg(callControlId, call, event.id());
            default -> EventOutcome.RECORDED;
        };
        store.remember(callControlId, event.id(), clock.instant());
        return outcome;
    }

    /**
     * The destination's leg ended while the browser's is up: hang the browser's leg up, telling the page the
     * destination's outcome when it did not talk (a failed transfer leaves the original call up). When its answer
     * has not come and its hang-up does not say whether it talked ({@link CallState#hangupSays}), no outcome is told:
     * the call log waits briefly for the answer.
     */
    private EventOutcome endBrowserLeg(CallControlId callControlId, CallState call, String eventId) {
        boolean talked = call.answered();
        CallEnding outcome = talked || call.hangupSays() == CallEnding.Talk.UNKNOWN ? null
                : CallEnding.of(false, call.facts().destinationHangupCause(), call.facts().destinationSipHangupCause());
        command("hangup", callControlId, () -> telnyx.hangup(callControlId, callControlId, outcome,
                Attempt.forEvent(eventId), commandDeadline()));
        return outcome == null ? EventOutcome.RECORDED : EventOutcome.CONNECT_FAILED;
    }

    /**
     * Connects a parked call to the number it dialled, once (a claim), recording from the answer. The connect
     * command is sent at most once: its attempt (and so its {@code command_id}) is kept in the call's hash, and a
     * delivery after a slow or lost answer sends the same attempt again while Telnyx still ignores a repeated id;
     * past that window, Telnyx's call status says first whether the call is gone or a command of ours already took.
     * A connect Telnyx refuses as "not answered yet" (90034) answers the parked leg and goes once more (ids derived
     * from the attempt, so a redelivery repeats them); refused again, the browser's leg is hung up {@code failed}.
     */
    private EventOutcome connect(CallControlId callControlId, CallState call) {
        if (!settings.parkedFlow()) {
            log.warn("call is parked but CALL_FLOW is direct: nothing connects it; set CALL_FLOW=parked",
                    Map.of("call_control_id", callControlId));
            return EventOutcome.PARKED_NOT_CONNECTED;
        }
        if (call.ended()) {
            return EventOutcome.RECORDED;
        }
        Claim.Claimed claim;
        switch (store.claimConnect(callControlId, clock.instant())) {
            case Claim.Done done -> {
                return EventOutcome.CONNECT_ALREADY_SENT;
            }
            case Claim.Busy busy -> {
                return EventOutcome.CONNECT_ALREADY_SENT;
            }
            case Claim.Claimed claimed -> claim = claimed;
        }
        PhoneNumber to = PhoneNumber.parse(call.facts().toPhone());
        if (to == null) {
            store.settleConnect(callControlId, claim, true);
            store.record(callControlId, CallFacts.destinationEnded("not_found", null), clock.instant());
            command("hangup", callControlId, () -> telnyx.hangup(callControlId, callControlId,
                    CallEnding.INVALID_NUMBER, Attempt.next(), commandDeadline()));
            return EventOutcome.CONNECT_FAILED;
        }
        Attempt attempt = connectAttempt(callControlId, call, claim);
        if (attempt == null) {
            return EventOutcome.CONNECT_ALREADY_SENT;
        }
        TelnyxCallControl.Answer answer;
        try {
            answer = budget.within(Deadline.in(Deadlines.CLAIM_HOLD), () -> {
                TelnyxCallControl.Answer first = transfer(callControlId, call, to, attempt);
                if (first != TelnyxCallControl.Answer.NOT_ANSWERED_YET) {
                    return first;
                }
                // Telnyx will not connect a parked leg it counts as not answered (90034): answer it, connect again
                // once; both are derived from the connect's attempt, so a redelivery sends the same command ids
                Attempt again = new Attempt(attempt.name() + ":after-answer");
                answerParked(callControlId, again);
                return transfer(callControlId, call, to, again);
            });
        } catch (TelnyxFailure e) {
            boolean retry = e.code() == ErrorCode.TELNYX_UNAVAILABLE;
            // a new delivery of call.initiated sends the same attempt again (connectAttempt): Telnyx may have taken it
            store.settleConnect(callControlId, claim, !retry);
            if (retry) {
                throw e;
            }
            store.record(callControlId, CallFacts.destinationEnded("unspecified", null), clock.instant());
            log.warn("Telnyx refused to connect the call; hanging up the browser's leg",
                    Map.of("call_control_id", callControlId, "detail", String.valueOf(e.detail())));
            command("hangup", callControlId, () -> telnyx.hangup(callControlId, callControlId, CallEnding.FAILED,
                    Attempt.next(), commandDeadline()));
            return EventOutcome.CONNECT_FAILED;
        }
        store.settleConnect(callControlId, claim, true);
        return switch (answer) {
            case ACCEPTED -> {
                if (store.markRecording(callControlId, CallState.Recording.STARTED, clock.instant()).recording()
                        == CallState.Recording.PENDING) {
                    store.replacePendingRecording(callControlId, CallState.Recording.STARTED, clock.instant());
                }
                yield EventOutcome.CONNECTING;
            }
            case NOT_ANSWERED_YET -> {
                // refused again once answered: end the call rather than leave the page ringing forever
                store.record(callControlId, CallFacts.destinationEnded("unspecified", null), clock.instant());
                log.error("Telnyx refused to connect the parked call as not answered, also after answering it;"
                        + " hanging up the browser's leg", Map.of("call_control_id", callControlId));
                command("hangup", callControlId, () -> telnyx.hangup(callControlId, callControlId, CallEnding.FAILED,
                        Attempt.forEvent(attempt.name() + ":refused"), commandDeadline()));
                yield EventOutcome.CONNECT_FAILED;
            }
            case CALL_ENDED -> EventOutcome.RECORDED;
        };
    }

    /** One connect command of a parked call, with the numbers, timeout and recording it always carries. */
    private TelnyxCallControl.Answer transfer(CallControlId callControlId, CallState call, PhoneNumber to,
            Attempt attempt) {
        return telnyx.transfer(callControlId, call.facts().callSessionId(), to, settings.callerId(),
                settings.connectTimeout(), attempt, commandDeadline());
    }

    /**
     * Answers a parked leg before connecting it again. Its refusal is logged, not fatal (the leg may be answered
     * already): the transfer that follows tells.
     */
    private void answerParked(CallControlId callControlId, Attempt attempt) {
        TelnyxCallControl.Answer answered;
        try {
            answered = telnyx.answer(callControlId, attempt, commandDeadline());
        } catch (TelnyxFailure e) {
            if (e.code() == ErrorCode.TELNYX_UNAVAILABLE) {
                throw e;
            }
            log.warn("Telnyx refused to answer the parked call; connecting it again anyway",
                    Map.of("call_control_id", callControlId, "detail", String.valueOf(e.detail())));
            return;
        }
        log.info("transfer refused as not answered yet: parked call answered, connecting it again",
                Map.of("call_control_id", callControlId, "answer", answered.name().toLowerCase(java.util.Locale.ROOT)));
    }

    /**
     * The call gate's verdict on a new browser call, before anything connects it: a refused call (now, or by an
     * earlier delivery of this event) is marked blocked, so it is never connected nor recorded and its log is
     * {@code failed}, and hung up with the page's words. A call that has already ended is not counted.
     */
    private boolean admitted(CallControlId callControlId, CallState call, String destination, String eventId) {
        Verdict.Blocked refusal;
        if (call.facts().blocked() != null) {
            refusal = gate.refusal(call.facts().blocked(), destination);
        } else if (call.ended()) {
            return true;
        } else {
            switch (gate.admit(callControlId, destination, call.facts().rep())) {
                case Verdict.Allowed allowed -> {
                    return true;
                }
                case Verdict.Blocked blocked -> refusal = blocked;
            }
            store.record(callControlId, CallFacts.blockedBy(refusal.rule()), clock.instant());
        }
        CallEnding ending = refusal.limited() ? CallEnding.LIMITED : CallEnding.BLOCKED;
        command("hangup", callControlId, () -> telnyx.hangup(callControlId, callControlId, ending, refusal.reason(),
                Attempt.forEvent(eventId), commandDeadline()));
        return false;
    }

    /**
     * The attempt to send the connect command as, remembered before it is sent; {@code null} when it must not be sent
     * (the claim is then settled): the call is gone, or a connect sent before took.
     */
    private Attempt connectAttempt(CallControlId callControlId, CallState call, Claim.Claimed claim) {
        Instant now = clock.instant();
        ConnectAttempt before = store.connectAttempt(callControlId);
        if (before != null && now.isBefore(before.firstSent().plus(SAME_COMMAND_WINDOW))) {
            // Telnyx ignores the repeat if it took the first: the same command id, whatever its answer was
            return new Attempt(before.attempt());
        }
        if (before != null) {
            String why;
            try {
                why = pastWindow(callControlId, call);
            } catch (TelnyxFailure e) {
                store.settleConnect(callControlId, claim, false);
                throw e;
            }
            if (why != null) {
                store.settleConnect(callControlId, claim, true);
                log.warn("connect sent before and not sent again: " + why, Map.of("call_control_id", callControlId));
                return null;
            }
        }
        Attempt attempt = Attempt.next();
        store.rememberConnectAttempt(callControlId, new ConnectAttempt(attempt.name(), now));
        return attempt;
    }

    /**
     * Why a connect sent longer ago than Telnyx's de-duplication window must not go again, or {@code null} when it
     * may: the destination's leg told us something, or Telnyx's call status shows the call gone or carrying the
     * state of a command of ours (connecting is the first command a parked call gets).
     */
    private String pastWindow(CallControlId callControlId, CallState call) {
        if (call.facts().answeredAt() != null || call.facts().destinationHangupCause() != null) {
            return "the destination's leg has answered or ended";
        }
        TelnyxCallControl.Status status = budget.within(Deadline.in(Deadlines.CLAIM_HOLD),
                () -> telnyx.status(callControlId));
        return switch (status) {
            case TelnyxCallControl.Status.Gone gone -> "Telnyx no longer knows the call";
            case TelnyxCallControl.Status.Known known when !known.alive() -> "Telnyx reports the call ended";
            case TelnyxCallControl.Status.Known known when known.state() != null
                    && known.state().call().equals(callControlId) -> "Telnyx's call status carries our command's state";
            case TelnyxCallControl.Status.Known known -> null;
        };
    }

    /** A command whose refusal is logged, not fatal: only Telnyx not answering asks for the event again. */
    private void command(String action, CallControlId callControlId, Supplier<TelnyxCallControl.Answer> send) {
        try {
            send.get();
        } catch (TelnyxFailure e) {
            if (e.code() == ErrorCode.TELNYX_UNAVAILABLE) {
                throw e;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("call_control_id", callControlId);
            fields.put("command", action);
            fields.put("detail", String.valueOf(e.detail()));
            log.warn("Telnyx refused a command", fields);
        }
    }

    private Deadline commandDeadline() {
        return budget.invocation().minus(Deadlines.SETTLE_RESERVE);
    }

    private EventOutcome startRecording(CallControlId callControlId, CallState call) {
        boolean wanted = switch (call.recording()) {
            case PENDING, FAILED -> true;
            case NONE -> settings.autoRecord();
            case REQUESTING, STARTED, SAVED, CALL_ENDED, ERROR -> false;
        };
        if (!wanted) {
            return EventOutcome.ANSWERED;
        }
        return switch (recordings.start(callControlId)) {
            case STARTED -> EventOutcome.RECORDING_STARTED;
            case ALREADY_STARTED -> EventOutcome.RECORDING_ALREADY_STARTED;
            case CALL_ENDED -> {
                // the hang-up came as it was answered: say so, so the recording check does not look for one
                store.markRecording(callControlId, CallState.Recording.CALL_ENDED, clock.instant());
                yield EventOutcome.RECORDING_CALL_ENDED;
            }
            case BLOCKED -> EventOutcome.CALL_BLOCKED;
            case UNKNOWN_CALL -> EventOutcome.RECORDED; // start-recording's answer only: a webhook's call is named
            case PENDING -> EventOutcome.AWAITING_ANSWER;
        };
    }

    /**
     * The browser leg's answer came after its hang-up (events in any order): nothing can record the call now, so a
     * recording nobody asked for is marked as the call having ended, and the log that waited for the answer goes.
     */
    private EventOutcome answeredAfterHangup(CallControlId callControlId, CallState call) {
        CallState marked = call.recording() == CallState.Recording.NONE
                ? store.markRecording(callControlId, CallState.Recording.CALL_ENDED, clock.instant()) : call;
        return postCallLog(callControlId, marked);
    }

    /** Delivers an ended call's log (and schedules its recording check when it was answered). */
    EventOutcome postCallLog(CallControlId callControlId, CallState call) {
        staleChecks.drop(callControlId.value());
        gate.release(callControlId, call.facts().rep());
        if (call.answered()) {
            // an answered call must end up with a recording: check on it a few minutes after the hang-up
            recordingChecks.add(callControlId.value(), call.hungUp().plus(settings.reconcileAfter()));
        }
        return switch (delivery.deliverCallLog(callControlId, call)) {
            case POSTED -> EventOutcome.CALL_LOG_POSTED;
            case ALREADY_POSTED -> EventOutcome.CALL_LOG_ALREADY_POSTED;
            case QUEUED -> EventOutcome.CALL_LOG_QUEUED;
            case DEAD_LETTERED -> EventOutcome.CALL_LOG_DEAD_LETTERED;
        };
    }

    /**
     * The dialled number as Telnyx tells it: the E.164 user part of a SIP URI on Telnyx's own domain, else the value
     * as it is (a SIP URI on another domain is not a phone number, whatever its user part: {@link DialPolicy#dialled}).
     */
    static String number(String value) {
        if (value == null) {
            return null;
        }
        PhoneNumber dialled = DialPolicy.dialled(value);
        return dialled != null ? dialled.e164() : value.trim();
    }

    /** Our number as Telnyx tells it: the browser's leg may show a SIP URI; then it is our configured caller ID. */
    String callerNumber(String value) {
        String number = number(value);
        if (number != null && PhoneNumber.parse(number) == null && settings.callerId() != null) {
            return settings.callerId();
        }
        return number;
    }

    private static String blankToNull(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
