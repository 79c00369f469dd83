package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.webbackend.Outgoing;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Locale;

/**
 * A recording's download link as we post it: Telnyx's public link when the account has one (it does not expire),
 * else the mp3 (or wav) link, which lives {@link Config#RECORDING_LINK_LIFETIME} from when Telnyx handed it out.
 *
 * <p>Only a link {@link #refusal} accepts is ever taken: the Web Backend (and the people who click the link) must
 * never get a {@code javascript:} or {@code file:} link, one to a cloud metadata address, or 8 KB of text. A refused
 * link is no link ({@code refused} says why): the recording is read again from the recordings API before it is
 * posted.
 *
 * @param expiresAt ISO-8601, or {@code null} for a link that does not expire
 * @param refused why the link Telnyx gave was not taken (bounded, for a log line), or {@code null}
 */
record Link(String url, String expiresAt, String refused) {
    /** Longest link we post: a presigned link with a session token is well under this. */
    static final int MAX_LENGTH = 4096;

    /**
     * From a webhook: its links were handed out when the event occurred.
     *
     * @param trusted the Telnyx API base we talk to ({@link #refusal})
     */
    static Link of(WebhookEvent.Payload payload, Instant occurred, String trusted) {
        WebhookEvent.RecordingUrls pub = payload.publicRecordingUrls();
        WebhookEvent.RecordingUrls urls = payload.recordingUrls();
        return choose(pub == null ? null : pick(pub.mp3(), pub.wav()), urls == null ? null : pick(urls.mp3(), urls.wav()),
                occurred, trusted);
    }

    /** From the recordings API, read at {@code now}. */
    static Link of(TelnyxRecordings.Recording recording, Instant now, String trusted) {
        TelnyxRecordings.Links pub = recording.publicRecordingUrls();
        TelnyxRecordings.Links links = recording.downloadUrls();
        return choose(pub == null ? null : pick(pub.mp3(), pub.wav()), links == null ? null : pick(links.mp3(), links.wav()),
                now, trusted);
    }

    /** The lasting link if it may be posted, else the expiring one if it may, else none (with why). */
    private static Link choose(String lasting, String expiring, Instant handedOut, String trusted) {
        String refused = null;
        if (lasting != null) {
            refused = refusal(lasting, trusted);
            if (refused == null) {
                return new Link(lasting, null, null);
            }
            refused = "public link " + refused + " (" + Outgoing.preview(lasting) + ")";
        }
        if (expiring != null) {
            String why = refusal(expiring, trusted);
            if (why == null) {
                return new Link(expiring, handedOut.plus(Config.RECORDING_LINK_LIFETIME).toString(), null);
            }
            refused = (refused == null ? "" : refused + "; ") + "link " + why + " (" + Outgoing.preview(expiring) + ")";
        }
        return new Link(null, null, refused);
    }

    /**
     * Why {@code url} may not be posted, or {@code null} when it may. A link may be posted when it is at most
     * {@value #MAX_LENGTH} printable ASCII characters, an absolute URI without user info, and either under
     * {@code trusted} (the Telnyx API base we talk to: in production {@code https://api.telnyx.com}, locally the
     * twin), or {@code https} on the default port to a host name whose last label is letters (no IP literal in any
     * spelling, no {@code localhost}, {@code .local} or {@code .internal} name). No list of hosts: Telnyx's links are
     * presigned object-store links, and an account with its own storage gets its provider's.
     */
    static String refusal(String url, String trusted) {
        if (url.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return "holds a space, a control or a non-ASCII character";
            }
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a URI";
        }
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getRawAuthority() == null) {
            return "is not an absolute link with a host";
        }
        if (uri.getRawUserInfo() != null || uri.getHost() == null) {
            return "carries user info or no host name";
        }
        if (under(uri, trusted)) {
            return null;
        }
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            return "is not https";
        }
        if (uri.getPort() != -1 && uri.getPort() != 443) {
            return "is not on the https port";
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String last = host.substring(host.lastIndexOf('.') + 1);
        if (host.indexOf('.') < 0 || last.length() < 2 || !last.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
            return "has no public host name (an IP address, or no domain)";
        }
        for (String inside : new String[] {"localhost", "local", "internal"}) {
            if (last.equals(inside)) {
                return "has a host name that is not public";
            }
        }
        return null;
    }

    /** Whether {@code uri} lies under the base (same scheme, host and port, a path below it, no dot segments). */
    private static boolean under(URI uri, String trusted) {
        if (trusted == null) {
            return false;
        }
        URI base = URI.create(trusted);
        String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme().equalsIgnoreCase(base.getScheme()) && uri.getHost().equalsIgnoreCase(base.getHost())
                && port(uri) == port(base) && path.startsWith(basePath + "/") && !path.contains("/..")
                && !path.contains("/./") && !path.toLowerCase(Locale.ROOT).contains("%2e");
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String pick(String mp3, String wav) {
        if (mp3 != null && !mp3.isBlank()) {
            return mp3;
        }
        return wav != null && !wav.isBlank() ? wav : null;
    }
}
