package com.aicallgo.coldcall.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer on a loopback socket that behaves as a hostile server would: it reads the request (headers, and the body by
 * its Content-Length), counts it, and then answers in one of the {@link Mode}s. Each connection on its own daemon
 * thread; {@link #close()} drops them all.
 */
public final class HostilePeer implements AutoCloseable {
    /** How it answers. */
    public enum Mode {
        /** A valid 201 with a small JSON body, sent one byte every {@link #DRIP_MILLIS} ms. */
        SLOW_DRIP,
        /** 201 at once, then a body that never ends (no length, bytes forever). */
        ENDLESS_BODY,
        /** Accepts and reads, never answers (a black hole). */
        SILENT,
        /** Accepts and never even reads. */
        BLACK_HOLE
    }

    public static final int DRIP_MILLIS = 170;

    private final ServerSocket server;
    private final Mode mode;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger answering = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final List<String> paths = new ArrayList<>();
    private volatile boolean open = true;

    public HostilePeer(Mode mode) throws IOException {
        this.mode = mode;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "hostile-peer-" + mode);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String base() {
        return "http://127.0.0.1:" + port();
    }

    /** Requests read so far. */
    public int requests() {
        return requests.get();
    }

    /** The most requests this peer was answering at one time (a client that gave up ends its request). */
    public int mostAtOnce() {
        return mostAtOnce.get();
    }

    public synchronized List<String> paths() {
        return List.copyOf(paths);
    }

    private void accept() {
        while (open) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread thread = new Thread(() -> serve(socket), "hostile-peer-connection");
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            if (mode == Mode.BLACK_HOLE) {
                while (open) {
                    Thread.sleep(50);
                }
                return;
            }
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (open) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                int length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                synchronized (this) {
                    paths.add(head.split(" ")[1]);
                }
                requests.incrementAndGet();
                mostAtOnce.accumulateAndGet(answering.incrementAndGet(), Math::max);
                try {
                    answer(out);
                } finally {
                    answering.decrementAndGet();
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the client hung up (as it should, at its deadline)
        }
    }

    private void answer(OutputStream out) throws IOException, InterruptedException {
                switch (mode) {
                    case SLOW_DRIP -> {
                        byte[] answer = ("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 28\r\n\r\n"
                                + "{\"data\":{\"result\":\"ok\"}}   ").getBytes(StandardCharsets.US_ASCII);
                        for (byte b : answer) {
                            out.write(b);
                            out.flush();
                            Thread.sleep(DRIP_MILLIS);
                        }
                    }
                    case ENDLESS_BODY -> {
                        out.write("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{\"data\":\""
                                .getBytes(StandardCharsets.US_ASCII));
                        byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
                        while (open) {
                            out.write(chunk);
                            out.flush();
                        }
                    }
                    case SILENT, BLACK_HOLE -> {
                        while (open) {
                            Thread.sleep(50);
                        }
                    }
                }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        return null;
    }

    @Override
    public void close() {
        open = false;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException | RuntimeException e) {
                // closing
            }
        }
    }
}
