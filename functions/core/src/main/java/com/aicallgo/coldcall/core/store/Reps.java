package com.aicallgo.coldcall.core.store;

import io.lettuce.core.SetArgs;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Who is behind a call: {@code cold_call_rep_of_sip:{<sip username>}} holds the rep a SIP login was issued to, and
 * {@code cold_call_rep_of_tag:{<tag>}} the rep a page's rep tag was issued to (the tag rides on every call the page
 * places, as a SIP header Telnyx hands the webhook), so a webhook knows the person (docs/call-policy.md "Who is
 * calling"). A tag is 128 random bits: it cannot be guessed, only copied from the page it was given to.
 */
public final class Reps {
    /** The SIP header a page's calls carry their rep tag in. */
    public static final String TAG_HEADER = "X-Cold-Call-Rep";
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_-]{22}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern READABLE = Pattern.compile("[\\x21-\\x7E]{1,64}");

    private final Redis redis;

    public Reps(Redis redis) {
        this.redis = redis;
    }

    /** Remembers that {@code sipUsername} was issued to {@code rep}, for {@code ttl}. */
    public void remember(String sipUsername, String rep, Duration ttl) {
        redis.run(commands -> commands.set(key(sipUsername), rep, SetArgs.Builder.ex(ttl)));
    }

    /** The rep a SIP username was issued to, or {@code null} when none is known. */
    public String ofSipUser(String sipUsername) {
        if (sipUsername == null || sipUsername.isBlank() || sipUsername.length() > 128) {
            return null;
        }
        return valid(redis.run(commands -> commands.get(key(sipUsername))));
    }

    /** Remembers that the rep tag {@code tag} was issued to {@code rep}, for {@code ttl}. */
    public void rememberTag(String tag, String rep, Duration ttl) {
        redis.run(commands -> commands.set(tagKey(tag), rep, SetArgs.Builder.ex(ttl)));
    }

    /** The rep a tag was issued to, or {@code null} when the tag is not one we issued (or has lapsed). */
    public String ofTag(String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            return null;
        }
        return valid(redis.run(commands -> commands.get(tagKey(tag))));
    }

    /**
     * A rep read back from Redis only when it is printable and short (the keyring's names are narrower still): it
     * becomes a log field and a metric dimension, so a poisoned entry (CR/LF, a megabyte) names nobody instead.
     */
    private static String valid(String rep) {
        return rep != null && READABLE.matcher(rep).matches() ? rep : null;
    }

    /** A new rep tag: 128 random bits, base64url. */
    public static String newTag() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    private static String tagKey(String tag) {
        return "cold_call_rep_of_tag:{" + tag + "}";
    }

    private static String key(String sipUsername) {
        return "cold_call_rep_of_sip:{" + sipUsername + "}";
    }
}
