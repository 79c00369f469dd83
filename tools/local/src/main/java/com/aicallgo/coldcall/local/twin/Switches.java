package com.aicallgo.coldcall.local.twin;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How far the twin departs from Telnyx, or plays one of Telnyx's less kind behaviours: read from the env file at
 * start ({@code TWIN_*}) and changed at run time by {@code PATCH /_local/telnyx/twin} with the same settings in
 * snake_case ({@code DELETE} restores the start values).
 *
 * @param earlyCallId {@code TWIN_EARLY_CALL_ID}: {@code false} (as Telnyx) the page's SDK learns the call control id
 *     first with {@code telnyx_rtc.answer}; {@code true} already with {@code telnyx_rtc.ringing}
 * @param signallingLoss {@code TWIN_SIGNALLING_LOSS}: what a page socket that drops without a BYE does to its calls
 * @param signallingGap {@code TWIN_SIGNALLING_GAP_MS}: under {@link SignallingLoss#SURVIVES}, how long a call waits for
 *     its page to log back in with the same session before it ends
 * @param transferRefused {@code TWIN_TRANSFER_REFUSED}: when {@code transfer} answers 422 {@code 90034}
 */
public record Switches(boolean earlyCallId, SignallingLoss signallingLoss, Duration signallingGap,
        TransferRefused transferRefused) {

    /** What a dropped page socket does to its calls. */
    public enum SignallingLoss {
        /** Telnyx hangs the calls up at once. */
        ENDS,
        /** The calls stay up for the gap; the SDK's reconnect login with the same {@code sessid} reattaches them. */
        SURVIVES
    }

    /** When the twin refuses a {@code transfer} of the parked leg (422, {@code 90034} "Call not answered yet"). */
    public enum TransferRefused {
        NEVER, UNTIL_ANSWERED, ALWAYS
    }

    public static final String EARLY_CALL_ID = "TWIN_EARLY_CALL_ID";
    public static final String SIGNALLING_LOSS = "TWIN_SIGNALLING_LOSS";
    public static final String SIGNALLING_GAP = "TWIN_SIGNALLING_GAP_MS";
    public static final String TRANSFER_REFUSED = "TWIN_TRANSFER_REFUSED";

    /** Telnyx as the twin plays it when nothing is set. */
    public static final Switches TELNYX = new Switches(false, SignallingLoss.SURVIVES, Duration.ofSeconds(60),
            TransferRefused.NEVER);

    public Switches {
        if (signallingGap.isNegative() || signallingGap.isZero() || signallingGap.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("signalling gap must be 1 ms to 1 hour, not " + signallingGap.toMillis() + " ms");
        }
    }

    /** The start values from the env file; a bad value fails with a message naming the variable. */
    public static Switches of(Map<String, String> env) {
        Switches s = TELNYX;
        String early = env.get(EARLY_CALL_ID);
        if (early != null && !early.isBlank()) {
            s = s.withEarlyCallId(bool(EARLY_CALL_ID, early));
        }
        String loss = env.get(SIGNALLING_LOSS);
        if (loss != null && !loss.isBlank()) {
            s = new Switches(s.earlyCallId, choice(SignallingLoss.class, SIGNALLING_LOSS, loss), s.signallingGap,
                    s.transferRefused);
        }
        String gap = env.get(SIGNALLING_GAP);
        if (gap != null && !gap.isBlank()) {
            s = new Switches(s.earlyCallId, s.signallingLoss, millis(SIGNALLING_GAP, gap), s.transferRefused);
        }
        String refused = env.get(TRANSFER_REFUSED);
        if (refused != null && !refused.isBlank()) {
            s = new Switches(s.earlyCallId, s.signallingLoss, s.signallingGap,
                    choice(TransferRefused.class, TRANSFER_REFUSED, refused));
        }
        return s;
    }

    /**
     * These switches with a {@code PATCH} body's settings ({@code early_call_id}, {@code signalling_loss},
     * {@code signalling_gap_ms}, {@code transfer_refused}); an unknown name or a bad value fails, naming it.
     */
    public Switches patched(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body is a JSON object of settings, e.g. {\"signalling_loss\": \"ends\"}");
        }
        Switches s = this;
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            JsonNode value = field.getValue();
            String text = value.isValueNode() ? value.asText() : "";
            s = switch (field.getKey()) {
                case "early_call_id" -> {
                    if (!value.isBoolean()) {
                        throw new IllegalArgumentException("early_call_id is true or false");
                    }
                    yield s.withEarlyCallId(value.asBoolean());
                }
                case "signalling_loss" -> new Switches(s.earlyCallId, choice(SignallingLoss.class, "signalling_loss", text),
                        s.signallingGap, s.transferRefused);
                case "signalling_gap_ms" -> {
                    if (!value.canConvertToLong() || !value.isIntegralNumber()) {
                        throw new IllegalArgumentException("signalling_gap_ms is a whole number of milliseconds");
                    }
                    yield new Switches(s.earlyCallId, s.signallingLoss, Duration.ofMillis(value.asLong()), s.transferRefused);
                }
                case "transfer_refused" -> new Switches(s.earlyCallId, s.signallingLoss, s.signallingGap,
                        choice(TransferRefused.class, "transfer_refused", text));
                default -> throw new IllegalArgumentException("unknown setting " + field.getKey()
                        + ": early_call_id, signalling_loss, signalling_gap_ms, transfer_refused");
            };
        }
        return s;
    }

    private Switches withEarlyCallId(boolean early) {
        return new Switches(early, signallingLoss, signallingGap, transferRefused);
    }

    /** The settings as {@code GET}, {@code PATCH} and {@code DELETE} answer them (snake_case, lower-case values). */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("early_call_id", earlyCallId);
        out.put("signalling_loss", signallingLoss.name().toLowerCase(Locale.ROOT));
        out.put("signalling_gap_ms", signallingGap.toMillis());
        out.put("transfer_refused", transferRefused.name().toLowerCase(Locale.ROOT));
        return out;
    }

    private static boolean bool(String name, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(name + " is '" + value + "': true or false");
        }
        return v.equals("true");
    }

    private static Duration millis(String name, String value) {
        try {
            return Duration.ofMillis(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is '" + value + "': a whole number of milliseconds");
        }
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String name, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : " | ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException(name + " is '" + value + "': " + allowed);
    }
}
