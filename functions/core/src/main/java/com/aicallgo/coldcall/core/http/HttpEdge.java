package com.aicallgo.coldcall.core.http;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one doorway of every function: turns the event into an {@link ApiRequest}, runs the route, turns the reply
 * or the exception into a JSON response, and writes the single log line of the invocation. It is the only place
 * that catches {@link RuntimeException}, and the only place that knows which status answers which {@link ErrorCode}.
 */
public final class HttpEdge {
    /** What a function does with a request. */
    @FunctionalInterface
    public interface Route {
        Reply apply(ApiRequest request);
    }

    private record ErrorBody(String error, String message, Map<String, String> fields) {
    }

    private final List<Endpoint> endpoints;
    private final JsonLog log;
    private final Budget budget;
    private boolean coldStart = true;

    /** An edge serving {@code endpoints}; a request is logged under the one its path names, else the first. */
    public HttpEdge(JsonLog log, Endpoint... endpoints) {
        this(log, new Budget(), endpoints);
    }

    /** An edge that opens each invocation's deadline in {@code budget} for the clients to read. */
    public HttpEdge(JsonLog log, Budget budget, Endpoint... endpoints) {
        this.endpoints = List.of(endpoints);
        this.log = log;
        this.budget = budget;
    }

    /** Handles a request outside Lambda (no {@link Context}): the route's own budget only. */
    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Route handler) {
        return handle(event, null, handler);
    }

    /** Handles a request given as the runtime library's type (tests, tools): the same as the stream path. */
    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Context context, Route handler) {
        return handle(HttpApiEvent.of(event), context, handler).toEvent();
    }

    /**
     * Handles a request as Lambda delivers it to a {@code RequestStreamHandler}: the event's JSON in, the response's
     * JSON out, both through our own {@link Json#mapper()}. An event that is not payload-2.0 JSON is answered 400.
     */
    public void handle(InputStream input, OutputStream output, Context context, Route handler) throws IOException {
        HttpApiResponse response;
        HttpApiEvent event;
        try {
            event = Json.mapper().readValue(input, HttpApiEvent.class);
        } catch (JsonProcessingException e) {
            event = null;
        }
        if (event == null) {
            response = error(ErrorCode.INVALID_REQUEST, "The event is not an API Gateway payload-2.0 event", Map.of());
            log.write("WARN", endpoints.get(0).logName(), Map.of("route", endpoints.get(0).logName(),
                    "outcome", ErrorCode.INVALID_REQUEST.code(), "detail", "unreadable event",
                    "status", response.statusCode()));
        } else {
            response = handle(event, context, handler);
        }
        output.write(Json.mapper().writeValueAsBytes(response));
    }

    /**
     * Handles a request within its deadline: the route's budget, cut to Lambda's remaining time less
     * {@link Deadlines#LAMBDA_MARGIN}, so nothing the request does outlives the function's Timeout.
     */
    public HttpApiResponse handle(HttpApiEvent event, Context context, Route handler) {
        Endpoint endpoint = endpoints.stream().filter(candidate -> candidate.matches(event.rawPath()))
                .findFirst().orElse(endpoints.get(0));
        Deadline deadline = Deadline.in(endpoint.budget());
        if (context != null) {
            deadline = deadline.min(Deadline.in(Duration.ofMillis(context.getRemainingTimeInMillis())
                    .minus(Deadlines.LAMBDA_MARGIN)));
        }
        return budget.within(deadline, () -> serve(event, endpoint, handler));
    }

    private HttpApiResponse serve(HttpApiEvent event, Endpoint endpoint, Route handler) {
        long started = System.nanoTime();
        Map<String, Object> fields = new LinkedHashMap<>();
        String route = endpoint.logName();
        fields.put("route", route);
        fields.put("cold_start", coldStart);
        coldStart = false;
        ApiRequest request = null;
        HttpApiResponse response;
        String level = "INFO";
        try {
            request = ApiRequest.from(event);
            Reply reply = handler.apply(request);
            fields.put("outcome", reply.outcome());
            response = respond(reply.status(), reply.body(), reply.headers());
        } catch (Failure e) {
            fields.put("outcome", e.code().code());
            if (e.detail() != null) {
                fields.put("detail", e.detail());
            }
            if (!e.fields().isEmpty()) {
                fields.put("fields", e.fields());
            }
            level = status(e.code()) >= 500 ? "ERROR" : "WARN";
            response = error(e.code(), e.shown(), e.fields());
        } catch (RuntimeException e) {
            fields.put("outcome", ErrorCode.INTERNAL_ERROR.code());
            fields.put("detail", e.getClass().getName());
            fields.put("stack", stackTrace(e));
            level = "ERROR";
            response = error(ErrorCode.INTERNAL_ERROR, "Internal error", Map.of());
        }
        if (request != null) {
            fields.put("request_id", request.requestId());
            fields.putAll(request.logFields());
        }
        fields.put("status", response.statusCode());
        fields.put("latency_ms", (System.nanoTime() - started) / 1_000_000);
        log.write(level, route, fields);
        return response;
    }

    /** The status each code answers with (docs/contracts.md "Routes"): the caller's mistakes 4xx, ours and our peers' 5xx. */
    public static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_REQUEST -> 400;
            case UNAUTHORIZED, INVALID_SIGNATURE -> 401;
            case CALL_ENDED, CALL_BLOCKED -> 409;
            case UNKNOWN_CALL -> 404;
            case PAYLOAD_TOO_LARGE -> 413;
            case INTERNAL_ERROR, MISCONFIGURED -> 500;
            case TELNYX_UNAVAILABLE, TELNYX_REJECTED -> 502;
            case STORE_UNAVAILABLE, SECRETS_UNAVAILABLE, AWAITING_ANSWER, DELIVER_AGAIN -> 503;
        };
    }

    private static HttpApiResponse error(ErrorCode code, String message, Map<String, String> fields) {
        return respond(status(code), new ErrorBody(code.code(), message, fields.isEmpty() ? null : fields), Map.of());
    }

    private static HttpApiResponse respond(int status, Object body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.putAll(extraHeaders);
        String json;
        try {
            json = Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            status = 500;
            json = "{\"error\":\"internal_error\",\"message\":\"Internal error\"}";
        }
        return new HttpApiResponse(status, headers, json, false);
    }

    private static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
