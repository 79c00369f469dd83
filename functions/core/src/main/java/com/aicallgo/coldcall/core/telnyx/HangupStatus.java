package com.aicallgo.coldcall.core.telnyx;

import java.util.Locale;

/**
 * Maps how a call ended to the Web Backend's {@code call_status} (docs/contracts.md "Web Backend"). Telnyx's spec lists
 * {@code hangup_cause} as one of {@code call_rejected, normal_clearing, originator_cancel, timeout, time_limit,
 * user_busy, not_found, no_answer, unspecified} and gives {@code sip_hangup_cause} as the SIP response code in text;
 * it does not say that {@code normal_clearing} follows only an answer (a captured short call shows it with SIP 503).
 *
 * <p>The rule for a call whose {@code call.answered} never came: {@code time_limit} means it talked;
 * {@code normal_clearing} means it talked only when the SIP code is 200 or Telnyx accepted a recording of it (it
 * refuses to record an unanswered call, error 90034); otherwise the SIP code decides, as in the table of
 * {@link #of}.
 */
public final class HangupStatus {
    private HangupStatus() {
    }

    /** The Web Backend's status for a call that was (or was not) answered and ended with these causes. */
    public static String of(boolean answered, String hangupCause, String sipHangupCause) {
        if (answered) {
            return "completed";
        }
        String cause = hangupCause == null ? "" : hangupCause.toLowerCase(Locale.ROOT);
        return switch (cause) {
            case "user_busy", "call_rejected" -> "busy";
            case "timeout", "no_answer" -> "no-answer";
            case "originator_cancel" -> "canceled";
            case "normal_clearing", "unspecified", "" -> bySipCode(sipHangupCause);
            default -> "failed";
        };
    }

    /** An unanswered call's status from its SIP response code alone. */
    static String bySipCode(String sipHangupCause) {
        String code = sipHangupCause == null ? "" : sipHangupCause.trim();
        return switch (code) {
            case "486", "600", "603" -> "busy";
            case "408", "480" -> "no-answer";
            case "487" -> "canceled";
            default -> "failed";
        };
    }

    /** Whether a call.answered may still be on its way: the cause is one an answered call ends with. */
    public static boolean mayHaveTalked(String hangupCause) {
        return "normal_clearing".equalsIgnoreCase(hangupCause) || "time_limit".equalsIgnoreCase(hangupCause);
    }

    /** Whether the hang-up alone says the call talked, its call.answered not having come (the rule above). */
    public static boolean impliesAnswered(String hangupCause, String sipHangupCause) {
        return "time_limit".equalsIgnoreCase(hangupCause)
                || "normal_clearing".equalsIgnoreCase(hangupCause) && "200".equals(
                        sipHangupCause == null ? null : sipHangupCause.trim());
    }
}
