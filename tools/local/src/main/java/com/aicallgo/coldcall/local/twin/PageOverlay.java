package com.aicallgo.coldcall.local.twin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

/**
 * The page as served while the twin is on: {@code config.js} also names the twin's signalling socket (the SDK's
 * {@code host}) and the test numbers, and the page's Content-Security-Policy lets it connect there. The built files
 * on disk are not changed: a deployment gets them as built.
 */
public final class PageOverlay {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PageOverlay() {
    }

    public static BiFunction<String, byte[], byte[]> of(Twin twin) {
        return (name, bytes) -> switch (name) {
            case "config.js" -> config(twin, bytes);
            case "index.html" -> new String(bytes, StandardCharsets.UTF_8)
                    .replace("connect-src 'self'", "connect-src 'self' " + twin.signallingUrl())
                    .getBytes(StandardCharsets.UTF_8);
            default -> bytes;
        };
    }

    private static byte[] config(Twin twin, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        ObjectNode config;
        try {
            int start = text.indexOf('{');
            int end = text.lastIndexOf('}');
            config = start >= 0 && end > start && JSON.readTree(text.substring(start, end + 1)) instanceof ObjectNode node
                    ? node : JSON.createObjectNode();
        } catch (IOException e) {
            config = JSON.createObjectNode();
        }
        config.setAll(JSON.<ObjectNode>valueToTree(twin.pageConfig()));
        try {
            return ("window.DIALER_CONFIG = " + JSON.writeValueAsString(config) + ";\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("a config always serialises", e);
        }
    }
}
