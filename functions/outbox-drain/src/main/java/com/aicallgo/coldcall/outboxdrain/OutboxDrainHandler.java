package com.aicallgo.coldcall.outboxdrain;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.calls.OutboxDrain;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Runs every minute (EventBridge schedule): delivers what the outbox holds that is due. The event's content is not
 * used, except {@code {"all": true}} (an operator's invocation) which retries every entry at once.
 */
public final class OutboxDrainHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    /** Leave this much of the invocation's time unused, so a pass never runs into the timeout. */
    static final Duration MARGIN = Duration.ofSeconds(5);

    private final OutboxDrain drain;
    private final Clock clock;
    private final Priming priming;

    public OutboxDrainHandler() {
        this(System.getenv());
    }

    /** Builds the handler from an explicit environment (the local runner's {@code env.json}). */
    public OutboxDrainHandler(Map<String, String> env) {
        this(Wiring.fromEnvironment("OutboxDrainFunction", env));
    }

    OutboxDrainHandler(Wiring wiring) {
        this.drain = wiring.outboxDrain();
        this.clock = wiring.clock();
        this.priming = Priming.register(wiring::primeSecretsClient, wiring.callStore(), wiring.log());
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        boolean all = event != null && Boolean.TRUE.equals(event.get("all"));
        long budget = context == null ? 50_000 : context.getRemainingTimeInMillis();
        Instant deadline = clock.instant().plusMillis(budget).minus(MARGIN);
        OutboxDrain.Report report = drain.drain(all, deadline);
        // a plain map: the Lambda runtime serialises it without knowing about records
        return Map.of("posted", report.posted(), "already_posted", report.alreadyPosted(), "requeued", report.requeued(),
                "dead_lettered", report.deadLettered(), "backlog", report.backlog(), "dead_letters", report.deadLetters());
    }
}
