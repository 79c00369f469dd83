package com.aicallgo.coldcall.core.policy;

import com.aicallgo.coldcall.core.PhoneNumber;
import com.aicallgo.coldcall.core.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The call gate's settings (docs/configuration.md "Call gate"), read once from the environment.
 *
 * @param allowed the destinations a call may go to ({@code DIAL_ALLOWED_PREFIXES}); by default the country of our
 *     caller ID ({@code TELNYX_SIP_PHONE_NUMBER}), or NANP ({@code +1}) when it is not set
 * @param denied the operator's own denied ranges ({@code DIAL_DENIED_PREFIXES}), checked after the built-in ones
 * @param ownNumber our caller ID: a call to it is a loop
 * @param connectionId our credential connection ({@code TELNYX_SIP_CONNECTION_ID}): only its calls are ours
 * @param longestCall how long a call holds a concurrency slot at most when its hang-up never comes
 */
public record GateSettings(List<String> allowed, List<String> denied, String ownNumber, String connectionId,
        int maxConcurrentPerRep, int maxPerRepPerHour, int maxPerMinute, Duration longestCall) {
    public static final int DEFAULT_MAX_CONCURRENT_PER_REP = 2;
    public static final int DEFAULT_MAX_PER_REP_PER_HOUR = 120;
    public static final int DEFAULT_MAX_PER_MINUTE = 60;

    /** Every variable read here (also listed in {@code Config.VARIABLES}). */
    public static final List<String> VARIABLES = List.of("DIAL_ALLOWED_PREFIXES", "DIAL_DENIED_PREFIXES",
            "DIAL_MAX_CONCURRENT_PER_REP", "DIAL_MAX_PER_REP_PER_HOUR", "DIAL_MAX_PER_MINUTE");

    public GateSettings {
        allowed = List.copyOf(allowed);
        denied = List.copyOf(denied);
    }

    /**
     * Reads the settings; {@code longestCall} is the stale-call limit (a call is settled by then).
     *
     * @throws ConfigException naming every malformed variable at once
     */
    public static GateSettings fromEnv(Map<String, String> env, Duration longestCall) {
        List<String> problems = new ArrayList<>();
        String own = text(env, "TELNYX_SIP_PHONE_NUMBER");
        PhoneNumber ownNumber = PhoneNumber.parse(own);
        String home = ownNumber == null ? "+1" : DialPolicy.countryCode(ownNumber.e164());
        List<String> allowed = patterns(env, "DIAL_ALLOWED_PREFIXES", List.of(home), problems);
        List<String> denied = patterns(env, "DIAL_DENIED_PREFIXES", List.of(), problems);
        int concurrent = count(env, "DIAL_MAX_CONCURRENT_PER_REP", DEFAULT_MAX_CONCURRENT_PER_REP, problems);
        int hourly = count(env, "DIAL_MAX_PER_REP_PER_HOUR", DEFAULT_MAX_PER_REP_PER_HOUR, problems);
        int minute = count(env, "DIAL_MAX_PER_MINUTE", DEFAULT_MAX_PER_MINUTE, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException("Invalid configuration: " + String.join("; ", problems));
        }
        return new GateSettings(allowed, denied, ownNumber == null ? null : ownNumber.e164(),
                text(env, "TELNYX_SIP_CONNECTION_ID"), concurrent, hourly, minute, longestCall);
    }

    private static List<String> patterns(Map<String, String> env, String name, List<String> fallback,
            List<String> problems) {
        String value = text(env, name);
        if (value == null) {
            return fallback;
        }
        List<String> patterns = new ArrayList<>();
        for (String part : value.split(",")) {
            String pattern = part.strip().replace(" ", "").replace('x', 'X');
            if (pattern.isEmpty()) {
                continue;
            }
            if (!Patterns.valid(pattern)) {
                problems.add(name + " must list E.164 prefixes (+ then 1 to 15 digits or X), comma-separated: '"
                        + part.strip() + "' is not one");
                continue;
            }
            patterns.add(pattern);
        }
        if (patterns.isEmpty() && !fallback.isEmpty()) {
            problems.add(name + " lists no prefix");
        }
        return patterns;
    }

    private static int count(Map<String, String> env, String name, int fallback, List<String> problems) {
        String value = text(env, name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0 && parsed <= 100_000) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + " must be a whole number from 1 to 100000");
        return fallback;
    }

    private static String text(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
