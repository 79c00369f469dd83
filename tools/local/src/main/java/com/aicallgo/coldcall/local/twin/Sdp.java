package com.aicallgo.coldcall.local.twin;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The twin's SDP answer to the browser's offer: the offer's audio accepted with Opus, receive-only (the twin sends
 * no media), valid for the browser to apply so the SDK moves on to "active". It names no candidate, so no media
 * flows; the call's states do not depend on media.
 */
final class Sdp {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Sdp() {
    }

    static String answer(String offer) {
        String ufrag = token(8);
        String pwd = token(24);
        byte[] digest = new byte[32];
        RANDOM.nextBytes(digest);
        String fingerprint = HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        List<String> bundle = new ArrayList<>();
        StringBuilder media = new StringBuilder();
        boolean offerBundles = offer.contains("a=group:BUNDLE");
        for (String section : offer.split("(?=\r?\nm=)")) {
            String text = section.strip();
            if (!text.startsWith("m=")) {
                continue;
            }
            String[] lines = text.split("\r?\n");
            String[] m = lines[0].substring(2).split(" ");
            String mid = attribute(lines, "a=mid:");
            String opus = null;
            String fmtp = null;
            for (String line : lines) {
                if (line.startsWith("a=rtpmap:") && line.toLowerCase().contains(" opus/48000")) {
                    opus = line.substring("a=rtpmap:".length(), line.indexOf(' '));
                    break;
                }
            }
            if (opus != null) {
                fmtp = attribute(lines, "a=fmtp:" + opus + " ");
            }
            if (!m[0].equals("audio") || opus == null) {
                media.append("m=").append(m[0]).append(" 0 ").append(m[2]).append(' ').append(m.length > 3 ? m[3] : "0").append("\r\n")
                        .append("c=IN IP4 0.0.0.0\r\n");
                if (mid != null) {
                    media.append("a=mid:").append(mid).append("\r\n");
                }
                continue;
            }
            if (mid != null) {
                bundle.add(mid);
            }
            String direction = text.contains("a=recvonly") || text.contains("a=inactive") ? "inactive" : "recvonly";
            media.append("m=audio 9 ").append(m[2]).append(' ').append(opus).append("\r\n")
                    .append("c=IN IP4 0.0.0.0\r\n")
                    .append("a=rtcp:9 IN IP4 0.0.0.0\r\n")
                    .append("a=ice-ufrag:").append(ufrag).append("\r\n")
                    .append("a=ice-pwd:").append(pwd).append("\r\n")
                    .append("a=fingerprint:sha-256 ").append(fingerprint).append("\r\n")
                    .append("a=setup:active\r\n");
            if (mid != null) {
                media.append("a=mid:").append(mid).append("\r\n");
            }
            media.append("a=").append(direction).append("\r\n")
                    .append("a=rtcp-mux\r\n")
                    .append("a=rtpmap:").append(opus).append(" opus/48000/2\r\n");
            if (fmtp != null) {
                media.append("a=fmtp:").append(opus).append(' ').append(fmtp).append("\r\n");
            }
        }
        StringBuilder sdp = new StringBuilder("v=0\r\no=- ").append(Math.abs(RANDOM.nextLong() >> 2))
                .append(" 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        if (offerBundles && !bundle.isEmpty()) {
            sdp.append("a=group:BUNDLE ").append(String.join(" ", bundle)).append("\r\n");
        }
        sdp.append("a=msid-semantic: WMS\r\n").append(media);
        return sdp.toString();
    }

    /**
     * The offer of a {@code telnyx_rtc.attach}: one Opus audio section (the twin's media end is new after a
     * reattach, so its ICE credentials and fingerprint are too), no candidates.
     */
    static String offer() {
        byte[] digest = new byte[32];
        RANDOM.nextBytes(digest);
        return "v=0\r\no=- " + Math.abs(RANDOM.nextLong() >> 2) + " 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=ice-ufrag:" + token(8) + "\r\na=ice-pwd:" + token(24) + "\r\n"
                + "a=fingerprint:sha-256 " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest) + "\r\n"
                + "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
                + "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n";
    }

    private static String attribute(String[] lines, String prefix) {
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).strip();
            }
        }
        return null;
    }

    private static String token(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
