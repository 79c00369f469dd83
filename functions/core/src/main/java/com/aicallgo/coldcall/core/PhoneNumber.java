package com.aicallgo.coldcall.core;

import java.util.regex.Pattern;

/** A phone number in E.164 ({@code +} and 8 to 15 digits), checked once where it enters. */
public record PhoneNumber(String e164) {
    private static final Pattern E164 = Pattern.compile("\\+[0-9]{8,15}");

    public PhoneNumber {
        if (e164 == null || !E164.matcher(e164).matches()) {
            throw new IllegalArgumentException("not an E.164 number");
        }
    }

    /** The number, or {@code null} when {@code text} is not E.164. */
    public static PhoneNumber parse(String text) {
        return text != null && E164.matcher(text).matches() ? new PhoneNumber(text) : null;
    }

    /** The E.164 text of a number that may be absent. */
    public static String text(PhoneNumber number) {
        return number == null ? null : number.e164;
    }

    @Override
    public String toString() {
        return e164;
    }
}
