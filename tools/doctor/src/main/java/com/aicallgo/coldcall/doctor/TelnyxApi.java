package com.aicallgo.coldcall.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads of the Telnyx API v2 with the account's key: each bounded by a total deadline (a peer that drips bytes
 * cannot hold it), each failure a {@link Failure} whose message says what to do. The key goes into the
 * {@code Authorization} header and nowhere else.
 */
final class TelnyxApi {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration READ_DEADLINE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NETWORK = "check this machine's network and proxy, or --telnyx-api-base";

    /**
     * A read that gave no resource: {@code status} 0 when no HTTP answer came at all; {@code found} says what
     * happened, {@code fix} what to do.
     */
    static final class Failure extends Exception {
        private final int status;
        private final String fix;

        Failure(int status, String found, String fix) {
            super(found, null, false, false);
            this.status = status;
            this.fix = fix;
        }

        int status() {
            return status;
        }

        String found() {
            return getMessage();
        }

        String fix() {
            return fix;
        }
    }

    private final String base;
    private final String apiKey;
    private final HttpClient client;

    TelnyxApi(String base, String apiKey) {
        this.base = base.replaceAll("/+$", "");
        this.apiKey = apiKey;
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    String base() {
        return base;
    }

    JsonNode credentialConnection(String id) throws Failure {
        return get("/v2/credential_connections/" + segment(id), "credential connection " + id).path("data");
    }

    JsonNode outboundVoiceProfile(String id) throws Failure {
        return get("/v2/outbound_voice_profiles/" + segment(id), "outbound voice profile " + id).path("data");
    }

    /** The account's phone number objects for {@code e164} (an empty array when the account has no such number). */
    JsonNode phoneNumbers(String e164) throws Failure {
        return get("/v2/phone_numbers?filter%5Bphone_number%5D=" + URLEncoder.encode(e164, StandardCharsets.UTF_8),
                "phone number " + e164).path("data");
    }

    private JsonNode get(String path, String what) throws Failure {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(READ_DEADLINE)
                .header("Authorization", "Bearer " + apiKey).header("Accept", "application/json").GET().build();
        CompletableFuture<HttpResponse<String>> pending = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response;
        try {
            response = pending.get(READ_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new Failure(0, "no answer from " + base + " within " + READ_DEADLINE.toSeconds() + " s reading the "
                    + what, NETWORK);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new Failure(0, "cannot reach " + base + " (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")", NETWORK);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, "interrupted reading the " + what, "run it again");
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new Failure(status, "Telnyx refused the API key (" + status + detail(response.body())
                    + "): it is wrong, revoked, another account's, or not allowed these reads",
                    "put the account's key in TELNYX_SIP_API_KEY (the deploy's secret, or the shell's); portal: Keys &"
                            + " Credentials -> API Keys");
        }
        if (status == 404) {
            throw new Failure(404, "no " + what + " on this account (404" + detail(response.body()) + ")", "");
        }
        if (status != 200) {
            throw new Failure(status, "Telnyx answered " + status + detail(response.body()) + " reading the " + what,
                    status == 429 || status >= 500 ? "run it again in a minute (status.telnyx.com)"
                            : "check --telnyx-api-base and the ids given");
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            if (body == null || !body.isObject() || !body.has("data")) {
                throw new IOException("no data");
            }
            return body;
        } catch (IOException e) {
            throw new Failure(status, "the answer for the " + what + " is not Telnyx's JSON",
                    "is " + base + " the Telnyx API? (--telnyx-api-base)");
        }
    }

    /** Telnyx's first error title and detail, for the message; never the request's headers. */
    private static String detail(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("errors").path(0);
            String text = (error.path("title").asText("") + ": " + error.path("detail").asText("")).replaceAll("^: |: $", "");
            return text.isBlank() ? "" : ", " + (text.length() > 200 ? text.substring(0, 200) : text);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
