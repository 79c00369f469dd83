package com.aicallgo.coldcall.core.secrets;

import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadlines;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * Reads the function's Secrets Manager secrets (each a JSON object) and keeps them for a TTL, so a warm container asks
 * once per TTL. {@code TELNYX_SIP_SECRET_ID} names one secret, or several separated by commas (each function is
 * granted only its own: docs/configuration.md section 5): they are read at the same time and merged in order, a later
 * secret's value winning over an earlier one's, a blank value never winning. The first read happens on the first
 * request, not at init, so no secret lands in a SnapStart snapshot. A key no secret has falls back to the environment
 * variable of the same name (local work).
 */
public final class SecretsManagerProvider implements SecretsProvider {
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

    private final SecretsManagerClient client;
    private final List<String> secretIds;
    private final Duration ttl;
    private final Map<String, String> fallback;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Budget budget;
    private Secrets cached;
    private Instant expires = Instant.MIN;

    public SecretsManagerProvider(SecretsManagerClient client, String secretIds, Duration ttl,
            Map<String, String> fallback, ObjectMapper mapper, Clock clock) {
        this(client, secretIds, ttl, fallback, mapper, clock, new Budget());
    }

    /** Each read is bounded by {@link Deadlines#SECRETS_CALL}, cut to the invocation's budget. */
    public SecretsManagerProvider(SecretsManagerClient client, String secretIds, Duration ttl,
            Map<String, String> fallback, ObjectMapper mapper, Clock clock, Budget budget) {
        this.budget = budget;
        this.client = client;
        this.secretIds = ids(secretIds);
        this.ttl = ttl;
        this.fallback = fallback;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** The secret ids of a {@code TELNYX_SIP_SECRET_ID} value: comma-separated, blanks around them ignored. */
    static List<String> ids(String value) {
        List<String> ids = Arrays.stream(value.split(",")).map(String::strip).filter(id -> !id.isEmpty()).toList();
        if (ids.isEmpty()) {
            throw new ConfigException("TELNYX_SIP_SECRET_ID names no secret");
        }
        return ids;
    }

    @Override
    public synchronized Secrets current() {
        Instant now = clock.instant();
        if (cached == null || now.isAfter(expires)) {
            cached = read();
            expires = now.plus(ttl);
        }
        return cached;
    }

    private Secrets read() {
        Duration left = budget.call(Deadlines.SECRETS_CALL).remaining();
        String names = String.join(", ", secretIds);
        if (left.toMillis() < 1) {
            throw new SecretsUnavailableException("no time left to read secret " + names, null);
        }
        long until = System.nanoTime() + left.toNanos();
        List<CompletableFuture<GetSecretValueResponse>> calls = secretIds.stream().map(id -> start(id, left)).toList();
        Map<String, String> values = new HashMap<>();
        for (String key : Config.SECRET_KEYS) {
            if (fallback.get(key) != null) {
                values.put(key, fallback.get(key));
            }
        }
        for (int i = 0; i < secretIds.size(); i++) {
            merge(secretIds.get(i), answer(secretIds.get(i), calls.get(i), left, until), values);
        }
        return Secrets.from(values, (secretIds.size() == 1 ? "secret " : "secrets ") + names);
    }

    /**
     * One GetSecretValue on its own thread: the SDK's apiCallTimeout does not hold the keys' lookup (under SnapStart an
     * HTTP call to Lambda's container endpoint with only a per-read timeout: one that drips held a read for 18 s), so
     * the call is waited for no longer than the deadline ({@link #answer}).
     */
    private CompletableFuture<GetSecretValueResponse> start(String secretId, Duration left) {
        CompletableFuture<GetSecretValueResponse> call = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("secrets-read").start(() -> {
            try {
                call.complete(client.getSecretValue(request -> request.secretId(secretId)
                        .overrideConfiguration(override -> override.apiCallTimeout(left))));
            } catch (RuntimeException e) {
                call.completeExceptionally(e);
            }
        });
        return call;
    }

    private static String answer(String secretId, CompletableFuture<GetSecretValueResponse> call, Duration left,
            long until) {
        String json;
        try {
            json = call.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS).secretString();
        } catch (TimeoutException e) {
            throw new SecretsUnavailableException("reading secret " + secretId + " took longer than "
                    + left.toMillis() + " ms", null);
        } catch (ExecutionException e) {
            // an SdkException, or what the SDK let through from a malformed answer (a NullPointerException for
            // container keys without an Expiration): the class names it, its message could quote the answer
            throw new SecretsUnavailableException("cannot read secret " + secretId + ": "
                    + e.getCause().getClass().getSimpleName(), e.getCause() instanceof SdkException ? e.getCause() : null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretsUnavailableException("interrupted while reading secret " + secretId, null);
        }
        if (json == null) {
            throw new SecretsUnavailableException("secret " + secretId + " has no SecretString", null);
        }
        return json;
    }

    private void merge(String secretId, String json, Map<String, String> values) {
        try {
            for (Map.Entry<String, Object> entry : mapper.readValue(json, OBJECT).entrySet()) {
                Object value = entry.getValue();
                if (value != null && !value.toString().isBlank()) {
                    // a nested object (INTERNAL_API_KEYS) is kept as its JSON text
                    values.put(entry.getKey(), value instanceof Map<?, ?> ? mapper.writeValueAsString(value) : value.toString());
                }
            }
        } catch (JsonProcessingException e) {
            // the parser's message could quote the secret: name the problem only
            throw new SecretsUnavailableException("secret " + secretId + " is not a JSON object", null);
        }
    }
}
