package com.aicallgo.coldcall.core;

import com.aicallgo.coldcall.core.calls.CallLogBuilder;
import com.aicallgo.coldcall.core.calls.CallTracker;
import com.aicallgo.coldcall.core.calls.Delivery;
import com.aicallgo.coldcall.core.calls.OutboxDrain;
import com.aicallgo.coldcall.core.calls.RecordingReconciler;
import com.aicallgo.coldcall.core.calls.RecordingStarter;
import com.aicallgo.coldcall.core.calls.RecordingTracker;
import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.http.ApiKeyCheck;
import com.aicallgo.coldcall.core.http.HttpEdge;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.Secrets;
import com.aicallgo.coldcall.core.secrets.SecretsManagerProvider;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import com.aicallgo.coldcall.core.telnyx.TelnyxLoginTokens;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.telnyx.WebhookVerifier;
import com.aicallgo.coldcall.core.webbackend.WebBackendClient;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;

/**
 * The composition root: builds a function's collaborators from its environment, once per container. Used only
 * from handler constructors (Lambda passes {@code System.getenv()}, the local runner and tests their own map);
 * nothing calls it from inside a request.
 */
public final class Wiring {
    private final Map<String, String> env;
    private final Config config;
    private final Clock clock;
    private final PrintStream out;
    private final String function;
    private SecretsProvider secrets;
    private CallStore callStore;

    public Wiring(String function, Map<String, String> env, Clock clock, PrintStream out) {
        this.function = function;
        this.env = Map.copyOf(env);
        this.config = Config.fromEnv(env);
        this.clock = clock;
        this.out = out;
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
        return new JsonLog(function, config.stage(), out);
    }

    public HttpEdge edge(String route) {
        return new HttpEdge(route, log());
    }

    public ApiKeyCheck apiKeyCheck() {
        return new ApiKeyCheck(secrets());
    }

    public WebhookVerifier webhookVerifier() {
        return new WebhookVerifier(secrets(), config.verifyWebhooks(), clock, log());
    }

    public TelnyxLoginTokens loginTokens() {
        return new TelnyxLoginTokens(config.telnyxApiBase(), secrets(), telnyxHttp());
    }

    public RecordingStarter recordingStarter() {
        return new RecordingStarter(callStore(), new TelnyxCallControl(config.telnyxApiBase(), secrets(), telnyxHttp(), 150),
                clock);
    }

    public CallTracker callTracker() {
        config.requireBusinessId();
        return new CallTracker(callStore(), recordingStarter(), delivery(), config.autoRecord(), config.reconcileAfter(),
                clock);
    }

    public OutboxDrain outboxDrain() {
        config.requireBusinessId();
        return new OutboxDrain(callStore(), delivery(), clock, log(), 200);
    }

    public RecordingReconciler recordingReconciler() {
        return new RecordingReconciler(callStore(),
                new TelnyxRecordings(config.telnyxApiBase(), secrets(), telnyxHttp()), delivery(),
                config.reconcileAfter(), clock, log(), 200);
    }

    /**
     * Every Telnyx call event, whichever webhook route it came to. Telnyx sends a call's recording events to the
     * connection's webhook URL ({@code record_start} takes no URL of its own), which is the call-status route: both
     * routes therefore take both kinds, and the recording route stays for accounts that send recording events
     * elsewhere.
     */
    public Function<WebhookEvent, String> webhookEvents() {
        CallTracker calls = callTracker();
        RecordingTracker recordings = recordingTracker();
        return event -> event.eventType().startsWith("call.recording.") ? recordings.apply(event) : calls.apply(event);
    }

    public RecordingTracker recordingTracker() {
        return new RecordingTracker(callStore(), delivery(), clock);
    }

    /** One Redis client per container, shared by everything the function builds. */
    public synchronized CallStore callStore() {
        if (callStore == null) {
            callStore = CallStore.create(config.redisUrl(), config.redisCluster(), config.callStateTtl());
        }
        return callStore;
    }

    /** The secrets: from Secrets Manager when {@code TELNYX_SIP_SECRET_ID} is set, else from the environment. */
    public synchronized SecretsProvider secrets() {
        if (secrets == null) {
            if (config.secretId() == null) {
                Secrets fromEnv = Secrets.from(env, "the environment (TELNYX_SIP_SECRET_ID is not set)");
                secrets = () -> fromEnv;
            } else {
                secrets = new SecretsManagerProvider(secretsManager(), config.secretId(), config.secretsTtl(), env,
                        Json.mapper(), clock);
            }
        }
        return secrets;
    }

    /**
     * Before a SnapStart snapshot: one GetSecretValue through a client built like the real one but answered from
     * memory, so the SDK's request path (endpoint rules, marshalling, signing, retries, unmarshalling) is loaded
     * with no network call, no real credentials and no secret in the snapshot. A no-op without a secret id.
     */
    public void primeSecretsClient() {
        if (config.secretId() == null) {
            return;
        }
        try (SecretsManagerClient client = SecretsManagerClient.builder()
                .httpClient(new CannedSecret())
                .region(region())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
                .build()) {
            client.getSecretValue(request -> request.secretId("snapstart-priming"));
        }
    }

    /** The answer of {@link #primeSecretsClient()}: a secret with an empty JSON object, from memory. */
    private static final class CannedSecret implements SdkHttpClient {
        private static final byte[] BODY = "{\"Name\":\"snapstart-priming\",\"SecretString\":\"{}\",\"CreatedDate\":1.7E9}"
                .getBytes(StandardCharsets.UTF_8);

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.1")
                                    .putHeader("Content-Length", Integer.toString(BODY.length)).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(BODY)))
                            .build();
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public void close() {
        }
    }

    private Delivery delivery() {
        WebBackendClient client = new WebBackendClient(config.requireWebBackendUrl(), secrets(),
                new HttpCaller(config.webBackendTimeout(), config.webBackendTimeout()));
        return new Delivery(callStore(), client, new CallLogBuilder(config.businessId(), config.answerWait()),
                config.outboxMaxAge(), clock, log());
    }

    private static HttpCaller telnyxHttp() {
        return new HttpCaller(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    private SecretsManagerClient secretsManager() {
        SecretsManagerClientBuilder builder = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(3))
                        .build())
                .region(region())
                .credentialsProvider(awsCredentials());
        String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_SECRETS_MANAGER", env.get("AWS_ENDPOINT_URL"));
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }

    private Region region() {
        return Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
    }

    /** Keys from this environment when it has them (Lambda without SnapStart, tests), else the default chain. */
    private AwsCredentialsProvider awsCredentials() {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || secret == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        String token = env.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token == null
                ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token));
    }
}
