package com.aicallgo.coldcall.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Outbound HTTP through the JDK's {@link HttpURLConnection}, which starts far lighter than
 * {@code java.net.http.HttpClient} (CONTRACTS §9). Keep-alive is the JDK's default, so a warm container reuses
 * its connection.
 */
public final class HttpCaller {
    /** What came back; {@code body} is cut to a few KB (we only read small JSON or a token). */
    public record Response(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private static final int MAX_BODY = 64 * 1024;

    private final Duration connectTimeout;
    private final Duration readTimeout;

    public HttpCaller(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /**
     * POSTs and reads the answer.
     *
     * @throws IOException when nothing came back in time (connect or read timeout, refused, reset)
     */
    public Response post(URI uri, Map<String, String> headers, byte[] body) throws IOException {
        return send("POST", uri, headers, body);
    }

    /**
     * GETs and reads the answer.
     *
     * @throws IOException when nothing came back in time
     */
    public Response get(URI uri, Map<String, String> headers) throws IOException {
        return send("GET", uri, headers, null);
    }

    private Response send(String method, URI uri, Map<String, String> headers, byte[] body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        try {
            connection.setConnectTimeout((int) connectTimeout.toMillis());
            connection.setReadTimeout((int) readTimeout.toMillis());
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
            String text = "";
            if (in != null) {
                try (in) {
                    text = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
            return new Response(status, text);
        } catch (IOException e) {
            connection.disconnect();
            throw e;
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
