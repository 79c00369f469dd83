package com.aicallgo.coldcall.core.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The fields of an API Gateway payload-2.0 event the functions read, bound by our own Jackson from the bytes Lambda
 * hands a {@code RequestStreamHandler}: the runtime's own event serializer (about 700 classes) is never loaded.
 * Unknown fields ({@code cookies}, {@code routeKey}, the authorizer...) are ignored. {@code pathParameters} are the
 * route's {@code {name}} segments as API Gateway decoded them.
 */
public record HttpApiEvent(
        @JsonProperty("rawPath") String rawPath,
        @JsonProperty("headers") Map<String, String> headers,
        @JsonProperty("body") String body,
        @JsonProperty("isBase64Encoded") boolean isBase64Encoded,
        @JsonProperty("requestContext") RequestContext requestContext,
        @JsonProperty("pathParameters") Map<String, String> pathParameters) {

    /** The request context's id and HTTP facts. */
    public record RequestContext(@JsonProperty("requestId") String requestId, @JsonProperty("http") Http http) {
    }

    /** The method and path as API Gateway (or SAM CLI) saw them. */
    public record Http(@JsonProperty("method") String method, @JsonProperty("path") String path) {
    }

    /** The same fields from the runtime library's type (tests and tools build those). */
    public static HttpApiEvent of(APIGatewayV2HTTPEvent event) {
        RequestContext context = null;
        if (event.getRequestContext() != null) {
            APIGatewayV2HTTPEvent.RequestContext.Http http = event.getRequestContext().getHttp();
            context = new RequestContext(event.getRequestContext().getRequestId(),
                    http == null ? null : new Http(http.getMethod(), http.getPath()));
        }
        return new HttpApiEvent(event.getRawPath(), event.getHeaders(), event.getBody(), event.getIsBase64Encoded(),
                context, event.getPathParameters());
    }
}
