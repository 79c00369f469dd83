package com.aicallgo.coldcall.outboxdrain;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.aicallgo.coldcall.core.calls.Delivery;
import com.aicallgo.coldcall.core.calls.OutboxDrain;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.OutboxEntry;
import com.aicallgo.coldcall.core.store.StoreUnavailable;
import com.aicallgo.coldcall.core.calls.RecordingReconciler;
import com.aicallgo.coldcall.core.calls.StaleCalls;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs every minute (EventBridge schedule): settles calls whose hang-up never came ({@link StaleCalls}), delivers
 * what the outbox holds that is due, then checks the recordings of answered calls that hung up a few minutes ago
 * ({@link RecordingReconciler}). The event's content is not used,
 * except {@code {"all": true}} (an operator's invocation) which retries every entry and checks every call at once.
 *
 * <p>An SQS event ({@code Records} from {@code aws:sqs}: {@link DelayedRecords}' messages, each sent to arrive when
 * its record is due) retries exactly the outbox entries its messages name, and nothing else; it answers
 * {@code batchItemFailures} (ReportBatchItemFailures) with the messages to receive again: those Redis could not be
 * reached for. A message that names no entry is logged and dropped.
 *
 * <p>A {@code RequestStreamHandler} (the template names the class alone): the event is read and the report written by
 * our own Jackson, so the runtime's event serializer is never loaded.
 */
public final class OutboxDrainHandler implements RequestStreamHandler {
    /** Leave this much of the invocation's time unused, so a pass never runs into the timeout. */
    static final Duration MARGIN = Deadlines.DRAIN_MARGIN;

    private final OutboxDrain drain;
    private final RecordingReconciler reconciler;
    private final StaleCalls staleCalls;
    private final Budget budget;
    private final Priming priming;
    private final JsonLog log;

    public OutboxDrainHandler() {
        this(System.getenv());
    }

    /** Builds the handler from an explicit environment (the local runner's {@code env.json}). */
    public OutboxDrainHandler(Map<String, String> env) {
        this(Wiring.fromEnvironment("OutboxDrainFunction", env));
    }

    OutboxDrainHandler(Wiring wiring) {
        this.drain = wiring.outboxDrain();
        this.reconciler = wiring.recordingReconciler();
        this.staleCalls = wiring.staleCalls();
        this.budget = wiring.budget();
        this.log = wiring.log();
        this.priming = Priming.register(wiring::primeSecretsClient, wiring.redis(), wiring.log());
    }

    /** What Lambda calls: the EventBridge event (or an operator's {@code {"all": true}}) in, the report out. */
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = Json.mapper().readTree(input);
        if (event != null && event.path("Records").isArray()) {
            output.write(Json.mapper().writeValueAsBytes(handleMessages(event.path("Records"), context)));
            return;
        }
        boolean all = event != null && event.path("all").isBoolean() && event.path("all").booleanValue();
        output.write(Json.mapper().writeValueAsBytes(handleRequest(Map.of("all", all), context)));
    }

    /** Retries the entries an SQS event's messages name; answers the messages to receive again. */
    Map<String, Object> handleMessages(JsonNode records, Context context) {
        Duration time = Duration.ofMillis(context == null ? 50_000 : context.getRemainingTimeInMillis()).minus(MARGIN);
        Deadline end = Deadline.in(time);
        List<Map<String, String>> failures = new ArrayList<>();
        int[] counts = new int[Delivery.Result.values().length];
        int notOwed = 0;
        for (JsonNode record : records) {
            String id = record.path("messageId").asText("");
            if (end.passed()) {
                failures.add(Map.of("itemIdentifier", id));
                continue;
            }
            OutboxEntry entry;
            try {
                entry = DelayedRecords.entry(record.path("body").asText(null));
            } catch (IllegalArgumentException e) {
                log.warn("delayed record message dropped", Map.of("message_id", id, "detail", e.getMessage()));
                continue;
            }
            try {
                Delivery.Result result = budget.within(end, () -> drain.retry(entry));
                if (result == null) {
                    notOwed++;
                } else {
                    counts[result.ordinal()]++;
                }
            } catch (StoreUnavailable e) {
                log.warn("delayed record not retried: its message is received again", Map.of("message_id", id,
                        "call_control_id", entry.callControlId(), "record", entry.deliverable().field(),
                        "detail", String.valueOf(e.detail())));
                failures.add(Map.of("itemIdentifier", id));
            }
        }
        log.info("delayed records retried", Map.of("messages", records.size(), "not_in_outbox", notOwed,
                "posted", counts[Delivery.Result.POSTED.ordinal()],
                "already_posted", counts[Delivery.Result.ALREADY_POSTED.ordinal()],
                "requeued", counts[Delivery.Result.QUEUED.ordinal()],
                "dead_lettered", counts[Delivery.Result.DEAD_LETTERED.ordinal()], "failed", failures.size()));
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("batchItemFailures", failures);
        return response;
    }

    /** The same pass with the event as a map (tests, the local runner's callers). */
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        boolean all = event != null && Boolean.TRUE.equals(event.get("all"));
        Duration time = Duration.ofMillis(context == null ? 50_000 : context.getRemainingTimeInMillis()).minus(MARGIN);
        Deadline end = Deadline.in(time);
        // calls whose hang-up never came first (a few, rarely any; at most a sixth of the time), then the outbox
        // (records already late) until two thirds; every call either makes (Web Backend, Telnyx, Redis) ends by
        // the invocation's deadline
        StaleCalls.Report stale = budget.within(end, () -> staleCalls.sweep(Deadline.in(time.dividedBy(6))));
        OutboxDrain.Report outbox = budget.within(end,
                () -> drain.drain(all, Deadline.in(time.multipliedBy(2).dividedBy(3))));
        RecordingReconciler.Report recordings = budget.within(end, () -> reconciler.reconcile(all, end));
        // a plain map, in the names it always had (snake_case strategy or not, map keys are written as they are)
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("posted", outbox.posted());
        report.put("already_posted", outbox.alreadyPosted());
        report.put("requeued", outbox.requeued());
        report.put("dead_lettered", outbox.deadLettered());
        report.put("backlog", outbox.backlog());
        report.put("dead_letters", outbox.deadLetters());
        report.put("recordings_checked", recordings.checked());
        report.put("recordings_captured", recordings.captured());
        report.put("recordings_backfilled", recordings.backfilled());
        report.put("recordings_missing", recordings.missing());
        report.put("recordings_failed", recordings.failed());
        report.put("recordings_waiting", recordings.waiting());
        report.put("stale_calls_checked", stale.checked());
        report.put("stale_calls_settled", stale.settled());
        report.put("stale_calls_lost", stale.lost());
        return report;
    }
}
