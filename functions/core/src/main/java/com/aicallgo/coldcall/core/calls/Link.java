package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.telnyx.TelnyxRecordings;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import java.time.Instant;

/**
 * A recording's download link as we post it: Telnyx's public link when the account has one (it does not expire),
 * else the mp3 (or wav) link, which lives {@link Config#RECORDING_LINK_LIFETIME} from when Telnyx handed it out.
 *
 * @param expiresAt ISO-8601, or {@code null} for a link that does not expire
 */
record Link(String url, String expiresAt) {

    /** From a webhook: its links were handed out when the event occurred. */
    static Link of(WebhookEvent.Payload payload, Instant occurred) {
        String pub = pick(payload.publicRecordingUrls());
        if (pub != null) {
            return new Link(pub, null);
        }
        return expiring(pick(payload.recordingUrls()), occurred);
    }

    /** From the recordings API, read at {@code now}. */
    static Link of(TelnyxRecordings.Recording recording, Instant now) {
        TelnyxRecordings.Links pub = recording.publicRecordingUrls();
        String url = pub == null ? null : pick(pub.mp3(), pub.wav());
        if (url != null) {
            return new Link(url, null);
        }
        TelnyxRecordings.Links links = recording.downloadUrls();
        return expiring(links == null ? null : pick(links.mp3(), links.wav()), now);
    }

    private static Link expiring(String url, Instant handedOut) {
        return new Link(url, url == null ? null : handedOut.plus(Config.RECORDING_LINK_LIFETIME).toString());
    }

    private static String pick(WebhookEvent.RecordingUrls urls) {
        return urls == null ? null : pick(urls.mp3(), urls.wav());
    }

    private static String pick(String mp3, String wav) {
        if (mp3 != null && !mp3.isBlank()) {
            return mp3;
        }
        return wav != null && !wav.isBlank() ? wav : null;
    }
}
