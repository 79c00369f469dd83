package com.aicallgo.coldcall.local.twin;

import java.util.List;
import java.util.Map;

/**
 * Numbers that choose a test call's outcome, as test card numbers do in a payment sandbox: {@code +1 NPA 555 01xx}
 * (the fictional range; any area code). Any other number is answered, like {@code 0100}.
 */
public enum TestNumber {
    ANSWERED("0100", "Answered; talks until you hang up"),
    BUSY("0101", "Busy"),
    NO_ANSWER("0102", "Rings, then no answer (timeout)"),
    REJECTED("0103", "Rejected by the callee"),
    CALLEE_HANGS_UP("0104", "Answered; the callee hangs up after 4 seconds"),
    RECORDING_FAILS("0105", "Answered; the recording fails (call.recording.error)"),
    HANGUP_WEBHOOK_LOST("0106", "Answered; the call.hangup webhook is never delivered"),
    WEBHOOKS_TWICE_OUT_OF_ORDER("0107", "Answered; every webhook delivered twice and out of order"),
    INVALID_NUMBER("0108", "Not a working number (not_found, SIP 404)"),
    RECORDING_SAVED_MINIMAL("0109", "Answered; call.recording.saved without call_control_id and recording_id"),
    HANGUP_BEFORE_ANSWER("0110", "Answered; the callee hangs up after 3 seconds; its call.hangup arrives before its call.answered");

    /** The example area code the README and the page show. */
    static final String EXAMPLE_PREFIX = "+1202555";

    private final String line;
    private final String description;

    TestNumber(String line, String description) {
        this.line = line;
        this.description = description;
    }

    /** The outcome a dialled number chooses. */
    public static TestNumber of(String destination) {
        String digits = destination == null ? "" : destination.replaceAll("[^0-9]", "");
        if (digits.length() == 11 && digits.startsWith("1") && digits.substring(4, 7).equals("555")) {
            for (TestNumber number : values()) {
                if (digits.endsWith(number.line)) {
                    return number;
                }
            }
        }
        return ANSWERED;
    }

    public String example() {
        return EXAMPLE_PREFIX + line;
    }

    boolean answers() {
        return this != BUSY && this != NO_ANSWER && this != REJECTED && this != INVALID_NUMBER;
    }

    /** What the page lists in test mode. */
    public static List<Map<String, String>> listing() {
        return java.util.Arrays.stream(values())
                .map(number -> Map.of("number", number.example(), "outcome", number.description)).toList();
    }
}
