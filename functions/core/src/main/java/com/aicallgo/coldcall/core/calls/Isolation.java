package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.StoreUnavailable;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Each entry of a sweep (the outbox, the recording checks, the stale checks) handled on its own. Redis being down
 * ends the pass: nothing else could be done either. Anything else an entry throws is that entry's failure alone --
 * it is tried again later or, after {@link #POISON_ATTEMPTS}, dead-lettered -- and the other entries of the pass go
 * on. A batch boundary is an edge, so it catches what the entry threw.
 */
final class Isolation {
    /** How often an entry may throw before it is dead-lettered. */
    static final int POISON_ATTEMPTS = 5;

    private Isolation() {
    }

    /**
     * The call a scheduled member names, read once: a member that is no call control id fails its entry with the
     * {@code invalid_request} the store would have thrown, and is retried or given up on like any other failure.
     */
    static CallControlId callOf(String member) {
        return CallControlId.of("call_control_id", member);
    }

    /**
     * @param failed what becomes of the entry when {@code work} threw, given why
     */
    static <T, R> R handle(T entry, Function<T, R> work, BiFunction<T, String, R> failed) {
        try {
            return work.apply(entry);
        } catch (StoreUnavailable e) {
            throw e;
        } catch (RuntimeException e) {
            String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return failed.apply(entry, reason);
        }
    }

    /**
     * Entries that throw are counted, tried again after {@link Delivery#backoff}, and given up after
     * {@link #POISON_ATTEMPTS}: a WARN line for each retry, an ERROR line and a {@code DeadLetters} metric for each
     * dead letter.
     *
     * @param what names the entry in the log lines ("outbox entry")
     * @param retrying what the WARN line says happens next ("retrying later")
     * @param countFailure counts one more failure of the entry, returning the count
     * @param retryAt schedules the entry again
     * @param deadLetter gives the entry up, keeping the record (JSON) in the dead-letter list
     */
    record Retries<T>(String what, String retrying, ToLongFunction<T> countFailure, BiConsumer<T, Instant> retryAt,
            BiConsumer<T, String> deadLetter, JsonLog log, Clock clock) {
        /** @return whether the entry was dead-lettered (else it is tried again later) */
        boolean failed(T entry, String callControlId, String record, String reason) {
            long attempts = countFailure.applyAsLong(entry);
            DeadLetter letter = new DeadLetter(callControlId, record, reason, attempts, clock.instant());
            Map<String, Object> fields = letter.fields();
            if (attempts >= POISON_ATTEMPTS) {
                deadLetter.accept(entry, letter.json());
                log.error(what + " failed every attempt: it is in the dead-letter list", fields);
                log.metric("DeadLetters", "Count", 1, fields);
                return true;
            }
            Instant due = clock.instant().plus(Delivery.backoff((int) attempts));
            retryAt.accept(entry, due);
            fields.put("retry_at", due.toString());
            log.warn(what + " failed; " + retrying, fields);
            return false;
        }
    }
}
