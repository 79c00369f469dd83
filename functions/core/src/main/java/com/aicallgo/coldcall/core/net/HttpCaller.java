package com.aicallgo.coldcall.core.net;

import com.aicallgo.coldcall.core.time.Budget;
import com.aicallgo.coldcall.core.time.Deadline;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Outbound HTTP through the JDK's {@link HttpURLConnection}, which starts far lighter than
 * {@code java.net.http.HttpClient} (docs/deploy.md "AWS facts"). Keep-alive is the JDK's default, so a warm container reuses
 * its connection.
 *
 * <p>Each call has one total deadline (connect + request + headers + body): the earlier of this caller's limit and
 * what the invocation has left ({@link Budget}). The JDK's timeouts are per read, so a peer that drips one byte
 * every 100 ms would pass them forever: a watchdog closes the connection when the deadline passes. The body is read
 * up to {@link #MAX_BODY} and no further (a longer one is cut and its connection dropped, never drained).
 */
public final class HttpCaller {
    /** What came back; {@code body} is at most {@link #MAX_BODY} bytes (we only read small JSON or a token). */
    public record Response(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** No complete answer by the call's deadline (or no time left to start one). */
    public static final class DeadlineExceeded extends IOException {
        public DeadlineExceeded(String message) {
            super(message, null);
        }
    }

    /** The largest body read; the answers we use are a few hundred bytes. */
    public static final int MAX_BODY = 64 * 1024;
    /** Less time than this left: the call is not started at all. */
    static final Duration TOO_LITTLE = Duration.ofMillis(20);

    /** Closes connections whose deadline passed; one daemon thread for the JVM, idle between calls. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "http-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    private final Budget budget;
    private final Duration connectTimeout;
    private final Duration limit;

    /**
     * @param connectTimeout at most this for the TCP (and TLS) connect
     * @param limit the whole call's limit, connect to last byte; cut to the invocation's remaining budget
     */
    public HttpCaller(Budget budget, Duration connectTimeout, Duration limit) {
        this.budget = budget;
        this.connectTimeout = connectTimeout;
        this.limit = limit;
    }

    /** A caller outside any invocation budget (tools, the bench): {@code limit} is the whole call's deadline. */
    public HttpCaller(Duration connectTimeout, Duration limit) {
        this(new Budget(), connectTimeout, limit);
    }

    /** The deadline a call started now would have: this caller's limit, cut to {@code cap} and the budget. */
    public Deadline deadline(Deadline cap) {
        return budget.call(limit).min(cap);
    }

    /**
     * POSTs and reads the answer, by this caller's deadline.
     *
     * @throws IOException when no complete answer came in time (refused, reset, or {@link DeadlineExceeded})
     */
    public Response post(URI uri, Map<String, String> headers, byte[] body) throws IOException {
        return send("POST", uri, headers, body, null);
    }

    /** POSTs by the earlier of {@code deadline} and this caller's own (work done under a claim). */
    public Response post(URI uri, Map<String, String> headers, byte[] body, Deadline deadline) throws IOException {
        // deadline may be null: this caller's own deadline only
        return send("POST", uri, headers, body, deadline);
    }

    /**
     * GETs and reads the answer.
     *
     * @throws IOException when no complete answer came in time
     */
    public Response get(URI uri, Map<String, String> headers) throws IOException {
        return send("GET", uri, headers, null, null);
    }

    private Response send(String method, URI uri, Map<String, String> headers, byte[] body, Deadline cap)
            throws IOException {
        Deadline deadline = deadline(cap);
        if (!deadline.allows(TOO_LITTLE)) {
            throw new DeadlineExceeded(method + " not started: the invocation's time is spent");
        }
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        Watch watch = new Watch(connection);
        ScheduledFuture<?> alarm = WATCHDOG.schedule(watch::expire, deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
        try {
            int left = (int) Math.max(1, Math.min(Integer.MAX_VALUE, deadline.remaining().toMillis()));
            connection.setConnectTimeout((int) Math.max(1, Math.min(connectTimeout.toMillis(), left)));
            connection.setReadTimeout(left);
            connection.setRequestMethod(method);
            connection.setInstanceFollowRedirects(false);
            headers.forEach(connection::setRequestProperty);
            if (body != null) {
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            byte[] bytes = new byte[0];
            boolean whole = true;
            if (in != null) {
                bytes = in.readNBytes(MAX_BODY);
                whole = bytes.length < MAX_BODY || in.read() == -1;
            }
            // a complete answer is the peer's word even if the watchdog fired while it was being read: treating a
            // 2xx that arrived as a failure would queue the record and post it a second time
            if (watch.finish() && in != null && whole) {
                in.close(); // read to its end: the connection goes back to the keep-alive cache
            } else {
                connection.disconnect(); // cut: never drain the rest of an endless body
            }
            return new Response(status, new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            connection.disconnect();
            // the socket's own read timeout is the deadline too, and may fire before a busy watchdog thread does
            if (watch.expired() || deadline.passed()) {
                throw new DeadlineExceeded(method + " had no complete answer within its deadline ("
                        + e.getClass().getSimpleName() + ")");
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    /** Whether the deadline or the caller got there first; the loser does nothing. */
    private static final class Watch {
        private final HttpURLConnection connection;
        private boolean finished;
        private boolean expired;

        Watch(HttpURLConnection connection) {
            this.connection = connection;
        }

        void expire() {
            synchronized (this) {
                if (finished) {
                    return;
                }
                expired = true;
            }
            connection.disconnect();
        }

        synchronized boolean finish() {
            finished = !expired;
            return finished;
        }

        synchronized boolean expired() {
            return expired;
        }
    }

    /**
     * Percent-encodes one path segment: everything but letters, digits, {@code -}, {@code _} and {@code ~}, so an
     * id carrying {@code /}, {@code ..}, {@code ?}, {@code %} or spaces can never change the path.
     */
    public static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
