package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import java.time.Duration;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Telnyx Call Control: {@code POST /v2/calls/{call_control_id}/actions/record_start}. */
public final class TelnyxCallControl {
    /** What Telnyx said to record_start. */
    public enum RecordStart {
        ACCEPTED,
        /** 422 with 90034 (not answered yet) or 90020 (no audio yet): try again once the call is answered. */
        NOT_ANSWERED_YET,
        /** 422 with 90018: the call is over. */
        CALL_ENDED
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Errors(List<Error> errors) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Error(Object code, String title) {
    }

    private static final int ATTEMPTS = Deadlines.RECORD_START_ATTEMPTS;

    private final String apiBase;
    private final SecretsProvider secrets;
    private final HttpCaller http;
    private final long backoffMillis;

    public TelnyxCallControl(String apiBase, SecretsProvider secrets, HttpCaller http, long backoffMillis) {
        this.apiBase = apiBase;
        this.secrets = secrets;
        this.http = http;
        this.backoffMillis = backoffMillis;
    }

    /**
     * The same id for every record_start of one call, so Telnyx ignores a repeat (for about 60 s).
     */
    public static String commandId(String callControlId) {
        return "record-start-" + UUID.nameUUIDFromBytes(
                ("record_start:" + callControlId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Starts a dual-channel MP3 recording, retrying 429, 5xx and timeouts a bounded number of times.
     *
     * @throws TelnyxFailure {@code telnyx_unavailable} after the retries, {@code telnyx_rejected} for another 4xx
     */
    public RecordStart recordStart(String callControlId) {
        return recordStart(callControlId, null);
    }

    /**
     * As {@link #recordStart(String)}, every attempt ending by {@code until} (the end of the caller's claim, or
     * {@code null}) and by the invocation's budget; no retry starts once the time is spent.
     */
    public RecordStart recordStart(String callControlId, Deadline until) {
        URI uri = URI.create(apiBase + "/v2/calls/" + HttpCaller.segment(callControlId) + "/actions/record_start");
        byte[] body = ("{\"format\":\"mp3\",\"channels\":\"dual\",\"command_id\":\"" + commandId(callControlId) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of(
                "Authorization", "Bearer " + secrets.current().requireTelnyxApiKey(),
                "Content-Type", "application/json",
                "Accept", "application/json");
        String last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                long pause = backoffMillis * (1L << (attempt - 2));
                if (!http.deadline(until).allows(Duration.ofMillis(pause).plus(Deadlines.TELNYX_CONNECT))) {
                    break;
                }
                pause(pause);
            }
            HttpCaller.Response response;
            try {
                response = http.post(uri, headers, body, until);
            } catch (IOException e) {
                last = "record_start did not answer: " + e.getClass().getSimpleName();
                continue;
            }
            if (response.ok()) {
                return RecordStart.ACCEPTED;
            }
            if (response.status() == 429 || response.status() >= 500) {
                last = "record_start answered " + response.status();
                continue;
            }
            String code = errorCode(response.body());
            if (response.status() == 422 && ("90034".equals(code) || "90020".equals(code))) {
                return RecordStart.NOT_ANSWERED_YET;
            }
            if (response.status() == 422 && "90018".equals(code)) {
                return RecordStart.CALL_ENDED;
            }
            throw TelnyxFailure.rejected("Telnyx refused to start the recording",
                    "record_start answered " + response.status() + " code " + code);
        }
        throw TelnyxFailure.unavailable("Telnyx is unavailable; the recording was not started",
                last + " (attempts and time spent)");
    }

    static String errorCode(String body) {
        try {
            Errors errors = Json.mapper().readValue(body, Errors.class);
            if (errors.errors() != null && !errors.errors().isEmpty() && errors.errors().get(0).code() != null) {
                return errors.errors().get(0).code().toString();
            }
        } catch (IOException | RuntimeException e) {
            // not Telnyx's error shape: no code
        }
        return null;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TelnyxFailure.unavailable("Telnyx is unavailable; the recording was not started",
                    "interrupted while retrying");
        }
    }
}
