package com.aicallgo.coldcall.local.twin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The page's SDK, as far as signalling goes: one socket to the twin's Verto endpoint that sends JSON-RPC requests and
 * keeps every message it gets. An error reply fails the wait for any later message.
 */
public final class VertoClient implements WebSocket.Listener {
    /** An audio offer as a browser's, enough for the twin. */
    public static final String OFFER = String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE 0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=sendrecv",
            "a=rtpmap:111 opus/48000/2", "");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;
    private final List<JsonNode> received = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private int nextId = 1;
    private volatile boolean closed;

    public VertoClient(URI uri) {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).join();
    }

    /** A new socket to {@code signallingUrl}, logged in with {@code params} (the twin said clientReady). */
    public static VertoClient login(String signallingUrl, Map<String, Object> params) throws InterruptedException {
        VertoClient client = new VertoClient(URI.create(signallingUrl));
        client.send("login", params);
        client.await(m -> m.path("method").asText().equals("telnyx_rtc.clientReady"));
        return client;
    }

    public WebSocket socket() {
        return socket;
    }

    public void send(String method, Map<String, Object> params) {
        Map<String, Object> message = Map.of("jsonrpc", "2.0", "id", nextId++, "method", method, "params", params);
        try {
            socket.sendText(JSON.writeValueAsString(message), true).join();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode message = JSON.readTree(partial.toString());
                synchronized (received) {
                    received.add(message);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed = true;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed = true;
    }

    /** Whether the socket closed within 5 s. */
    public boolean closed() throws InterruptedException {
        for (int i = 0; i < 100 && !closed; i++) {
            Thread.sleep(50);
        }
        return closed;
    }

    public List<JsonNode> messages(String method) {
        synchronized (received) {
            return received.stream().filter(m -> m.path("method").asText().equals(method)).toList();
        }
    }

    /** The first message {@code which} matches, within 10 s; an error reply before it fails the wait. */
    public JsonNode await(Predicate<JsonNode> which) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            synchronized (received) {
                for (JsonNode message : received) {
                    if (which.test(message)) {
                        return message;
                    }
                    if (message.has("error")) {
                        throw new AssertionError("the twin refused: " + message);
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the page got no such message; it got " + received);
    }
}
