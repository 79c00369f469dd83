package com.aicallgo.coldcall.core.http;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
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

    public ApiRequest(String method, String path, Map<String, String> headers, byte[] body, String requestId) {
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
    public static ApiRequest from(APIGatewayV2HTTPEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> {
                if (name != null && value != null) {
                    headers.put(name.toLowerCase(Locale.ROOT), value);
                }
            });
        }
        String method = null;
        String path = event.getRawPath();
        String requestId = null;
        if (event.getRequestContext() != null) {
            requestId = event.getRequestContext().getRequestId();
            if (event.getRequestContext().getHttp() != null) {
                method = event.getRequestContext().getHttp().getMethod();
                if (path == null) {
                    path = event.getRequestContext().getHttp().getPath();
                }
            }
        }
        ApiRequest request = new ApiRequest(method, path, headers, new byte[0], requestId);
        String raw = event.getBody();
        byte[] body;
        if (raw == null) {
            body = new byte[0];
        } else if (event.getIsBase64Encoded()) {
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
        return new ApiRequest(method, path, headers, body, requestId);
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
