package com.aicallgo.coldcall.core;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A Telnyx call control id, checked once where it enters (a webhook's payload, a request body, a stored key) against
 * {@link Ids}' rule, so that no other layer validates it again and two kinds of id cannot be swapped in a signature.
 */
public record CallControlId(@JsonValue String value) {
    public CallControlId {
        if (!Ids.valid(value)) {
            throw new IllegalArgumentException("call_control_id " + Ids.RULE);
        }
    }

    /**
     * The id of a request or event field.
     *
     * @throws Failure {@code invalid_request} naming {@code field} when the text breaks the rule
     */
    public static CallControlId of(String field, String text) {
        return new CallControlId(Ids.require(field, text));
    }

    /** The id, or {@code null} when {@code text} is absent or breaks the rule. */
    public static CallControlId parse(String text) {
        return Ids.valid(text) ? new CallControlId(text) : null;
    }

    @Override
    public String toString() {
        return value;
    }
}
