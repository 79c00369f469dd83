package com.aicallgo.coldcall.local.twin;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A small RFC 6455 server for text messages: enough for the SDK's signalling socket. The JDK's HTTP server cannot
 * switch a connection to WebSocket and the Netty in the tree (Lettuce's) has no HTTP codec, so this listens on a
 * port of its own, one virtual thread per connection.
 */
final class WebSocketServer implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** The largest message accepted; an SDP offer is a few kilobytes. */
    private static final int MAX_MESSAGE = 1 << 20;

    /** One open socket: send text, close; what arrives goes to its {@link Listener}. */
    interface Connection {
        void send(String text);

        void close();
    }

    interface Listener {
        void onText(String text);

        void onClose();
    }

    private final ServerSocket server;
    private final Function<Connection, Listener> accept;
    /** The open sockets, so a cut can drop them all. */
    private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Until when (epoch ms) new sockets are refused: an outage after a cut. */
    private volatile long refuseUntil;

    WebSocketServer(String host, int port, Function<Connection, Listener> accept) throws IOException {
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 64);
        this.accept = accept;
    }

    int port() {
        return server.getLocalPort();
    }

    void start() {
        Thread.ofPlatform().daemon().name("telnyx-twin-rtc").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread.ofVirtual().name("telnyx-twin-rtc-conn").start(() -> serve(socket));
                } catch (IOException e) {
                    if (!server.isClosed()) {
                        Twin.log("WARN", "signalling accept failed", Map.of("error", e.getClass().getSimpleName()));
                    }
                }
            }
        });
    }

    /**
     * Drops every open socket as a network loss does (the TCP connection closes, no close frame: the browser sees
     * 1006) and refuses new ones for {@code forMillis}; returns how many were dropped.
     */
    int cut(long forMillis) {
        refuseUntil = System.currentTimeMillis() + Math.max(0, forMillis);
        int dropped = 0;
        for (Socket socket : List.copyOf(open)) {
            try {
                socket.close();
                dropped++;
            } catch (IOException e) {
                // already gone
            }
        }
        return dropped;
    }

    private void serve(Socket socket) {
        open.add(socket);
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            Map<String, String> headers = readRequest(in);
            if (System.currentTimeMillis() < refuseUntil) {
                byte[] body = "{\"error\":\"signalling_outage\",\"message\":\"The twin's signalling is cut (POST /_local/telnyx/twin/signalling/cut)\"}"
                        .getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            String key = headers.get("sec-websocket-key");
            if (key == null || !"websocket".equalsIgnoreCase(headers.getOrDefault("upgrade", ""))) {
                byte[] body = "{\"error\":\"websocket_required\",\"message\":\"This is the Telnyx twin's signalling socket: connect with a WebSocket (the SDK's host option)\"}"
                        .getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Socketed connection = new Socketed(socket, out);
            Listener listener = accept.apply(connection);
            try {
                readFrames(in, connection, listener);
            } finally {
                listener.onClose();
            }
        } catch (IOException e) {
            // the page went away: its listener was told above
        } finally {
            open.remove(socket);
        }
    }

    private static Map<String, String> readRequest(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        String line = readLine(in);
        if (line == null) {
            throw new EOFException();
        }
        int total = 0;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            total += line.length();
            if (total > 16_384) {
                throw new IOException("request head too large");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            if (line.size() > 8192) {
                throw new IOException("header line too long");
            }
            line.write(b);
        }
        return null;
    }

    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    private static void readFrames(InputStream in, Socketed connection, Listener listener) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        for (;;) {
            int first = in.read();
            int second = in.read();
            if (first < 0 || second < 0) {
                return;
            }
            boolean fin = (first & 0x80) != 0;
            int opcode = first & 0x0F;
            boolean masked = (second & 0x80) != 0;
            long length = second & 0x7F;
            if (length == 126) {
                length = (readByte(in) << 8) | readByte(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte(in);
                }
            }
            if (length > MAX_MESSAGE || message.size() + length > MAX_MESSAGE) {
                connection.closeWith(1009);
                return;
            }
            byte[] mask = masked ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) length);
            if (payload.length != length) {
                return;
            }
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            switch (opcode) {
                case 0x0, 0x1, 0x2 -> {
                    message.write(payload);
                    if (fin) {
                        String text = message.toString(StandardCharsets.UTF_8);
                        message.reset();
                        listener.onText(text);
                    }
                }
                case 0x8 -> {
                    connection.closeWith(1000);
                    return;
                }
                case 0x9 -> connection.frame(0xA, payload);
                default -> {
                    // pong or a reserved opcode: nothing to do
                }
            }
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private static final class Socketed implements Connection {
        private final Socket socket;
        private final OutputStream out;

        Socketed(Socket socket, OutputStream out) {
            this.socket = socket;
            this.out = out;
        }

        @Override
        public void send(String text) {
            frame(0x1, text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            closeWith(1000);
        }

        void closeWith(int code) {
            frame(0x8, new byte[] {(byte) (code >> 8), (byte) code});
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }

        synchronized void frame(int opcode, byte[] payload) {
            if (socket.isClosed()) {
                return;
            }
            try {
                ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
                frame.write(0x80 | opcode);
                if (payload.length < 126) {
                    frame.write(payload.length);
                } else if (payload.length < 65_536) {
                    frame.write(126);
                    frame.write(payload.length >> 8);
                    frame.write(payload.length);
                } else {
                    frame.write(127);
                    for (int shift = 56; shift >= 0; shift -= 8) {
                        frame.write((int) ((long) payload.length >> shift));
                    }
                }
                frame.write(payload);
                out.write(frame.toByteArray());
                out.flush();
            } catch (IOException e) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the reader sees the close
                }
            }
        }
    }
}
