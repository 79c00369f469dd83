package com.aicallgo.coldcall.core.secrets;

import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.time.Deadlines;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
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

/** Builds the Secrets Manager client from {@link Config.Aws}, and primes its request path for a SnapStart snapshot. */
public final class SecretsManagerClients {
    private SecretsManagerClients() {
    }

    /** The client: the light URL-connection HTTP client, the endpoint override when set (a local AWS), the keys. */
    public static SecretsManagerClient live(Config.Aws aws) {
        SecretsManagerClientBuilder builder = SecretsManagerClient.builder()
                // no socket wait may outlast the call's own deadline (SecretsManagerProvider cuts it to the budget)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Deadlines.SECRETS_CALL)
                        .socketTimeout(Deadlines.SECRETS_CALL)
                        .build())
                .region(Region.of(aws.region()))
                .credentialsProvider(credentials(aws));
        if (aws.secretsManagerEndpoint() != null) {
            builder.endpointOverride(URI.create(aws.secretsManagerEndpoint()));
        }
        return builder.build();
    }

    /**
     * Before a SnapStart snapshot: one GetSecretValue through a client built like the live one but answered from
     * memory, so the SDK's request path (endpoint rules, marshalling, signing, retries, unmarshalling) is loaded with
     * no network call, no real credentials and no secret in the snapshot.
     */
    public static void prime(Config.Aws aws) {
        try (SecretsManagerClient client = SecretsManagerClient.builder()
                .httpClient(new CannedSecret())
                .region(Region.of(aws.region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
                .build()) {
            client.getSecretValue(request -> request.secretId("snapstart-priming"));
        }
    }

    /**
     * Keys from the environment when it has them (Lambda without SnapStart, {@code sam local}, tests); else from the
     * container endpoint when Lambda names one (SnapStart): that provider is built here, before the snapshot, so a
     * restore is left with its one local HTTP call and not the default chain's search (system properties, environment,
     * web identity, profile files, container, instance metadata), which it would build on first use, after the restore;
     * else the default chain.
     */
    public static AwsCredentialsProvider credentials(Config.Aws aws) {
        if (aws.accessKeyId() != null && aws.secretAccessKey() != null) {
            return StaticCredentialsProvider.create(aws.sessionToken() == null
                    ? AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey())
                    : AwsSessionCredentials.create(aws.accessKeyId(), aws.secretAccessKey(), aws.sessionToken()));
        }
        if (aws.containerCredentials()) {
            return ContainerCredentialsProvider.builder().build();
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /** The answer of {@link #prime}: a secret with an empty JSON object, from memory. */
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
}
