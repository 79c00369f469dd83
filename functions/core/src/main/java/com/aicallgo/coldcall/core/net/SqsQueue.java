package com.aicallgo.coldcall.core.net;

import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.secrets.SecretsManagerClients;
import com.aicallgo.coldcall.core.time.Deadlines;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * {@link DelayedRecords}' SQS queue: SendMessage through the SDK's light URL-connection client, keys as for Secrets
 * Manager ({@link SecretsManagerClients#credentials}). Each send runs on its own thread and is waited for no longer
 * than its deadline, which also holds the keys' lookup (the SDK's apiCallTimeout does not).
 */
public final class SqsQueue implements DelayedRecords.Queue {
    private final SqsClient client;
    private final String queueUrl;

    public SqsQueue(SqsClient client, String queueUrl) {
        this.client = client;
        this.queueUrl = queueUrl;
    }

    /** The live queue; {@code endpoint} overrides SQS's (a local AWS), {@code null} for AWS's own. */
    public static SqsQueue live(Config.Aws aws, String endpoint, String queueUrl) {
        SqsClientBuilder builder = SqsClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Deadlines.QUEUE_SEND)
                        .socketTimeout(Deadlines.QUEUE_SEND)
                        .build())
                .region(Region.of(aws.region()))
                .credentialsProvider(SecretsManagerClients.credentials(aws));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return new SqsQueue(builder.build(), queueUrl);
    }

    @Override
    public void send(String body, int delaySeconds, Duration within) {
        CompletableFuture<Void> call = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("delayed-records-send").start(() -> {
            try {
                client.sendMessage(request -> request.queueUrl(queueUrl).messageBody(body).delaySeconds(delaySeconds)
                        .overrideConfiguration(override -> override.apiCallTimeout(within)));
                call.complete(null);
            } catch (RuntimeException e) {
                call.completeExceptionally(e);
            }
        });
        try {
            call.get(within.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("SendMessage took longer than " + within.toMillis() + " ms");
        } catch (ExecutionException e) {
            // the SDK's message names the queue and the error code, never a key
            Throwable cause = e.getCause();
            throw new IllegalStateException("SendMessage failed: " + cause.getClass().getSimpleName()
                    + (cause instanceof SdkException && cause.getMessage() != null ? ": " + cause.getMessage() : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending");
        }
    }
}
