package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Telnyx's Call Recordings API (developers.telnyx.com/api-reference/call-recordings): {@code GET /v2/recordings}
 * with {@code filter[call_control_id]} or {@code filter[call_session_id]} lists a call's recordings, and
 * {@code GET /v2/recordings/{id}} reads one with fresh download links (a webhook's links expire after about
 * 10 minutes, so a backfill always reads the recording again right before posting it).
 */
public final class TelnyxRecordings {
    /** One recording as the API describes it; only what we post is read. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Recording(String id, String callControlId, String callLegId, String callSessionId, String channels,
            Links downloadUrls, Links publicRecordingUrls, Long durationMillis, String recordingStartedAt,
            String recordingEndedAt, String status) {
        /** Telnyx documents {@code completed} as the only status it lists today; a missing status is taken as it. */
        public boolean completed() {
            return status == null || status.equalsIgnoreCase("completed");
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Links(String mp3, String wav) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Page(List<Recording> data) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record One(Recording data) {
    }

    /** Telnyx did not answer, or not with a 2xx and the documented JSON: ask again later. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final String apiBase;
    private final SecretsProvider secrets;
    private final HttpCaller http;

    public TelnyxRecordings(String apiBase, SecretsProvider secrets, HttpCaller http) {
        this.apiBase = apiBase;
        this.secrets = secrets;
        this.http = http;
    }

    /** The API base these reads go to: a link under it is Telnyx's own. */
    public String apiBase() {
        return apiBase;
    }

    /**
     * The call's recordings: those Telnyx lists for its call control id, else (when it lists none) for its leg id,
     * else for its call session (which a transferred leg shares). Absent ids are skipped. Only recordings that
     * really carry the asked id are kept, whatever the filter did.
     */
    public List<Recording> forCall(String callControlId, String callLegId, String callSessionId) throws Unavailable {
        List<Recording> found = List.of();
        if (present(callControlId)) {
            found = list("call_control_id", callControlId, Recording::callControlId);
        }
        if (found.isEmpty() && present(callLegId)) {
            found = list("call_leg_id", callLegId, Recording::callLegId);
        }
        if (found.isEmpty() && present(callSessionId)) {
            found = list("call_session_id", callSessionId, Recording::callSessionId);
        }
        return found;
    }

    private static boolean present(String id) {
        return id != null && !id.isBlank();
    }

    /** One recording, with fresh download links. */
    public Recording get(String recordingId) throws Unavailable {
        One one = read(URI.create(apiBase + "/v2/recordings/" + HttpCaller.segment(recordingId)), One.class);
        if (one.data() == null || one.data().id() == null) {
            throw new Unavailable("recording " + recordingId + " came back without data");
        }
        return one.data();
    }

    private List<Recording> list(String filter, String value, Function<Recording, String> idOf) throws Unavailable {
        URI uri = URI.create(apiBase + "/v2/recordings?filter%5B" + filter + "%5D=" + HttpCaller.segment(value)
                + "&page%5Bsize%5D=50");
        Page page = read(uri, Page.class);
        if (page.data() == null) {
            return List.of();
        }
        return page.data().stream().filter(r -> r.id() != null && value.equals(idOf.apply(r))).toList();
    }

    private <T> T read(URI uri, Class<T> type) throws Unavailable {
        HttpCaller.Response response;
        try {
            response = http.get(uri, Map.of("Authorization", "Bearer " + secrets.current().requireTelnyxApiKey(),
                    "Accept", "application/json"));
        } catch (IOException e) {
            throw new Unavailable("recordings API did not answer: " + e.getClass().getSimpleName());
        }
        if (!response.ok()) {
            throw new Unavailable("recordings API answered " + response.status());
        }
        try {
            return Json.mapper().readValue(response.body(), type);
        } catch (IOException e) {
            throw new Unavailable("recordings API answer is not the documented JSON");
        }
    }
}
