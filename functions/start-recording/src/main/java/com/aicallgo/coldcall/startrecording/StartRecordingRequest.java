package com.aicallgo.coldcall.startrecording;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.Ids;
import com.aicallgo.coldcall.core.PhoneNumber;
import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The page's {@code POST /start-recording} body. Phones are E.164 when given; the call control id is required. */
public record StartRecordingRequest(CallControlId callControlId, PhoneNumber toPhone, PhoneNumber fromPhone) {
    /** The body as it arrives: phones checked after binding, so every problem is named at once. */
    private record Body(String callControlId, String toPhone, String fromPhone) {
    }

    /**
     * Parses and validates a body.
     *
     * @throws Failure {@code invalid_request} with a {@code fields} entry per problem
     */
    public static StartRecordingRequest parse(byte[] body) {
        Body request;
        try {
            request = Json.mapper().readValue(body, Body.class);
        } catch (JacksonException e) {
            throw Failure.invalid("body", "must be a JSON object with call_control_id, to_phone and from_phone"
                    + (e.getOriginalMessage() != null && e.getOriginalMessage().contains("String") ? " as strings" : ""));
        } catch (IOException e) {
            throw Failure.invalid("body", "cannot be read");
        }
        if (request == null) {
            throw Failure.invalid("body", "must be a JSON object");
        }
        Map<String, String> problems = new LinkedHashMap<>();
        CallControlId callControlId = CallControlId.parse(request.callControlId());
        if (callControlId == null) {
            problems.put("call_control_id", Ids.RULE);
        }
        PhoneNumber to = phone("to_phone", request.toPhone(), problems);
        PhoneNumber from = phone("from_phone", request.fromPhone(), problems);
        if (!problems.isEmpty()) {
            throw new Failure(ErrorCode.INVALID_REQUEST, "The request is invalid: " + String.join(", ", problems.keySet()),
                    problems, null);
        }
        return new StartRecordingRequest(callControlId, to, from);
    }

    private static PhoneNumber phone(String field, String value, Map<String, String> problems) {
        if (value == null) {
            return null;
        }
        PhoneNumber number = PhoneNumber.parse(value);
        if (number == null) {
            problems.put(field, "must be E.164: + and 8 to 15 digits");
        }
        return number;
    }
}
