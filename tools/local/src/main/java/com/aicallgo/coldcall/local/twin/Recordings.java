package com.aicallgo.coldcall.local.twin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The twin's recordings and the links to their files, as Telnyx hands them out: a download link is valid for a
 * while after it was minted (10 minutes at Telnyx; {@code TWIN_LINK_TTL_SECONDS} here), every read of the
 * recordings API mints a fresh one, and an expired or altered link is refused. Where the account has public
 * recording URLs ({@code TWIN_PUBLIC_RECORDING_URLS=true}) those never expire.
 */
public final class Recordings {
    /** One saved recording: the ids of the leg that recorded, its span, its file. */
    record Recording(String id, String callControlId, String callLegId, String callSessionId, String channels,
            Instant startedAt, Instant endedAt, byte[] mp3) {
    }

    /** What a download request gets: the file, or why not. */
    public sealed interface Download permits File, Refused {
    }

    public record File(byte[] mp3) implements Download {
    }

    public record Refused(int status, String reason) implements Download {
    }

    private static final String PUBLIC = "public/";

    private final String apiBase;
    private final Duration linkTtl;
    private final boolean publicUrls;
    private final SecureRandom random = new SecureRandom();
    private final byte[] key = new byte[32];
    private final Map<String, Recording> byId = new ConcurrentHashMap<>();

    Recordings(String apiBase, Duration linkTtl, boolean publicUrls) {
        this.apiBase = apiBase;
        this.linkTtl = linkTtl;
        this.publicUrls = publicUrls;
        random.nextBytes(key);
    }

    void save(Recording recording) {
        byId.put(recording.id(), recording);
    }

    /** A download link for the recording, valid for the link lifetime from {@code now}. */
    String mint(String recordingId, Instant now) {
        long expires = now.plus(linkTtl).getEpochSecond();
        byte[] random = new byte[6];
        this.random.nextBytes(random);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return apiBase + "/recordings/" + recordingId + ".mp3?expires=" + expires + "&nonce=" + nonce + "&signature="
                + signature(recordingId, expires, nonce);
    }

    /** The lasting link, where the account has them; {@code null} otherwise. */
    String publicUrl(String recordingId) {
        return publicUrls ? apiBase + "/recordings/" + PUBLIC + recordingId + ".mp3" : null;
    }

    /** {@code file} is the path after {@code /recordings/} ({@code <id>.mp3} or {@code public/<id>.mp3}). */
    public Download download(String file, Map<String, String> query, Instant now) {
        if (!file.endsWith(".mp3")) {
            return new Refused(404, "No such file");
        }
        String name = file.substring(0, file.length() - 4);
        if (name.startsWith(PUBLIC)) {
            Recording recording = publicUrls ? byId.get(name.substring(PUBLIC.length())) : null;
            return recording == null ? new Refused(404, "No such file") : new File(recording.mp3());
        }
        long expires;
        try {
            expires = Long.parseLong(query.getOrDefault("expires", ""));
        } catch (NumberFormatException e) {
            return new Refused(403, "The link is not signed");
        }
        if (!MessageDigest.isEqual(signature(name, expires, query.getOrDefault("nonce", "")).getBytes(StandardCharsets.US_ASCII),
                query.getOrDefault("signature", "").getBytes(StandardCharsets.US_ASCII))) {
            return new Refused(403, "The link's signature does not match");
        }
        if (now.getEpochSecond() >= expires) {
            return new Refused(403, "Request has expired");
        }
        Recording recording = byId.get(name);
        return recording == null ? new Refused(404, "No such file") : new File(recording.mp3());
    }

    /** The recordings API's object for a recording, with a freshly minted link. */
    Map<String, Object> describe(Recording recording, Instant now) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", recording.id());
        data.put("record_type", "recording");
        data.put("call_control_id", recording.callControlId());
        data.put("call_leg_id", recording.callLegId());
        data.put("call_session_id", recording.callSessionId());
        data.put("channels", recording.channels());
        data.put("source", "call");
        data.put("status", "completed");
        data.put("duration_millis", Duration.between(recording.startedAt(), recording.endedAt()).toMillis());
        data.put("recording_started_at", recording.startedAt().toString());
        data.put("recording_ended_at", recording.endedAt().toString());
        data.put("created_at", recording.endedAt().toString());
        data.put("updated_at", recording.endedAt().toString());
        data.put("download_urls", Map.of("mp3", mint(recording.id(), now)));
        String lasting = publicUrl(recording.id());
        if (lasting != null) {
            data.put("public_recording_urls", Map.of("mp3", lasting));
        }
        return data;
    }

    /** The recordings matching every given filter ({@code call_control_id}, {@code call_leg_id}, {@code call_session_id}). */
    List<Recording> find(Map<String, String> filters) {
        List<Recording> found = new ArrayList<>();
        for (Recording recording : byId.values()) {
            if (matches(filters.get("call_control_id"), recording.callControlId())
                    && matches(filters.get("call_leg_id"), recording.callLegId())
                    && matches(filters.get("call_session_id"), recording.callSessionId())) {
                found.add(recording);
            }
        }
        found.sort((a, b) -> a.endedAt().compareTo(b.endedAt()));
        return found;
    }

    Recording get(String id) {
        return byId.get(id);
    }

    private static boolean matches(String wanted, String value) {
        return wanted == null || wanted.equals(value);
    }

    private String signature(String recordingId, long expires, String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((recordingId + "\n" + expires + "\n" + nonce).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}
