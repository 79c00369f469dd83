package com.aicallgo.coldcall.core.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** An API Gateway payload-2.0 response, written by our own Jackson in the shape API Gateway and SAM CLI read. */
public record HttpApiResponse(
        @JsonProperty("statusCode") int statusCode,
        @JsonProperty("headers") Map<String, String> headers,
        @JsonProperty("body") String body,
        @JsonProperty("isBase64Encoded") boolean isBase64Encoded) {

    /** The runtime library's type, for tests and tools that read those. */
    public APIGatewayV2HTTPResponse toEvent() {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(statusCode)
                .withHeaders(headers)
                .withBody(body)
                .withIsBase64Encoded(isBase64Encoded)
                .build();
    }
}
