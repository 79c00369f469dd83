package com.aicallgo.coldcall.core.policy;

import java.util.regex.Pattern;

/** Dial patterns: {@code +} then digits, {@code X} standing for any one digit; a number matches by its start. */
final class Patterns {
    private static final Pattern SHAPE = Pattern.compile("\\+[0-9X]{1,15}");

    private Patterns() {
    }

    static boolean valid(String pattern) {
        return pattern != null && SHAPE.matcher(pattern).matches();
    }

    /** Whether the E.164 {@code number} starts with {@code pattern}. */
    static boolean matches(String pattern, String number) {
        if (number.length() < pattern.length()) {
            return false;
        }
        for (int i = 0; i < pattern.length(); i++) {
            char p = pattern.charAt(i);
            if (p != 'X' && p != number.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
