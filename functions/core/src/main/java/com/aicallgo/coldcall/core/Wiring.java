package com.aicallgo.coldcall.core;

import com.aicallgo.coldcall.core.calls.CallEvents;
import com.aicallgo.coldcall.core.calls.CallLimit;
import com.aicallgo.coldcall.core.calls.CallLogBuilder;
import com.aicallgo.coldcall.core.calls.CallQuality;
import com.aicallgo.coldcall.core.calls.CallTracker;
import com.aicallgo.coldcall.core.calls.CallTruth;
import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.aicallgo.coldcall.core.calls.Delivery;
import com.aicallgo.coldcall.core.calls.EndEvidence;
import com.aicallgo.coldcall.core.calls.OutboxDrain;
import com.aicallgo.coldcall.core.calls.RecordingReconciler;
import com.aicallgo.coldcall.core.calls.RecordingStarter;
import com.aicallgo.coldcall.core.calls.RecordingTracker;
import com.aicallgo.coldcall.core.calls.Settlement;
import com.aicallgo.coldcall.core.calls.StaleCalls;
import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.http.ApiKeyCheck;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.http.HttpEdge;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.net.SqsQueue;
import com.aicallgo.coldcall.core.policy.CallGate;
import com.aicallgo.coldcall.core.policy.DialPolicy;
import com.aicallgo.coldcall.core.policy.GateSettings;
import com.aicallgo.coldcall.core.secrets.Secrets;
import com.aicallgo.coldcall.core.secrets.SecretsManagerClients;
import com.aicallgo.coldcall.core.secrets.SecretsManagerProvider;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.aicallgo.coldcall.core.store.CallLimits;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Outbox;
import com.aicallgo.coldcall.core.store.Redis;
import com.aicallgo.coldcall.core.store.Reps;
import com.aicallgo.coldcall.core.store.Schedule;
import com.aicallgo.coldcall.core.telnyx.ClientState;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import com.aicallgo.coldcall.core.telnyx.TelnyxCredentials;
import com.aicallgo.coldcall.core.telnyx.TelnyxLoginTokens;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.telnyx.WebhookVerifier;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadlines;
import com.aicallgo.coldcall.core.webbackend.WebBackendClient;
import java.io.PrintStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The composition root: builds a function's collaborators from its environment, each once per container. Used only
 * from handler constructors (Lambda passes {@code System.getenv()}, the local runner and tests their own map);
 * nothing calls it from inside a request.
 */
public final class Wiring {
    private final Map<String, String> env;
    private final Config config;
    private final Clock clock;
    private final JsonLog log;
    private final Budget budget = new Budget();
    private final Map<Class<?>, Object> built = new HashMap<>();

    /** {@code function} names the log lines unless Lambda's {@code AWS_LAMBDA_FUNCTION_NAME} does. */
    public Wiring(String function, Map<String, String> env, Clock clock, PrintStream out) {
        this.env = Map.copyOf(env);
        this.config = Config.fromEnv(env);
        this.clock = clock;
        this.log = new JsonLog(config.functionName() == null ? function : config.functionName(), config.stage(), out);
    }

    public static Wiring fromEnvironment(String function, Map<String, String> env) {
        return new Wiring(function, env, Clock.systemUTC(), System.out);
    }

    public Config config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public JsonLog log() {
        return log;
    }

    /** Each invocation's deadline, read by every client this wiring builds. */
    public Budget budget() {
        return budget;
    }

    public HttpEdge edge(Endpoint... endpoints) {
        return new HttpEdge(log, budget, endpoints);
    }

    public ApiKeyCheck apiKeyCheck() {
        return once(ApiKeyCheck.class, () -> new ApiKeyCheck(secrets()));
    }

    public WebhookVerifier webhookVerifier() {
        return once(WebhookVerifier.class, () -> new WebhookVerifier(secrets(), config.verifyWebhooks(), clock, log));
    }

    public TelnyxLoginTokens loginTokens() {
        return once(TelnyxLoginTokens.class, () -> new TelnyxLoginTokens(config.telnyxApiBase(), secrets(), telnyxHttp()));
    }

    /** Telnyx's telephony credentials API: each rep's own SIP user on our connection. */
    public TelnyxCredentials telnyxCredentials() {
        return once(TelnyxCredentials.class, () -> new TelnyxCredentials(config.telnyxApiBase(), secrets(), telnyxHttp()));
    }

    /** Which rep each SIP user was issued to. */
    public Reps reps() {
        return once(Reps.class, () -> new Reps(redis()));
    }

    public RecordingStarter recordingStarter() {
        return once(RecordingStarter.class, () -> new RecordingStarter(calls(), callControl(), clock, budget,
                config.parkedFlow(), config.sipConnectionId()));
    }

    /** Every Telnyx call event, routed to the tracker that follows it. */
    public CallEvents callEvents() {
        config.requireBusinessId();
        if (config.secretId() == null) {
            // from the environment a missing key fails the start; from Secrets Manager its first use (nothing reads
            // the secret before a SnapStart snapshot), with the same ConfigException naming it
            secrets().current().requireClientStateKey();
        }
        return once(CallEvents.class, () -> new CallEvents(calls(), callTracker(),
                new RecordingTracker(calls(), recordingChecks(), delivery(), telnyxRecordings(), log, clock,
                        endEvidence()),
                new ClientState(secrets()), log));
    }

    /** The calls whose hang-up never came, settled from Telnyx's call status. */
    public StaleCalls staleCalls() {
        config.requireBusinessId();
        return once(StaleCalls.class, () -> new StaleCalls(calls(), staleChecks(), callControl(), settlement(), clock,
                log, 200, CallLimit.fromEnv(env, config)));
    }

    /** The server's truth about a call for the page, and the page's report that it ended (start-recording's routes). */
    public CallTruth callTruth() {
        config.requireBusinessId();
        return once(CallTruth.class, () -> new CallTruth(calls(), callLogBuilder(), callGate(), endEvidence(), clock));
    }

    /** Evidence that a call ended other than its hang-up: the page's report, a recording event. */
    private EndEvidence endEvidence() {
        return once(EndEvidence.class, () -> new EndEvidence(calls(), staleChecks(), callControl(), settlement(), clock,
                log));
    }

    /** The one path that ends a call whose hang-up never came. */
    private Settlement settlement() {
        return once(Settlement.class, () -> new Settlement(calls(), callTracker(), clock, log));
    }

    private CallLogBuilder callLogBuilder() {
        return once(CallLogBuilder.class, () -> new CallLogBuilder(config.businessId(), config.sipPhoneNumber(),
                config.answerWait()));
    }

    private CallTracker callTracker() {
        return once(CallTracker.class, () -> new CallTracker(calls(), recordingChecks(), staleChecks(),
                recordingStarter(), delivery(), callControl(),
                new CallTracker.Settings(config.autoRecord(), config.reconcileAfter(), config.parkedFlow(),
                        config.sipPhoneNumber(), config.connectTimeout(), config.staleCallAfter()),
                budget, log, clock, new CallQuality(log), callGate()));
    }

    /** The call gate's settings (docs/call-policy.md), read once. */
    public GateSettings gateSettings() {
        return once(GateSettings.class, () -> GateSettings.fromEnv(env, config.staleCallAfter()));
    }

    /** Which numbers may be called: the one rule set the webhook enforces and the page is served. */
    public DialPolicy dialPolicy() {
        return once(DialPolicy.class, () -> new DialPolicy(gateSettings()));
    }

    private CallGate callGate() {
        return once(CallGate.class, () -> new CallGate(dialPolicy(), gateSettings(), new CallLimits(redis()), reps(),
                calls(), log, clock));
    }

    private TelnyxCallControl callControl() {
        return once(TelnyxCallControl.class, () -> new TelnyxCallControl(config.telnyxApiBase(), secrets(), telnyxHttp(),
                Deadlines.RECORD_START_BACKOFF.toMillis()));
    }

    private TelnyxRecordings telnyxRecordings() {
        return once(TelnyxRecordings.class, () -> new TelnyxRecordings(config.telnyxApiBase(), secrets(), telnyxHttp()));
    }

    public OutboxDrain outboxDrain() {
        config.requireBusinessId();
        return once(OutboxDrain.class, () -> new OutboxDrain(outbox(), delivery(), clock, log, 200));
    }

    public RecordingReconciler recordingReconciler() {
        return once(RecordingReconciler.class, () -> new RecordingReconciler(calls(), recordingChecks(),
                telnyxRecordings(), delivery(), config.reconcileAfter(), clock, log, 200));
    }

    /**
     * One Redis client per container, shared by everything the function builds. It logs in with the secret's
     * {@code REDIS_USERNAME} and {@code REDIS_PASSWORD} (read when the connection opens); without a password, not at all.
     */
    public Redis redis() {
        return once(Redis.class, () -> Redis.create(config.redisUrl(), config.redisCluster(), budget, () -> {
            Secrets current = secrets().current();
            return new Redis.Login(current.redisUsername(), current.redisPassword());
        }));
    }

    public Calls calls() {
        return once(Calls.class, () -> new Calls(redis(), config.callStateTtl()));
    }

    public Outbox outbox() {
        return once(Outbox.class, () -> new Outbox(redis(), calls()));
    }

    /** Answered calls whose recording is to be checked ({@link RecordingReconciler}); holds nothing but names. */
    public Schedule recordingChecks() {
        return Schedule.recordingChecks(redis());
    }

    /** Calls whose hang-up may never come ({@link StaleCalls}); holds nothing but names. */
    public Schedule staleChecks() {
        return Schedule.staleChecks(redis());
    }

    /** The secrets: from Secrets Manager when {@code TELNYX_SIP_SECRET_ID} is set, else from the environment. */
    public SecretsProvider secrets() {
        return once(SecretsProvider.class, () -> {
            if (config.secretId() == null) {
                Secrets fromEnv = Secrets.from(env, "the environment (TELNYX_SIP_SECRET_ID is not set)");
                return () -> fromEnv;
            }
            return new SecretsManagerProvider(SecretsManagerClients.live(config.aws()), config.secretId(),
                    config.secretsTtl(), env, Json.mapper(), clock, budget);
        });
    }

    /**
     * Before a SnapStart snapshot: loads the Secrets Manager request path, and SQS's when {@code
     * DELAYED_RECORDS_QUEUE_URL} names a queue, each answered from memory.
     */
    public void primeSecretsClient() {
        if (config.secretId() != null) {
            SecretsManagerClients.prime(config.aws());
        }
        String queue = env.get(DelayedRecords.VARIABLE);
        if (queue != null && !queue.isBlank() && !queue.strip().equals(DelayedRecords.LOCAL)) {
            SqsQueue.prime(config.aws());
        }
    }

    private Delivery delivery() {
        return once(Delivery.class, () -> new Delivery(calls(), outbox(),
                new WebBackendClient(config.requireWebBackendUrl(), secrets(),
                        new HttpCaller(budget, config.webBackendTimeout(), config.webBackendTimeout())),
                callLogBuilder(), config.outboxMaxAge(), clock, log, budget,
                telnyxRecordings(), config.recordingLinkMaxAge(), delayedRecords()));
    }

    /**
     * The outbox's precise trigger: SQS when {@code DELAYED_RECORDS_QUEUE_URL} names a queue (its endpoint
     * {@code AWS_ENDPOINT_URL_SQS}, else {@code AWS_ENDPOINT_URL}, when set: a local AWS), the local runner's
     * in-process queue when it is {@link DelayedRecords#LOCAL}, none when unset.
     */
    public DelayedRecords delayedRecords() {
        return once(DelayedRecords.class, () -> {
            String url = env.get(DelayedRecords.VARIABLE);
            DelayedRecords.Queue queue = null;
            if (url != null && !url.isBlank()) {
                String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_SQS", env.get("AWS_ENDPOINT_URL"));
                queue = url.strip().equals(DelayedRecords.LOCAL) ? DelayedRecords.local()
                        : SqsQueue.live(config.aws(), endpoint == null || endpoint.isBlank() ? null : endpoint,
                                url.strip());
            }
            return new DelayedRecords(queue, budget, clock, log);
        });
    }

    private HttpCaller telnyxHttp() {
        return new HttpCaller(budget, Deadlines.TELNYX_CONNECT, Deadlines.TELNYX_CALL);
    }

    /** The one instance of {@code type} this container builds (a builder may ask for others: no computeIfAbsent). */
    private synchronized <T> T once(Class<T> type, Supplier<? extends T> build) {
        Object existing = built.get(type);
        if (existing == null) {
            existing = build.get();
            built.put(type, existing);
        }
        return type.cast(existing);
    }
}
