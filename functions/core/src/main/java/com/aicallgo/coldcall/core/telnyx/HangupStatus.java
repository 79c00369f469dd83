package com.aicallgo.coldcall.core.telnyx;

import java.util.Locale;

/** Maps how a call ended to the Web Backend's {@code call_status} (CONTRACTS §4). */
public final class HangupStatus {
    private HangupStatus() {
    }

    public static String of(boolean answered, String hangupCause) {
        if (answered) {
            return "completed";
        }
        String cause = hangupCause == null ? "" : hangupCause.toLowerCase(Locale.ROOT);
        return switch (cause) {
            case "user_busy", "call_rejected" -> "busy";
            case "timeout", "no_answer" -> "no-answer";
            case "originator_cancel" -> "canceled";
            default -> "failed";
        };
    }

    /**
     * Whether the cause alone says the call was talking: Telnyx ends an answered call with {@code normal_clearing}
     * (either side hung up) or {@code time_limit}; the unanswered causes are the other rows of the table.
     */
    public static boolean impliesAnswered(String hangupCause) {
        return "normal_clearing".equalsIgnoreCase(hangupCause) || "time_limit".equalsIgnoreCase(hangupCause);
    }
}
