package com.aicallgo.coldcall.core.http;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A typed view of an API Gateway payload-2.0 event: header names lower-cased (API Gateway does it; SAM CLI and
 * callers do not), the body as the exact bytes received (base64 decoded), and the fields the edge logs.
 */
public final class ApiRequest {
    /** API Gateway caps bodies at 10 MB; we never need more than this. */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    private final String method;
    private final String path;
    private final Map<String, String> headers;
    private final byte[] body;
    private final String requestId;
    private final Map<String, Object> logFields = new LinkedHashMap<>();
    private final Map<String, String> pathParameters;

    public ApiRequest(String method, String path, Map<String, String> headers, byte[] body, String requestId) {
        this(method, path, headers, body, requestId, Map.of());
    }

    /** A request whose route has {@code {name}} segments: their values, as API Gateway decoded them. */
    public ApiRequest(String method, String path, Map<String, String> headers, byte[] body, String requestId,
            Map<String, String> pathParameters) {
        this.pathParameters = pathParameters == null ? Map.of() : Map.copyOf(pathParameters);
        this.method = method;
        this.path = path;
        this.headers = headers;
        this.body = body;
        this.requestId = requestId;
    }

    /**
     * Reads the event.
     *
     * @throws Failure 400 for a body flagged base64 that is not, 413 for an oversized body
     */
    public static ApiRequest from(HttpApiEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (event.headers() != null) {
            event.headers().forEach((name, value) -> {
                if (name != null && value != null) {
                    headers.put(name.toLowerCase(Locale.ROOT), value);
                }
            });
        }
        String method = null;
        String path = event.rawPath();
        String requestId = null;
        if (event.requestContext() != null) {
            requestId = event.requestContext().requestId();
            if (event.requestContext().http() != null) {
                method = event.requestContext().http().method();
                if (path == null) {
                    path = event.requestContext().http().path();
                }
            }
        }
        String raw = event.body();
        byte[] body;
        if (raw == null) {
            body = new byte[0];
        } else if (event.isBase64Encoded()) {
            try {
                body = Base64.getDecoder().decode(raw.strip());
            } catch (IllegalArgumentException e) {
                throw new Failure(ErrorCode.INVALID_REQUEST, "The body is flagged base64 but is not valid base64", null);
            }
        } else {
            body = raw.getBytes(StandardCharsets.UTF_8);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new Failure(ErrorCode.PAYLOAD_TOO_LARGE, "The body is larger than " + MAX_BODY_BYTES + " bytes", null);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (event.pathParameters() != null) {
            event.pathParameters().forEach((name, value) -> {
                if (name != null && value != null) {
                    parameters.put(name, value);
                }
            });
        }
        return new ApiRequest(method, path, headers, body, requestId, parameters);
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** A header by name, case-insensitively; {@code null} when absent. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The value of the route's {@code {name}} segment; {@code null} when the route has none. */
    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    public byte[] body() {
        return body;
    }

    public String requestId() {
        return requestId;
    }

    /** Adds a field to the one log line the edge writes for this request. */
    public void tag(String key, Object value) {
        if (value != null) {
            logFields.put(key, value);
        }
    }

    Map<String, Object> logFields() {
        return logFields;
    }
}
