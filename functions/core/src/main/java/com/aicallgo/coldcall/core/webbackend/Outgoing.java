package com.aicallgo.coldcall.core.webbackend;

import com.aicallgo.coldcall.core.PhoneNumber;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values we post to the Web Backend that an event told us, made safe on the way out: whoever holds the SIP login
 * chooses a call's {@code from} and {@code to}, so a number is posted only as E.164 or, failing that, as the short,
 * printable part of it we can vouch for, else {@link #UNKNOWN}; never the raw text (docs/contracts.md "Web Backend").
 */
public final class Outgoing {
    /** What a number field says when the event told nothing we can post. */
    public static final String UNKNOWN = "unknown";
    /** Longest SIP user part posted in place of a number. */
    static final int MAX_USER_PART = 32;
    /** Longest text we look at all: a SIP URI longer than this is not parsed. */
    private static final int MAX_URI = 256;
    /** Longest prefix of a refused value a log line shows. */
    static final int PREVIEW = 48;
    private static final Pattern SIP_URI = Pattern.compile(
            "(?i)(?:sips?|tel):([A-Za-z0-9+._-]{1," + MAX_USER_PART + "})(?:@[A-Za-z0-9.-]{1,200}(?::[0-9]{1,5})?)?(?:;[!-~]*)?");

    private Outgoing() {
    }

    /**
     * The number to post for what an event told: the text when it is E.164; a SIP or tel URI's user part when that is
     * E.164, or (with {@code userPartAllowed}) when it is short and printable; else {@code fallback}, else
     * {@link #UNKNOWN}.
     */
    public static String number(String told, boolean userPartAllowed, String fallback) {
        if (PhoneNumber.parse(told) != null) {
            return told;
        }
        if (told != null && told.length() <= MAX_URI) {
            Matcher uri = SIP_URI.matcher(told.trim());
            if (uri.matches()) {
                String user = uri.group(1);
                if (PhoneNumber.parse(user) != null || userPartAllowed) {
                    return user;
                }
            }
        }
        return PhoneNumber.parse(fallback) != null ? fallback : UNKNOWN;
    }

    /**
     * A value we refused, as a log line may show it: at most {@value #PREVIEW} characters, cut before any query or
     * fragment (a presigned link's signature stays out of the logs), every character outside printable ASCII escaped,
     * and the full length when it was cut.
     */
    public static String preview(String value) {
        if (value == null) {
            return "(none)";
        }
        int end = value.length();
        for (char stop : new char[] {'?', '#'}) {
            int at = value.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < Math.min(end, PREVIEW); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c <= 0x7e && c != '\\') {
                shown.append(c);
            } else {
                shown.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        if (Math.min(end, PREVIEW) < value.length()) {
            shown.append("... (").append(value.length()).append(" chars)");
        }
        return shown.toString();
    }
}
