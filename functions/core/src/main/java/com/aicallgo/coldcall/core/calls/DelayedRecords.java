package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.OutboxEntry;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadlines;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outbox's precise trigger. The drain runs once a minute; a record due sooner (a call log waiting out the answer
 * wait, a first retry 10 s after a Web Backend failure) would wait for it. So when {@link Delivery} queues a record
 * due within {@link #HORIZON}, a delayed message naming it is sent too ({@code DELAYED_RECORDS_QUEUE_URL}: an SQS
 * queue whose messages invoke the drain, or {@link #LOCAL} for the local runner), and the drain retries exactly that
 * entry when it arrives. The message only says "look now": the outbox in Redis stays the record of what is owed and
 * the claims keep a delivery single, so a message lost, late, early or twice changes nothing but timing. A failed
 * send is a WARN, and no send is tried for {@link #PAUSE_AFTER_FAILURE}; the minute's drain delivers the record.
 */
public final class DelayedRecords {
    /** The variable naming the queue; unset, no message is sent (the drain's schedule alone). */
    public static final String VARIABLE = "DELAYED_RECORDS_QUEUE_URL";
    /** The queue URL that asks for the local runner's in-process queue ({@link #receiveLocally}). */
    public static final String LOCAL = "local:delayed-records";
    /** SQS's longest message delay; a record due later is left to the drain's schedule. */
    public static final Duration HORIZON = Duration.ofMinutes(15);
    /** A send given less than this is not tried. */
    static final Duration LEAST_TIME = Duration.ofMillis(50);
    /**
     * After a failed send, none is tried for this long: an unreachable queue costs one bounded wait, not one per
     * record (a drain pass requeueing many entries), and one WARN.
     */
    static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(30);

    /** Where the messages go. */
    @FunctionalInterface
    public interface Queue {
        /**
         * Sends {@code body} to be received {@code delaySeconds} from now, within {@code within}.
         *
         * @throws RuntimeException when it is not sent (the message says why; it never holds a secret)
         */
        void send(String body, int delaySeconds, Duration within);
    }

    private static volatile Queue local;

    private final Queue queue;
    private final Budget budget;
    private final Clock clock;
    private final JsonLog log;
    private volatile Instant pausedUntil = Instant.MIN;

    /** @param queue {@code null}: no queue, nothing is sent */
    public DelayedRecords(Queue queue, Budget budget, Clock clock, JsonLog log) {
        this.queue = queue;
        this.budget = budget;
        this.clock = clock;
        this.log = log;
    }

    /** Called by the local runner: what {@link #LOCAL} sends goes to {@code receiver} (an in-process scheduler). */
    public static void receiveLocally(Queue receiver) {
        local = receiver;
    }

    /** The local runner's queue: {@link #receiveLocally}'s receiver, read at each send. */
    public static Queue local() {
        return (body, delaySeconds, within) -> {
            Queue receiver = local;
            if (receiver == null) {
                throw new IllegalStateException(LOCAL + " names the local runner's queue and no runner receives it");
            }
            receiver.send(body, delaySeconds, within);
        };
    }

    /** {@code entry} is in the outbox, due at {@code due}: sends its message when that is within the horizon. */
    public void queued(OutboxEntry entry, Instant due) {
        Instant now = clock.instant();
        if (queue == null || now.isBefore(pausedUntil)) {
            return;
        }
        Duration wait = Duration.between(now, due);
        if (wait.compareTo(HORIZON) > 0) {
            return;
        }
        int delay = (int) Math.min(HORIZON.toSeconds(), Math.max(0, (wait.toMillis() + 999) / 1000));
        Duration within = budget.call(Deadlines.QUEUE_SEND).remaining();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", entry.callControlId());
        fields.put("record", entry.deliverable().field());
        if (within.compareTo(LEAST_TIME) < 0) {
            fields.put("detail", "no time left in the invocation");
            log.warn("delayed record trigger not sent: the outbox drain's schedule delivers it", fields);
            return;
        }
        try {
            queue.send(body(entry), delay, within);
        } catch (RuntimeException e) {
            pausedUntil = now.plus(PAUSE_AFTER_FAILURE);
            fields.put("detail", e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            fields.put("paused_seconds", PAUSE_AFTER_FAILURE.toSeconds());
            log.warn("delayed record trigger not sent: the outbox drain's schedule delivers it", fields);
        }
    }

    /** The message naming an outbox entry: {@code {"call_control_id": "...", "record": "call_log"}}. */
    public static String body(OutboxEntry entry) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("call_control_id", entry.callControlId().value());
        body.put("record", entry.deliverable().field());
        try {
            return Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The entry a message names.
     *
     * @throws IllegalArgumentException when the body names none (not JSON, an id that breaks the rule, no record)
     */
    public static OutboxEntry entry(String body) {
        JsonNode json;
        try {
            json = Json.mapper().readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the message is not JSON");
        }
        CallControlId callControlId = json == null ? null : CallControlId.parse(json.path("call_control_id").asText(null));
        Deliverable deliverable = json == null || !json.path("record").isTextual() ? null
                : Deliverable.parse(json.path("record").asText());
        if (callControlId == null || deliverable == null) {
            throw new IllegalArgumentException("the message names no outbox entry (call_control_id and record)");
        }
        return new OutboxEntry(callControlId, deliverable);
    }
}
