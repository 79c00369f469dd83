package com.aicallgo.coldcall.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a {@code start-api} runner already serving its stand-ins, so {@code invoke} and {@code drain} post to it
 * (where {@code GET /_local/web-backend} shows the result) instead of to stand-ins that vanish with the command.
 */
final class RunningServer {
    private static final Pattern LOCAL = Pattern.compile("^(http://(?:127\\.0\\.0\\.1|localhost):[0-9]+)/_local/");
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunningServer() {
    }

    /** The runner base the env file's {@code WEB_BACKEND_URL} names ({@code http://127.0.0.1:3000}), or {@code null}. */
    static String named(Map<String, String> env) {
        Matcher matcher = LOCAL.matcher(env.getOrDefault("WEB_BACKEND_URL", ""));
        return matcher.find() ? matcher.group(1) : null;
    }

    /** Whether a runner serves its stand-ins at {@code base}. */
    static boolean answers(String base) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + StandIns.WEB_BACKEND))
                    .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
            return body != null && body.has("received");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
