package com.aicallgo.coldcall.core.telnyx;

import java.util.Locale;

/**
 * How a call ended: the one vocabulary behind the Web Backend's {@code call_status} (docs/contracts.md "Web Backend")
 * and the outcome the page shows. The page reads an ending by its {@link #wire()} name, in the
 * {@link TelnyxCallControl#OUTCOME_HEADER} of our hang-up of a parked browser leg, and takes its words from the same
 * table, {@code static-dialer/src/call-endings.json} (a test holds this enum and that table to each other). Two endings
 * may share a status: a rejected call is {@code busy} to the Web Backend but "Rejected by the callee" on the page.
 *
 * <p>Telnyx's spec lists {@code hangup_cause} as one of {@code call_rejected, normal_clearing, originator_cancel,
 * timeout, time_limit, user_busy, not_found, no_answer, unspecified} and gives {@code sip_hangup_cause} as the SIP
 * response code in text; it does not say that {@code normal_clearing} follows only an answer (a captured short call
 * shows it with SIP 503). The rule for a call whose {@code call.answered} never came: {@code time_limit} means it
 * talked; {@code normal_clearing} means it talked only when the SIP code is 200 or Telnyx accepted a recording of it
 * (it refuses to record an unanswered call, error 90034); otherwise the causes decide, as in {@link #of}.
 */
public enum CallEnding {
    COMPLETED("completed"),
    BUSY("busy"),
    NO_ANSWER("no-answer"),
    /** The callee refused the call ({@code call_rejected}): busy to the Web Backend. */
    REJECTED("busy"),
    CANCELED("canceled"),
    /** The number is not one ({@code not_found}, or not E.164): a failure to the Web Backend. */
    INVALID_NUMBER("failed"),
    FAILED("failed"),
    /** The call gate refused the number (docs/call-policy.md): never connected, a failure to the Web Backend. */
    BLOCKED("failed"),
    /** A rate or concurrency limit refused the call: never connected, a failure to the Web Backend. */
    LIMITED("failed");

    private final String callStatus;
    private final String wire = name().toLowerCase(Locale.ROOT).replace('_', '-');

    CallEnding(String callStatus) {
        this.callStatus = callStatus;
    }

    /** The Web Backend's {@code call_status}. */
    public String callStatus() {
        return callStatus;
    }

    /** The ending's name in the page's table and in the outcome header: {@code no-answer}. */
    public String wire() {
        return wire;
    }

    /** How a call that was (or was not) answered ended, from its hang-up's causes. */
    public static CallEnding of(boolean answered, String hangupCause, String sipHangupCause) {
        if (answered) {
            return COMPLETED;
        }
        String cause = hangupCause == null ? "" : hangupCause.toLowerCase(Locale.ROOT);
        return switch (cause) {
            case "user_busy" -> BUSY;
            case "call_rejected" -> REJECTED;
            case "timeout", "no_answer" -> NO_ANSWER;
            case "originator_cancel" -> CANCELED;
            case "not_found" -> INVALID_NUMBER;
            case "normal_clearing", "unspecified", "" -> bySipCode(sipHangupCause);
            default -> FAILED;
        };
    }

    /** An unanswered call's ending from its SIP code alone (603 too is busy: the cause did not say rejected). */
    static CallEnding bySipCode(String sipHangupCause) {
        String code = sipHangupCause == null ? "" : sipHangupCause.trim();
        return switch (code) {
            case "486", "600", "603" -> BUSY;
            case "408", "480" -> NO_ANSWER;
            case "487" -> CANCELED;
            default -> FAILED;
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
