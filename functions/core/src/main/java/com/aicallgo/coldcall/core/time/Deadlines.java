package com.aicallgo.coldcall.core.time;

import java.time.Duration;

/**
 * Every deadline and lease of the functions, in one place, so that they nest (RELIABILITY.md, "Deadlines and
 * leases"):
 *
 * <pre>
 *   outgoing call (Web Backend, Telnyx, Secrets Manager, Redis command)
 *     &lt;= the invocation's budget (per route, and never past the function's Timeout minus a margin)
 *   work under a claim (a post and the write that records its success; a record_start with its retries)
 *     &lt;= CLAIM_HOLD = CLAIM_LEASE - CLAIM_MARGIN &lt; CLAIM_LEASE
 * </pre>
 *
 * The holder of a claim stops by {@link #CLAIM_HOLD} after taking it, whatever its peer does, so a redelivery that
 * takes over an expired lease can never meet a holder that may still post. {@code Config} checks at start that the
 * configured Web Backend timeout fits inside the hold.
 */
public final class Deadlines {
    /** A webhook's whole invocation: Telnyx redelivers what is not answered within about 2 s. */
    public static final Duration WEBHOOK = Duration.ofMillis(1_500);
    /** start-recording's whole invocation (the page waits for it while the call rings). */
    public static final Duration START_RECORDING = Duration.ofSeconds(5);
    /** webrtc-credentials' whole invocation. */
    public static final Duration CREDENTIALS = Duration.ofSeconds(5);
    /** Kept unused from the Lambda's remaining time (Context.getRemainingTimeInMillis) by HTTP functions. */
    public static final Duration LAMBDA_MARGIN = Duration.ofSeconds(1);
    /** Kept unused by the drain (it logs its report and metrics after the pass). */
    public static final Duration DRAIN_MARGIN = Duration.ofSeconds(5);

    /** One Telnyx API request, connect to last byte. */
    public static final Duration TELNYX_CALL = Duration.ofSeconds(2);
    public static final Duration TELNYX_CONNECT = Duration.ofSeconds(1);
    /** record_start: attempts and the pause before the second (doubling after). */
    public static final int RECORD_START_ATTEMPTS = 3;
    public static final Duration RECORD_START_BACKOFF = Duration.ofMillis(150);
    /** One Secrets Manager read (the SDK's apiCallTimeout). */
    public static final Duration SECRETS_CALL = Duration.ofSeconds(2);
    /** One SQS SendMessage (DelayedRecords), cut to what the invocation has left. */
    public static final Duration QUEUE_SEND = Duration.ofMillis(500);
    /** One Redis command, and opening the connection. */
    public static final Duration REDIS_COMMAND = Duration.ofMillis(1_500);
    /** Kept after a post so that its success can be written to Redis before the deadline. */
    public static final Duration SETTLE_RESERVE = Duration.ofMillis(300);

    /** How long a claim (a post, a record_start) is held before another delivery may take it over. */
    public static final Duration CLAIM_LEASE = Duration.ofSeconds(10);
    /** Between the end of the holder's work and the lease's end: Redis round trips, clocks of two containers. */
    public static final Duration CLAIM_MARGIN = Duration.ofSeconds(2);
    /** The holder's deadline, counted from when its claim came back. */
    public static final Duration CLAIM_HOLD = CLAIM_LEASE.minus(CLAIM_MARGIN);

    private Deadlines() {
    }

    /** The longest record_start can take with its retries (each attempt at most {@link #TELNYX_CALL}). */
    public static Duration recordStartWorstCase() {
        Duration total = TELNYX_CALL.multipliedBy(RECORD_START_ATTEMPTS);
        for (int attempt = 2; attempt <= RECORD_START_ATTEMPTS; attempt++) {
            total = total.plus(RECORD_START_BACKOFF.multipliedBy(1L << (attempt - 2)));
        }
        return total;
    }

    /** The longest work done under a claim when a post is given {@code webBackendTimeout}. */
    public static Duration longestWorkUnderClaim(Duration webBackendTimeout) {
        Duration post = webBackendTimeout.plus(SETTLE_RESERVE);
        Duration recordStart = recordStartWorstCase().plus(SETTLE_RESERVE);
        return post.compareTo(recordStart) >= 0 ? post : recordStart;
    }
}
