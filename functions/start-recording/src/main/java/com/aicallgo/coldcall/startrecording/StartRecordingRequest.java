package com.aicallgo.coldcall.startrecording;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.http.ErrorCode;
import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The page's {@code POST /start-recording} body. Phones are E.164 when given; the call control id is required. */
public record StartRecordingRequest(String callControlId, String toPhone, String fromPhone) {
    private static final Pattern E164 = Pattern.compile("\\+[0-9]{8,15}");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x20-\\x7E]{1,256}");

    /**
     * Parses and validates a body.
     *
     * @throws ApiException {@code invalid_request} with a {@code fields} entry per problem
     */
    public static StartRecordingRequest parse(byte[] body) {
        StartRecordingRequest request;
        try {
            request = Json.mapper().readValue(body, StartRecordingRequest.class);
        } catch (JacksonException e) {
            throw ApiException.invalid("body", "must be a JSON object with call_control_id, to_phone and from_phone"
                    + (e.getOriginalMessage() != null && e.getOriginalMessage().contains("String") ? " as strings" : ""));
        } catch (IOException e) {
            throw ApiException.invalid("body", "cannot be read");
        }
        if (request == null) {
            throw ApiException.invalid("body", "must be a JSON object");
        }
        Map<String, String> problems = new LinkedHashMap<>();
        if (request.callControlId() == null || !PRINTABLE.matcher(request.callControlId()).matches()
                || request.callControlId().isBlank()) {
            problems.put("call_control_id", "is required: 1 to 256 printable characters");
        }
        checkPhone("to_phone", request.toPhone(), problems);
        checkPhone("from_phone", request.fromPhone(), problems);
        if (!problems.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "The request is invalid: " + String.join(", ", problems.keySet()),
                    problems);
        }
        return request;
    }

    private static void checkPhone(String field, String value, Map<String, String> problems) {
        if (value != null && !E164.matcher(value).matches()) {
            problems.put(field, "must be E.164: + and 8 to 15 digits");
        }
    }
}
