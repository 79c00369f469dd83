package com.aicallgo.coldcall.core.webbackend;

import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.aicallgo.coldcall.core.time.Deadline;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.net.URI;
import java.util.Map;

/** Posts records to the company's Web Backend. A 2xx or a 409 (it has the record already) is delivered. */
public final class WebBackendClient {
    /** How a post went; {@code detail} is for the log (status or exception class), never the caller. */
    public record Result(boolean delivered, int status, String detail) {
    }

    private final String baseUrl;
    private final SecretsProvider secrets;
    private final HttpCaller http;

    public WebBackendClient(String baseUrl, SecretsProvider secrets, HttpCaller http) {
        this.baseUrl = baseUrl;
        this.secrets = secrets;
        this.http = http;
    }

    public Result post(String path, Object record) {
        return post(path, record, null);
    }

    /**
     * Posts by the earlier of {@code until} (the end of the caller's claim, or {@code null}) and the HTTP caller's
     * own deadline (WEB_BACKEND_TIMEOUT_MS, cut to the invocation's budget): connect, headers and body included.
     */
    public Result post(String path, Object record, Deadline until) {
        byte[] body;
        try {
            body = Json.mapper().writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + record.getClass().getSimpleName(), e);
        }
        Map<String, String> headers = Map.of(
                "Content-Type", "application/json",
                "Accept", "application/json",
                "X-API-Key", secrets.current().requireWebBackendApiKey());
        try {
            HttpCaller.Response response = http.post(URI.create(baseUrl + path), headers, body, until);
            boolean delivered = response.ok() || response.status() == 409;
            return new Result(delivered, response.status(), "web backend answered " + response.status());
        } catch (IOException e) {
            return new Result(false, 0, "web backend did not answer: " + e.getClass().getSimpleName());
        }
    }
}
