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
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
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

    /**
     * Before a SnapStart snapshot: one SendMessage through a client built like the live one but answered from memory
     * (no network, no real keys), so the SDK's SQS request path is loaded and a webhook's first send after a restore
     * fits its 500 ms.
     */
    public static void prime(Config.Aws aws) {
        try (SqsClient client = SqsClient.builder()
                .httpClient(new Canned())
                .region(Region.of(aws.region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
                .build()) {
            client.sendMessage(request -> request.queueUrl("https://sqs.us-east-1.amazonaws.com/000000000000/priming")
                    .messageBody(Canned.BODY).delaySeconds(1));
        }
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

    /** The answer of {@link #prime}: SendMessage's, with the body's MD5 the SDK checks. */
    private static final class Canned implements SdkHttpClient {
        static final String BODY = "{\"priming\":true}";

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            byte[] answer = ("{\"MessageId\":\"00000000-0000-0000-0000-000000000000\",\"MD5OfMessageBody\":\""
                    + md5(BODY) + "\"}").getBytes(StandardCharsets.UTF_8);
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.0")
                                    .putHeader("Content-Length", Integer.toString(answer.length)).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(answer)))
                            .build();
                }

                @Override
                public void abort() {
                }
            };
        }

        private static String md5(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                        .digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
        }
    }
}
