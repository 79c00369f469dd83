package com.aicallgo.coldcall.local.twin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One call the page placed: the browser's leg A and, in the parked flow, the leg B of each transfer; and what
 * happens to them (answers, hang-ups, recordings, the webhooks each sends). Its state is guarded by its own lock.
 */
final class Call {
    private final Twin twin;
    /** The page socket the call's signalling goes to: a reconnect login with the same session moves it. */
    volatile VertoSession session;
    final String callId;
    final TestNumber number;
    final Twin.Flow flow;
    final Leg a;
    /** The current transfer's leg, or {@code null}. */
    Leg b;
    final List<Leg> transfers = new ArrayList<>();
    final List<ScheduledFuture<?>> pending = new ArrayList<>();
    final List<Map<String, Object>> steps = new ArrayList<>();
    /** Events held back to be sent late (the out-of-order test number, direct flow). */
    final List<ObjectNode> heldBack = new ArrayList<>();
    /** Under {@link TestNumber#HANGUP_BEFORE_ANSWER}: the far leg's call.answered, sent after its call.hangup. */
    final List<ObjectNode> lateAnswers = new ArrayList<>();
    final String answerSdp;

    Call(Twin twin, VertoSession session, String callId, String from, String to, String clientState, String answerSdp) {
        this.twin = twin;
        this.flow = twin.settings().flow();
        this.session = session;
        this.callId = callId;
        this.number = TestNumber.of(to);
        this.answerSdp = answerSdp;
        this.a = new Leg("A", UUID.randomUUID().toString(), twin.settings().connectionId(), from, to, clientState);
    }

    Leg leg(String controlId) {
        if (a.controlId.equals(controlId)) {
            return a;
        }
        return transfers.stream().filter(leg -> leg.controlId.equals(controlId)).findFirst().orElseThrow();
    }

    String legName(String legId) {
        if (a.legId.equals(legId)) {
            return "A";
        }
        return transfers.stream().filter(leg -> leg.legId.equals(legId)).map(leg -> leg.name).findFirst().orElse("?");
    }

    void journal(String step, Map<String, ?> detail) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("step", step);
        entry.put("at", Instant.now().toString());
        entry.putAll(detail);
        steps.add(entry);
    }

    void later(long millis, Runnable step) {
        synchronized (this) {
            pending.add(twin.timers().schedule(() -> {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    Twin.log("ERROR", "twin step failed", Map.of("call_control_id", a.controlId, "error", String.valueOf(e)));
                }
            }, millis, TimeUnit.MILLISECONDS));
        }
    }

    void cancelTimers() {
        pending.forEach(timer -> timer.cancel(false));
        pending.clear();
    }

    /** The ids the page's SDK learns: always leg A's, the leg the browser is on. */
    Map<String, Object> ids() {
        return Map.of("callID", callId, "telnyx_call_control_id", a.controlId, "telnyx_session_id", a.sessionId,
                "telnyx_leg_id", a.legId);
    }

    /**
     * The ids of {@code telnyx_rtc.ringing}: Telnyx sends the leg and session ids there and the call control id
     * first with the answer ({@code early}: in ringing too, as the twin once did).
     */
    Map<String, Object> ringingIds(boolean early) {
        return early ? ids() : Map.of("callID", callId, "telnyx_session_id", a.sessionId, "telnyx_leg_id", a.legId);
    }

    /** The leg whose events the test number plays with: the browser's own in the direct flow, else the transfer's. */
    private boolean farLeg(String legId) {
        return flow == Twin.Flow.DIRECT ? a.legId.equals(legId) : !a.legId.equals(legId);
    }

    /**
     * The {@code answer} command on the parked leg A (under the call's lock): A is answered now (its give-up timer
     * stops), the page gets {@code telnyx_rtc.answer} and we get A's {@code call.answered} just after.
     */
    void answerParked() {
        Instant now = Instant.now();
        cancelTimers();
        a.answeredAt = now;
        ObjectNode answered = answered(a, now);
        twin.timers().execute(() -> {
            session.answerBrowser(this);
            deliver(answered, 0);
        });
        later(Twin.TIME_LIMIT_MS, () -> end(a, new Ending("time_limit", "unknown", "unspecified"),
                new Bye("ALLOTTED_TIMEOUT", 602, null, null, List.of())));
    }

    /** The callee's side after the answer: it hangs up after a while for some test numbers, else the time limit. */
    void afterAnswer(Leg far) {
        long after = number == TestNumber.CALLEE_HANGS_UP ? Twin.CALLEE_HANGS_UP_AFTER_MS
                : number == TestNumber.HANGUP_BEFORE_ANSWER ? Twin.TALKS_BEFORE_HANGUP_MS : -1;
        if (after > 0) {
            later(after, () -> end(far, new Ending("normal_clearing", "callee", "unspecified"),
                    new Bye("NORMAL_CLEARING", 16, null, null, List.of())));
        } else {
            later(Twin.TIME_LIMIT_MS, () -> end(far, new Ending("time_limit", "unknown", "unspecified"),
                    new Bye("ALLOTTED_TIMEOUT", 602, null, null, List.of())));
        }
    }

    /** How a leg ended, as its {@code call.hangup} says. */
    record Ending(String cause, String source, String sipCode) {
    }

    /** The BYE the page's SDK gets: cause and code always; SIP code and reason, and custom headers, when known. */
    record Bye(String cause, int causeCode, Integer sipCode, String sipReason, List<Map<String, String>> headers) {
    }

    /**
     * Leg B answers: the page's call is answered (unless an {@code answer} command did so already), both legs
     * bridged, and B records from now if asked.
     */
    void bAnswers(Leg b) {
        List<ObjectNode> events = new ArrayList<>();
        boolean answersBrowser;
        synchronized (this) {
            if (!b.alive() || !a.alive()) {
                return;
            }
            Instant now = Instant.now();
            cancelTimers(); // the parked leg's give-up timer among them
            b.answeredAt = now;
            answersBrowser = a.answeredAt == null;
            if (b.recordFromAnswer) {
                b.recordingStartedAt = now;
            }
            journal("answer", Map.of("leg", "B"));
            events.add(answered(b, now));
            if (answersBrowser) {
                a.answeredAt = now;
                // INFERRED: the browser's INVITE is answered when it is bridged, so leg A reports call.answered too
                events.add(answered(a, now));
            }
            events.add(bridged(a, now));
            events.add(bridged(b, now));
        }
        if (answersBrowser) {
            session.answerBrowser(this);
        }
        events.forEach(event -> deliver(event, 0));
        afterAnswer(b);
    }

    /** {@code call.bridged} of a leg (spec3.yml CallBridged: the ids, from, to, state "bridged"). */
    static ObjectNode bridged(Leg leg, Instant at) {
        ObjectNode event = leg.event("call.bridged", at);
        event.with("payload").put("state", "bridged");
        return event;
    }

    /** The transfer did not connect: only B ends, and the page's leg A rings on, waiting for another command. */
    void transferFails(Leg b, Ending ending) {
        List<ObjectNode> events;
        synchronized (this) {
            if (!b.alive() || b.answeredAt != null) {
                return;
            }
            journal("transfer failed", Map.of("leg", "B", "hangup_cause", ending.cause()));
            events = finishLeg(b, ending);
        }
        Twin.log("INFO", "transfer failed", Map.of("call_control_id", a.controlId, "b_call_control_id", b.controlId,
                "hangup_cause", ending.cause()));
        send(events);
    }

    static ObjectNode answered(Leg leg, Instant at) {
        ObjectNode event = leg.event("call.answered", at);
        event.with("payload").put("state", "answered").put("start_time", leg.startedAt.toString());
        return event;
    }

    /**
     * The call ends from {@code first}: its {@code call.hangup}, then the other leg's (a bridged partner with the same
     * cause; an unanswered B cancelled), the BYE to the page when leg A ends and {@code bye} is given (the page
     * itself ended the call otherwise), and each recording's event a moment later.
     */
    void end(Leg first, Ending ending, Bye bye) {
        List<ObjectNode> events = new ArrayList<>();
        boolean aEnds;
        synchronized (this) {
            if (!first.alive()) {
                return;
            }
            aEnds = a.alive();
            cancelTimers();
            journal("hangup", Map.of("leg", first.name, "by", ending.source(), "hangup_cause", ending.cause()));
            events.addAll(finishLeg(first, ending));
            Leg other = first == a ? b : a;
            if (other != null && other.alive()) {
                Ending partner = other.answeredAt != null || other == a
                        ? ending : new Ending("originator_cancel", "caller", "487");
                events.addAll(finishLeg(other, partner));
            }
        }
        if (aEnds) {
            session.forget(callId);
            if (bye != null) {
                session.byeBrowser(this, bye);
            }
        }
        Twin.log("INFO", "call ended", Map.of("call_control_id", a.controlId, "test_number",
                number.name().toLowerCase(Locale.ROOT), "hangup_cause", ending.cause(), "hangup_source", ending.source()));
        if (flow == Twin.Flow.DIRECT && number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
            List<ObjectNode> order = new ArrayList<>();
            events.stream().filter(e -> !e.path("event_type").asText().equals("call.hangup")).forEach(order::add);
            events.stream().filter(e -> e.path("event_type").asText().equals("call.hangup")).forEach(order::add);
            synchronized (this) {
                order.addAll(heldBack); // a call.initiated never sent: the call was not answered
                heldBack.clear();
            }
            twiceInOrder(order);
            return;
        }
        send(events);
        List<ObjectNode> late;
        synchronized (this) {
            late = List.copyOf(lateAnswers);
            lateAnswers.clear();
        }
        for (ObjectNode answered : late) {
            synchronized (this) {
                journal("webhook", Map.of("event_type", "call.answered", "leg",
                        legName(answered.path("payload").path("call_leg_id").asText()), "late", true));
            }
            twin.webhooks().deliver(answered, Twin.LATE_ANSWER_AFTER_MS);
        }
    }

    /** Ends one leg (under the call's lock): its {@code call.hangup} and, when it recorded, its recording event. */
    private List<ObjectNode> finishLeg(Leg leg, Ending ending) {
        leg.endedAt = Instant.now();
        ObjectNode hangup = leg.event("call.hangup", leg.endedAt);
        hangup.with("payload").put("state", "hangup").put("hangup_cause", ending.cause())
                .put("hangup_source", ending.source()).put("sip_hangup_cause", ending.sipCode())
                .put("start_time", leg.startedAt.toString()).put("end_time", leg.endedAt.toString());
        if (leg.answeredAt != null) {
            hangup.with("payload").set("call_quality_stats", qualityStats(leg));
        }
        List<ObjectNode> events = new ArrayList<>(List.of(hangup));
        if (leg.recordingStartedAt != null) {
            events.add(recordingEvent(leg));
        }
        return events;
    }

    /**
     * The media figures Telnyx adds to the hang-up of a leg that had media (spec3.yml CallHangup
     * {@code call_quality_stats}; every figure a string): a clean call at 50 packets a second (20 ms Opus) from the
     * answer, 0.5 % of the inbound and 0.2 % of the outbound packets skipped, MOS 4.4.
     */
    private static ObjectNode qualityStats(Leg leg) {
        long due = Math.max(1, (leg.endedAt.toEpochMilli() - leg.answeredAt.toEpochMilli()) / 20);
        long inSkipped = due / 200;
        long outSkipped = due / 500;
        ObjectNode stats = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        stats.putObject("inbound").put("mos", "4.40").put("jitter_max_variance", "11.52")
                .put("jitter_packet_count", "0").put("packet_count", Long.toString(due - inSkipped))
                .put("skip_packet_count", Long.toString(inSkipped));
        stats.putObject("outbound").put("packet_count", Long.toString(due - outSkipped))
                .put("skip_packet_count", Long.toString(outSkipped));
        return stats;
    }

    private ObjectNode recordingEvent(Leg leg) {
        Instant saved = leg.endedAt.plusMillis(Twin.RECORDING_AFTER_HANGUP_MS);
        if (number == TestNumber.RECORDING_FAILS) {
            ObjectNode error = leg.recordingEvent("call.recording.error", saved, true);
            error.with("payload").put("reason", "Internal server error");
            return error;
        }
        String id = Twin.recordingId(leg.controlId);
        double seconds = (leg.endedAt.toEpochMilli() - leg.recordingStartedAt.toEpochMilli()) / 1000.0;
        twin.recordings().save(new Recordings.Recording(id, leg.controlId, leg.legId, leg.sessionId, leg.recordingChannels,
                leg.recordingStartedAt, leg.endedAt, Mp3.silence(seconds)));
        // the spec's CallRecordingSaved has neither call_control_id nor recording_id; Telnyx's documented deliveries do
        boolean full = number != TestNumber.RECORDING_SAVED_MINIMAL;
        ObjectNode event = leg.recordingEvent("call.recording.saved", saved, full);
        ObjectNode payload = event.with("payload");
        if (full) {
            payload.put("recording_id", id).put("format", "mp3");
        }
        payload.put("channels", leg.recordingChannels).put("recording_started_at", leg.recordingStartedAt.toString())
                .put("recording_ended_at", leg.endedAt.toString());
        payload.putObject("recording_urls").put("mp3", twin.recordings().mint(id, Instant.now()));
        ObjectNode lasting = payload.putObject("public_recording_urls");
        if (twin.recordings().publicUrl(id) != null) {
            lasting.put("mp3", twin.recordings().publicUrl(id));
        }
        journal("recording saved", Map.of("leg", leg.name, "recording_id", id));
        return event;
    }

    /** Hang-ups now, recording events a moment later, as Telnyx saves the file after the  */
    private void send(List<ObjectNode> events) {
        for (ObjectNode event : events) {
            boolean recording = event.path("event_type").asText().startsWith("call.recording.");
            deliver(event, recording ? Twin.RECORDING_AFTER_HANGUP_MS : 0);
        }
    }

    /**
     * One webhook on its way: withheld when the number says hang-ups are lost; in the parked flow sent twice (the
     * second copy after later events) when the number says so.
     */
    void deliver(ObjectNode event, long delayMillis) {
        String type = event.path("event_type").asText();
        String leg = legName(event.path("payload").path("call_leg_id").asText());
        synchronized (this) {
            if (number == TestNumber.HANGUP_WEBHOOK_LOST && type.equals("call.hangup")) {
                journal("webhook withheld", Map.of("event_type", type, "leg", leg));
                return;
            }
            if (number == TestNumber.HANGUP_BEFORE_ANSWER && type.equals("call.answered")
                    && farLeg(event.path("payload").path("call_leg_id").asText())) {
                journal("webhook held back", Map.of("event_type", type, "leg", leg));
                lateAnswers.add(event);
                return;
            }
            journal("webhook", Map.of("event_type", type, "leg", leg));
        }
        twin.webhooks().deliver(event, delayMillis);
        if (flow == Twin.Flow.PARKED && number == TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER) {
            synchronized (this) {
                journal("webhook", Map.of("event_type", type, "leg", leg, "copy", 2));
            }
            twin.webhooks().deliver(event, delayMillis + Twin.SECOND_COPY_AFTER_MS);
        }
    }

    /** Each event of {@code order} sent in that order, then all of them again: duplicates, out of order. */
    void twiceInOrder(List<ObjectNode> order) {
        long delay = 0;
        for (int round = 0; round < 2; round++) {
            for (ObjectNode event : order) {
                synchronized (this) {
                    journal("webhook", Map.of("event_type", event.path("event_type").asText(), "copy", round + 1));
                }
                twin.webhooks().deliver(event, delay);
                delay += 150;
            }
        }
    }
}
