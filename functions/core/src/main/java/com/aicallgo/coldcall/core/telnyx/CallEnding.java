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
 * timeout, time_limit, user_busy, not_found, no_answer, unspecified}, {@code hangup_source} as the party who ended
 * the call ({@code caller, callee, unknown}) and {@code sip_hangup_cause} as the SIP response code in text
 * ({@code unspecified} when there is none); it does not say that {@code normal_clearing} follows only an answer (a
 * captured short call shows it with SIP 503). The rule for a call whose {@code call.answered} has not come
 * ({@link #talked}): {@code time_limit} means it talked; {@code normal_clearing} means it talked when the SIP code is
 * 200 or Telnyx accepted a recording of it, and it did not when the SIP code is another final response (487, 486,
 * 480, 408, 404, 603...), when Telnyx refused to record it as not answered (90034), or when the caller (the browser's
 * leg) ended it; only what is left is {@link Talk#UNKNOWN}; every other cause means it did not talk, and
 * {@link #of} gives the ending.
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

    /** Whether a call whose {@code call.answered} has not come talked, as its hang-up and recording tell. */
    public enum Talk {
        YES,
        NO,
        /** The facts do not decide: the answer may still be on its way (a short, bounded wait). */
        UNKNOWN
    }

    /**
     * How a call that was (or was not) answered ended, from its hang-up's causes: an unanswered one the caller (the
     * browser's leg) ended with {@code normal_clearing} and no SIP code was canceled (a tab closed while it rang).
     */
    public static CallEnding of(boolean answered, String hangupCause, String hangupSource, String sipHangupCause) {
        if (!answered && "normal_clearing".equalsIgnoreCase(hangupCause) && byCaller(hangupSource)
                && sipCode(sipHangupCause) == null) {
            return CANCELED;
        }
        return of(answered, hangupCause, sipHangupCause);
    }

    /** How a call that was (or was not) answered ended, from its hang-up's cause and SIP code. */
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

    /**
     * Whether a call whose {@code call.answered} has not come talked (the rule above; the one statement of it).
     *
     * @param recorded {@code true} when Telnyx accepted (or saved) a recording of the call, {@code false} when it
     *     refused one as not answered (90034), {@code null} when no recording tells
     */
    public static Talk talked(String hangupCause, String hangupSource, String sipHangupCause, Boolean recorded) {
        if ("time_limit".equalsIgnoreCase(hangupCause)) {
            return Talk.YES;
        }
        if (!"normal_clearing".equalsIgnoreCase(hangupCause)) {
            return Talk.NO;
        }
        String code = sipCode(sipHangupCause);
        if ("200".equals(code)) {
            return Talk.YES;
        }
        if (code != null || Boolean.FALSE.equals(recorded)) {
            return Talk.NO;
        }
        if (Boolean.TRUE.equals(recorded)) {
            return Talk.YES;
        }
        return byCaller(hangupSource) ? Talk.NO : Talk.UNKNOWN;
    }

    /** The SIP final response code the hang-up carries ({@code null} for none, {@code unspecified} or not a code). */
    private static String sipCode(String sipHangupCause) {
        String code = sipHangupCause == null ? "" : sipHangupCause.trim();
        return code.matches("[1-6][0-9][0-9]") ? code : null;
    }

    private static boolean byCaller(String hangupSource) {
        return "caller".equalsIgnoreCase(hangupSource == null ? null : hangupSource.trim());
    }
}
