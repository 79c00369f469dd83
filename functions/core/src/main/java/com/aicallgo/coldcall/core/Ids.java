package com.aicallgo.coldcall.core;

/**
 * The one rule for the ids we key state by (call control ids, webhook event ids, recording ids), on every route and
 * in the store: 1 to {@value #MAX_LENGTH} printable ASCII characters, not all spaces. Anything else could map two
 * ids to one Redis key (Redis clients write a lone UTF-16 surrogate as {@code ?}) or carry control characters into
 * keys and logs.
 */
public final class Ids {
    public static final int MAX_LENGTH = 256;
    /** What a request is told when an id breaks the rule. */
    public static final String RULE = "is required: 1 to " + MAX_LENGTH + " printable ASCII characters";

    private Ids() {
    }

    public static boolean valid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH || id.isBlank()) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code id} when it follows the rule.
     *
     * @throws Failure {@code invalid_request} naming {@code field}
     */
    public static String require(String field, String id) {
        if (!valid(id)) {
            throw Failure.invalid(field, RULE);
        }
        return id;
    }
}
