package com.aicallgo.coldcall.core.policy;

import com.aicallgo.coldcall.core.PhoneNumber;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which numbers a call may go to (docs/call-policy.md): one rule set, checked by the backend on every browser call and
 * served to the page ({@link #describe}) so it can refuse the same numbers before dialling. In order: the destination
 * must be a phone number (plain E.164, or a SIP URI on Telnyx's own domain whose user part is E.164); not our own
 * caller ID; in no built-in ({@link DenyList}) or operator-denied range; and inside an allowed prefix.
 */
public final class DialPolicy {
    /** The only SIP domain whose URIs count as a dialled phone number: Telnyx's own. */
    public static final String TELNYX_SIP_DOMAIN = "sip.telnyx.com";

    private final List<DenyList.Range> denied;
    private final List<String> allowed;
    private final String ownNumber;

    public DialPolicy(GateSettings settings) {
        List<DenyList.Range> ranges = new ArrayList<>(DenyList.BUILT_IN);
        for (String pattern : settings.denied()) {
            ranges.add(new DenyList.Range(pattern, "operator_denied", "a number the operator does not allow calls to",
                    "DIAL_DENIED_PREFIXES"));
        }
        this.denied = List.copyOf(ranges);
        this.allowed = settings.allowed();
        this.ownNumber = settings.ownNumber();
    }

    /** The verdict on a destination as Telnyx or the page names it ({@code to}: E.164 or a SIP URI). */
    public Verdict check(String destination) {
        PhoneNumber number = dialled(destination);
        if (number == null) {
            String domain = sipDomain(destination);
            return domain != null && !domain.equals(TELNYX_SIP_DOMAIN)
                    ? new Verdict.Blocked("sip_uri", "calls go to phone numbers only, not to SIP addresses", false)
                    : new Verdict.Blocked("not_a_phone_number",
                            "not a phone number in international format (+, country code, 8 to 15 digits)", false);
        }
        String e164 = number.e164();
        if (e164.equals(ownNumber)) {
            return new Verdict.Blocked("own_number", "this is our own caller ID: the call would loop back to us", false);
        }
        for (DenyList.Range range : denied) {
            if (Patterns.matches(range.pattern(), e164)) {
                return new Verdict.Blocked(range.rule(), range.reason(), false);
            }
        }
        for (String prefix : allowed) {
            if (Patterns.matches(prefix, e164)) {
                return new Verdict.Allowed(number);
            }
        }
        return new Verdict.Blocked("outside_allowed", "outside the destinations this dialer may call ("
                + String.join(", ", allowed) + ")", false);
    }

    /**
     * The dialled phone number: plain E.164, or the E.164 user part of a SIP URI on {@value #TELNYX_SIP_DOMAIN};
     * {@code null} for anything else (a SIP URI on another domain is a SIP call, whatever its user part says).
     */
    public static PhoneNumber dialled(String destination) {
        if (destination == null) {
            return null;
        }
        String value = destination.trim();
        String domain = sipDomain(value);
        if (domain == null) {
            return PhoneNumber.parse(value);
        }
        if (!domain.equals(TELNYX_SIP_DOMAIN)) {
            return null;
        }
        String user = value.replaceFirst("^(?i)sips?:", "");
        return PhoneNumber.parse(user.substring(0, user.indexOf('@')));
    }

    /** The host of a {@code sip:} or {@code sips:} URI, lower-cased, without port or parameters; else {@code null}. */
    static String sipDomain(String value) {
        if (value == null) {
            return null;
        }
        String text = value.trim();
        String lower = text.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("sip:") && !lower.startsWith("sips:")) {
            return null;
        }
        int at = lower.indexOf('@');
        if (at < 0) {
            return "";
        }
        String host = lower.substring(at + 1).split("[:;?>]", 2)[0];
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    /**
     * The rule set as the page reads it ({@code GET /dial-policy}, docs/contracts.md): the order of checks is the
     * same as {@link #check}.
     */
    public Map<String, Object> describe() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("allowed_prefixes", allowed);
        List<Map<String, String>> ranges = new ArrayList<>();
        for (DenyList.Range range : denied) {
            ranges.add(Map.of("prefix", range.pattern(), "rule", range.rule(), "reason", range.reason()));
        }
        body.put("denied", ranges);
        if (ownNumber != null) {
            body.put("own_number", ownNumber);
        }
        body.put("sip_domain", TELNYX_SIP_DOMAIN);
        return body;
    }

    /**
     * The country code of an E.164 number, by ITU-T E.164's code structure: {@code +1} and {@code +7} have one
     * digit; in each other zone some codes have two digits and the rest three.
     */
    public static String countryCode(String e164) {
        String digits = e164.substring(1);
        char zone = digits.charAt(0);
        if (zone == '1' || zone == '7') {
            return "+" + zone;
        }
        String two = digits.substring(0, 2);
        boolean twoDigits = switch (zone) {
            case '2' -> two.equals("20") || two.equals("27");
            case '3' -> !two.equals("35") && !two.equals("37") && !two.equals("38");
            case '4' -> !two.equals("42");
            case '5' -> !two.equals("50") && !two.equals("59");
            case '6' -> two.compareTo("67") < 0;
            case '8' -> two.equals("81") || two.equals("82") || two.equals("84") || two.equals("86");
            case '9' -> two.compareTo("96") < 0 || two.equals("98");
            default -> false;
        };
        return "+" + (twoDigits ? two : digits.substring(0, 3));
    }
}
