package com.aicallgo.coldcall.core.secrets;

import com.aicallgo.coldcall.core.config.ConfigException;
import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who may call the internal routes, and as whom: each rep's own key ({@code INTERNAL_API_KEYS}, a JSON object of rep
 * name to key), and the one shared {@code INTERNAL_API_KEY}, which stands for the rep {@value #SHARED}. A key is kept
 * only as its SHA-256, and a presented key is compared with every entry in constant time, so neither which entry
 * matched nor how much of a key was right shows in the time taken. Messages name keys and reps, never a key's value.
 */
public final class Keyring {
    /** The rep the single {@code INTERNAL_API_KEY} stands for. */
    public static final String SHARED = "shared";
    /** A rep's name: it appears in logs, the call hash and Telnyx credential names. */
    public static final Pattern REP = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,31}$");
    /** The shortest key a rep may be given (the shared key keeps its old rule: any non-blank value). */
    public static final int MIN_KEY_LENGTH = 16;

    private record Entry(String rep, byte[] digest) {
    }

    private final List<Entry> entries;

    private Keyring(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads the keyring.
     *
     * @param sharedKey {@code INTERNAL_API_KEY}, or {@code null}
     * @param repKeys {@code INTERNAL_API_KEYS} (a JSON object as text), or {@code null}
     * @param source where the values came from, for the message
     * @throws ConfigException when neither is set, or {@code INTERNAL_API_KEYS} is malformed (named, never quoted)
     */
    public static Keyring of(String sharedKey, String repKeys, String source) {
        List<Entry> entries = new ArrayList<>();
        if (sharedKey != null) {
            entries.add(new Entry(SHARED, digest(sharedKey)));
        }
        if (repKeys != null) {
            JsonNode object;
            try {
                object = Json.mapper().reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(repKeys);
            } catch (IOException e) {
                // the parser's message could quote a key
                throw malformed(source, "not JSON, or a rep named twice");
            }
            if (object == null || !object.isObject() || object.isEmpty()) {
                throw malformed(source, "a JSON object of rep name to key is expected, with at least one entry");
            }
            int position = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                position++;
                String rep = field.getKey();
                if (!REP.matcher(rep).matches()) {
                    // the "name" may be a key pasted in the wrong place: say where, not what
                    throw malformed(source, "entry " + position + ": a rep name is 1 to 32 of a-z, 0-9, '.', '_', '-'"
                            + " (starting with a letter or digit)");
                }
                if (rep.equals(SHARED) && sharedKey != null) {
                    throw malformed(source, "rep '" + SHARED + "' is INTERNAL_API_KEY's: name the rep otherwise");
                }
                JsonNode key = field.getValue();
                if (!key.isTextual() || key.asText().strip().length() < MIN_KEY_LENGTH
                        || !key.asText().equals(key.asText().strip())) {
                    throw malformed(source, "rep '" + rep + "': the key must be a string of at least " + MIN_KEY_LENGTH
                            + " characters without surrounding spaces");
                }
                byte[] digest = digest(key.asText());
                for (Entry other : entries) {
                    if (MessageDigest.isEqual(other.digest(), digest)) {
                        throw malformed(source, "reps '" + other.rep() + "' and '" + rep + "' have the same key:"
                                + " a key must name one person");
                    }
                }
                entries.add(new Entry(rep, digest));
            }
        }
        if (entries.isEmpty()) {
            throw new ConfigException("INTERNAL_API_KEY or INTERNAL_API_KEYS is missing from " + source);
        }
        return new Keyring(entries);
    }

    /** The rep whose key {@code given} is, or {@code null}: every entry is compared, whichever matches. */
    public String repOf(String given) {
        byte[] digest = digest(given);
        String found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest) & found == null) {
                found = entry.rep();
            }
        }
        return found;
    }

    /** The reps, in the order given (for logs and tests; never the keys). */
    public List<String> reps() {
        return entries.stream().map(Entry::rep).toList();
    }

    /** A short, one-way label of a presented key: lets the log tell one wrong key from another, and says nothing of it. */
    public static String fingerprint(String given) {
        return HexFormat.of().formatHex(digest(given), 0, 4);
    }

    private static ConfigException malformed(String source, String problem) {
        return new ConfigException("INTERNAL_API_KEYS in " + source + " is malformed: " + problem);
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "Keyring" + reps();
    }
}
