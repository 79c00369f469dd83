package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.PhoneNumber;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.aicallgo.coldcall.core.time.Deadline;
import com.aicallgo.coldcall.core.time.Deadlines;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Telnyx Call Control commands ({@code POST /v2/calls/{call_control_id}/actions/<action>}) and the call status
 * ({@code GET /v2/calls/{call_control_id}}). Every command carries our {@link ClientState} and a {@code command_id}
 * per attempt: Telnyx ignores a repeated id for about 60 s, so a retry of the same attempt (after a timeout or a 5xx)
 * keeps its id and a new attempt takes a new one (KB {@code command-retries.md}).
 */
public final class TelnyxCallControl {
    /** What Telnyx said to a command. */
    public enum Answer {
        ACCEPTED,
        /** 422 with 90034 (not answered yet) or 90020 (no audio yet): try again once the call is answered. */
        NOT_ANSWERED_YET,
        /** 422 with 90018: the call is over. */
        CALL_ENDED
    }

    /** What Telnyx knows of a call now. */
    public sealed interface Status {
        /**
         * Telnyx has the call; {@code alive} false once it ended, with its end time when Telnyx gives one, and the
         * leg's current {@code client_state} when it is one of ours ({@code null} otherwise): a command of ours took.
         */
        record Known(boolean alive, String endTime, Long durationSeconds, ClientState.Stated state) implements Status {
        }

        /** Telnyx no longer knows the call (it keeps an ended call's status for about 10 minutes). */
        record Gone(String detail) implements Status {
        }
    }

    /**
     * One attempt at a command, which names its {@code command_id}: a retry of the attempt keeps it, so Telnyx runs
     * the command once. A new attempt is {@link #next()}; a command a webhook sends is {@link #forEvent} that event,
     * so a redelivery of the event is the same attempt.
     */
    public record Attempt(String name) {
        public static Attempt next() {
            return new Attempt(UUID.randomUUID().toString());
        }

        public static Attempt forEvent(String eventId) {
            return new Attempt(eventId);
        }
    }

    /** How a failed connect ends the browser's leg: the destination's outcome, in a header the page may read. */
    public static final String OUTCOME_HEADER = "X-Cold-Call-Outcome";

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Errors(List<Error> errors) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Error(Object code, String title) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record StatusAnswer(StatusData data) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record StatusData(Boolean isAlive, String endTime, Long callDuration, String clientState) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record ActiveCalls(List<ActiveCall> data, ActiveMeta meta) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record ActiveCall(String callControlId) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record ActiveMeta(Cursors cursors) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Cursors(String after) {
    }

    /** Pages of the active-calls list read at most: a thousand live calls on one connection is far beyond ours. */
    private static final int ACTIVE_PAGES = 4;
    private static final int ACTIVE_PAGE_SIZE = 250;

    private static final int ATTEMPTS = Deadlines.RECORD_START_ATTEMPTS;

    private final String apiBase;
    private final SecretsProvider secrets;
    private final HttpCaller http;
    private final long backoffMillis;
    private final ClientState states;

    public TelnyxCallControl(String apiBase, SecretsProvider secrets, HttpCaller http, long backoffMillis) {
        this.apiBase = apiBase;
        this.secrets = secrets;
        this.states = new ClientState(secrets);
        this.http = http;
        this.backoffMillis = backoffMillis;
    }

    /** One attempt's {@code command_id}: the same for the retries of that attempt, another for the next attempt. */
    public static String commandId(String action, CallControlId callControlId, Attempt attempt) {
        return action + "-" + UUID.nameUUIDFromBytes(
                (action + ":" + callControlId.value() + ":" + attempt.name()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Starts a dual-channel MP3 recording of {@code callControlId}, the browser call {@code call} names.
     *
     * @param attempt names this attempt (its claim): the command id is derived from it
     * @param until every try ends by this (the caller's claim; {@code null}: the invocation's budget only)
     * @throws TelnyxFailure {@code telnyx_unavailable} after the retries, {@code telnyx_rejected} for another 4xx
     */
    public Answer recordStart(CallControlId callControlId, Attempt attempt, Deadline until) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("format", "mp3");
        body.put("channels", "dual");
        return send(callControlId, "record_start", body, callControlId, attempt, until, "start the recording");
    }

    /**
     * Connects a parked browser call to the dialled number with our caller ID, recording from the answer (mp3, dual)
     * in the same command, so no separate record_start races the answer. The new leg's webhooks carry our state too,
     * bound to the session the legs share ({@code sessionId}), the only way its events (under a call control id we
     * never learn) name our call.
     */
    public Answer transfer(CallControlId callControlId, String sessionId, PhoneNumber to, String from,
            Duration timeout, Attempt attempt, Deadline until) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("to", to.e164());
        body.put("from", from);
        body.put("timeout_secs", (int) timeout.toSeconds());
        body.put("record", "record-from-answer");
        body.put("record_format", "mp3");
        body.put("record_channels", "dual");
        body.put("target_leg_client_state", states.of(callControlId, sessionId));
        return send(callControlId, "transfer", body, callControlId, attempt, until, "connect the call");
    }

    /** Why the call gate refused a call, in plain words, beside {@link #OUTCOME_HEADER} on our hang-up. */
    public static final String REASON_HEADER = "X-Cold-Call-Reason";

    /** Hangs up a leg of {@code call}, telling the browser the destination's outcome in {@link #OUTCOME_HEADER}. */
    public Answer hangup(CallControlId legControlId, CallControlId call, CallEnding outcome, Attempt attempt,
            Deadline until) {
        return hangup(legControlId, call, outcome, null, attempt, until);
    }

    /** As {@link #hangup(CallControlId, CallControlId, CallEnding, Attempt, Deadline)}, with why in plain words. */
    public Answer hangup(CallControlId legControlId, CallControlId call, CallEnding outcome, String reason,
            Attempt attempt, Deadline until) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (outcome != null) {
            List<Map<String, String>> headers = new java.util.ArrayList<>();
            headers.add(Map.of("name", OUTCOME_HEADER, "value", outcome.wire()));
            if (reason != null) {
                headers.add(Map.of("name", REASON_HEADER, "value", reason));
            }
            body.put("custom_headers", headers);
        }
        return send(legControlId, "hangup", body, call, attempt, until, "hang up the call");
    }

    /**
     * What Telnyx knows of a call.
     *
     * @throws TelnyxFailure {@code telnyx_unavailable} when it does not answer with a 2xx, a 404, its 90015 or 90018
     */
    public Status status(CallControlId callControlId) {
        URI uri = URI.create(apiBase + "/v2/calls/" + HttpCaller.segment(callControlId.value()));
        HttpCaller.Response response;
        try {
            response = http.get(uri, headers());
        } catch (IOException e) {
            throw TelnyxFailure.unavailable("Telnyx is unavailable", "call status did not answer: "
                    + e.getClass().getSimpleName());
        }
        String code = errorCode(response.body());
        // 90018 "call has already ended": Telnyx no longer has the call to report on
        if (response.status() == 404 || "90015".equals(code) || "90018".equals(code)) {
            return new Status.Gone("call status answered " + response.status() + (code == null ? "" : " code " + code));
        }
        if (!response.ok()) {
            throw TelnyxFailure.unavailable("Telnyx is unavailable", "call status answered " + response.status());
        }
        try {
            StatusData data = Json.mapper().readValue(response.body(), StatusAnswer.class).data();
            if (data == null || data.isAlive() == null) {
                throw TelnyxFailure.unavailable("Telnyx is unavailable", "call status came back without is_alive");
            }
            return new Status.Known(data.isAlive(), data.endTime(), data.callDuration(),
                    states.verify(data.clientState()));
        } catch (IOException e) {
            throw TelnyxFailure.unavailable("Telnyx is unavailable", "call status is not the documented JSON");
        }
    }

    /**
     * Whether Telnyx lists {@code call} among the live calls of connection {@code connectionId}
     * ({@code GET /v2/connections/{connection_id}/active_calls}, cursor-paginated; the call status API names no
     * connection). Each page is one bounded request inside the invocation's budget.
     *
     * @throws TelnyxFailure {@code telnyx_unavailable} when a page does not come back as the documented JSON
     */
    public boolean activeOn(String connectionId, CallControlId call) {
        String after = null;
        for (int page = 0; page < ACTIVE_PAGES; page++) {
            URI uri = URI.create(apiBase + "/v2/connections/" + HttpCaller.segment(connectionId)
                    + "/active_calls?page%5Bsize%5D=" + ACTIVE_PAGE_SIZE
                    + (after == null ? "" : "&page%5Bafter%5D=" + HttpCaller.segment(after)));
            HttpCaller.Response response;
            try {
                response = http.get(uri, headers());
            } catch (IOException e) {
                throw TelnyxFailure.unavailable("Telnyx is unavailable", "active calls did not answer: "
                        + e.getClass().getSimpleName());
            }
            if (!response.ok()) {
                throw TelnyxFailure.unavailable("Telnyx is unavailable", "active calls answered " + response.status());
            }
            ActiveCalls answer;
            try {
                answer = Json.mapper().readValue(response.body(), ActiveCalls.class);
            } catch (IOException e) {
                throw TelnyxFailure.unavailable("Telnyx is unavailable", "active calls is not the documented JSON");
            }
            List<ActiveCall> calls = answer.data() == null ? List.of() : answer.data();
            if (calls.stream().anyMatch(active -> call.value().equals(active.callControlId()))) {
                return true;
            }
            after = answer.meta() == null || answer.meta().cursors() == null ? null : answer.meta().cursors().after();
            if (after == null || after.isBlank() || calls.isEmpty()) {
                return false;
            }
        }
        return false;
    }

    /**
     * Sends one command, retrying 429, 5xx and timeouts a bounded number of times with the same command id; every
     * try ends by {@code until} and by the invocation's budget, and no retry starts once the time is spent.
     */
    private Answer send(CallControlId legControlId, String action, Map<String, Object> fields, CallControlId call,
            Attempt attempt, Deadline until, String what) {
        URI uri = URI.create(apiBase + "/v2/calls/" + HttpCaller.segment(legControlId.value()) + "/actions/" + action);
        Map<String, Object> command = new LinkedHashMap<>(fields);
        command.put("client_state", states.of(call));
        command.put("command_id", commandId(action, legControlId, attempt));
        byte[] body;
        try {
            body = Json.mapper().writeValueAsBytes(command);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + action, e);
        }
        Map<String, String> headers = headers();
        String last = null;
        for (int attempts = 1; attempts <= ATTEMPTS; attempts++) {
            if (attempts > 1) {
                long pause = backoffMillis * (1L << (attempts - 2));
                if (!http.deadline(until).allows(Duration.ofMillis(pause).plus(Deadlines.TELNYX_CONNECT))) {
                    break;
                }
                pause(pause, what);
            }
            HttpCaller.Response response;
            try {
                response = http.post(uri, headers, body, until);
            } catch (IOException e) {
                last = action + " did not answer: " + e.getClass().getSimpleName();
                continue;
            }
            if (response.ok()) {
                return Answer.ACCEPTED;
            }
            if (response.status() == 429 || response.status() >= 500) {
                last = action + " answered " + response.status();
                continue;
            }
            String code = errorCode(response.body());
            if (response.status() == 422 && ("90034".equals(code) || "90020".equals(code))) {
                return Answer.NOT_ANSWERED_YET;
            }
            if (response.status() == 422 && "90018".equals(code)) {
                return Answer.CALL_ENDED;
            }
            throw TelnyxFailure.rejected("Telnyx refused to " + what,
                    action + " answered " + response.status() + " code " + code);
        }
        throw TelnyxFailure.unavailable("Telnyx is unavailable; could not " + what, last + " (attempts and time spent)");
    }

    private Map<String, String> headers() {
        return Map.of(
                "Authorization", "Bearer " + secrets.current().requireTelnyxApiKey(),
                "Content-Type", "application/json",
                "Accept", "application/json");
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

    private static void pause(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TelnyxFailure.unavailable("Telnyx is unavailable; could not " + what, "interrupted while retrying");
        }
    }
}
