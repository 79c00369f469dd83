package com.aicallgo.coldcall.core.secrets;

import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadlines;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * Reads one Secrets Manager secret (a JSON object) and keeps it for a TTL, so a warm container asks once per TTL.
 * The first read happens on the first request, not at init, so no secret lands in a SnapStart snapshot.
 * A key missing from the secret falls back to the environment variable of the same name (local work).
 */
public final class SecretsManagerProvider implements SecretsProvider {
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

    private final SecretsManagerClient client;
    private final String secretId;
    private final Duration ttl;
    private final Map<String, String> fallback;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Budget budget;
    private Secrets cached;
    private Instant expires = Instant.MIN;

    public SecretsManagerProvider(SecretsManagerClient client, String secretId, Duration ttl,
            Map<String, String> fallback, ObjectMapper mapper, Clock clock) {
        this(client, secretId, ttl, fallback, mapper, clock, new Budget());
    }

    /** Each read is bounded by {@link Deadlines#SECRETS_CALL}, cut to the invocation's budget. */
    public SecretsManagerProvider(SecretsManagerClient client, String secretId, Duration ttl,
            Map<String, String> fallback, ObjectMapper mapper, Clock clock, Budget budget) {
        this.budget = budget;
        this.client = client;
        this.secretId = secretId;
        this.ttl = ttl;
        this.fallback = fallback;
        this.mapper = mapper;
        this.clock = clock;
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
        if (left.toMillis() < 1) {
            throw new SecretsUnavailableException("no time left to read secret " + secretId, null);
        }
        // The SDK's apiCallTimeout does not hold the keys' lookup (under SnapStart an HTTP call to Lambda's container
        // endpoint with only a per-read timeout: one that drips held a read for 18 s), so the call runs on its own
        // thread and is waited for no longer than the deadline.
        CompletableFuture<GetSecretValueResponse> call = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("secrets-read").start(() -> {
            try {
                call.complete(client.getSecretValue(request -> request.secretId(secretId)
                        .overrideConfiguration(override -> override.apiCallTimeout(left))));
            } catch (RuntimeException e) {
                call.completeExceptionally(e);
            }
        });
        String json;
        try {
            json = call.get(left.toMillis(), TimeUnit.MILLISECONDS).secretString();
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
        Map<String, String> values = new HashMap<>();
        for (String key : Config.SECRET_KEYS) {
            if (fallback.get(key) != null) {
                values.put(key, fallback.get(key));
            }
        }
        try {
            for (Map.Entry<String, Object> entry : mapper.readValue(json, OBJECT).entrySet()) {
                Object value = entry.getValue();
                if (value != null) {
                    // a nested object (INTERNAL_API_KEYS) is kept as its JSON text
                    values.put(entry.getKey(), value instanceof Map<?, ?> ? mapper.writeValueAsString(value) : value.toString());
                }
            }
        } catch (JsonProcessingException e) {
            // the parser's message could quote the secret: name the problem only
            throw new SecretsUnavailableException("secret " + secretId + " is not a JSON object", null);
        }
        return Secrets.from(values, "secret " + secretId);
    }
}
