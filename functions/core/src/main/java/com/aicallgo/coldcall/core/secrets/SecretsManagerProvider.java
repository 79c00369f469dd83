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
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

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
        String json;
        try {
            Duration left = budget.call(Deadlines.SECRETS_CALL).remaining();
            if (left.toMillis() < 1) {
                throw new SecretsUnavailableException("no time left to read secret " + secretId, null);
            }
            json = client.getSecretValue(request -> request.secretId(secretId)
                    .overrideConfiguration(call -> call.apiCallTimeout(left))).secretString();
        } catch (SdkException e) {
            throw new SecretsUnavailableException("cannot read secret " + secretId + ": " + e.getClass().getSimpleName(), e);
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
            mapper.readValue(json, OBJECT).forEach((key, value) -> {
                if (value != null) {
                    values.put(key, value.toString());
                }
            });
        } catch (JsonProcessingException e) {
            // the parser's message could quote the secret: name the problem only
            throw new SecretsUnavailableException("secret " + secretId + " is not a JSON object", null);
        }
        return Secrets.from(values, "secret " + secretId);
    }
}
