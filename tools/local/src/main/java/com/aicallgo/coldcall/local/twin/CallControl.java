package com.aicallgo.coldcall.local.twin;

import com.aicallgo.coldcall.local.twin.Twin.Answer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The twin's Call Control API: {@code record_start}, {@code transfer} and {@code hangup} on a leg, each checked as
 * Telnyx checks it (client states, enumerations, a call that has ended) and answered with Telnyx's error shapes.
 * Each command runs under its call's lock.
 */
final class CallControl {
    /** Telnyx ignores a command whose {@code command_id} it saw for the same call within this time. */
    static final Duration COMMAND_ID_REMEMBERED = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OK = "{\"data\":{\"result\":\"ok\"}}";
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{7,14}$");

    private final Twin twin;
    /** {@code call_control_id + "\n" + command_id} to when it was first seen. */
    private final Map<String, Instant> commandIds = new ConcurrentHashMap<>();

    CallControl(Twin twin) {
        this.twin = twin;
    }

    /**
     * A Call Control command ({@code POST /v2/calls/{id}/actions/{action}}) on a leg of {@code call}. A
     * {@code command_id} seen for the same call within 60 s is ignored (200, nothing done).
     */
    Answer command(Call call, String callControlId, String action, JsonNode body) {
        JsonNode params = body == null || !body.isObject() ? JSON.createObjectNode() : body;
        String commandId = params.path("command_id").isTextual() ? params.path("command_id").asText() : "";
        synchronized (call) {
            Leg leg = call.leg(callControlId);
            if (!commandId.isEmpty()) {
                Instant now = Instant.now();
                commandIds.values().removeIf(seen -> seen.plus(COMMAND_ID_REMEMBERED).isBefore(now));
                Instant first = commandIds.putIfAbsent(callControlId + "\n" + commandId, now);
                if (first != null) {
                    call.journal("duplicate command ignored", Map.of("command", action, "leg", leg.name,
                            "command_id", commandId));
                    return new Answer(200, OK);
                }
            }
            Answer invalid = checkClientStates(params);
            if (invalid != null) {
                return invalid;
            }
            return switch (action) {
                case "record_start" -> recordStart(call, leg, params);
                case "transfer" -> transfer(call, leg, params);
                case "hangup" -> hangup(call, leg, params);
                case "answer" -> answer(call, leg, params);
                default -> error(422, "99002", "Not modelled by the twin",
                        "The local Telnyx twin does not model the " + action + " command.", null);
            };
        }
    }

    private Answer recordStart(Call call, Leg leg, JsonNode params) {
        if (!leg.alive()) {
            return ended();
        }
        if (leg.answeredAt == null) {
            return notAnswered();
        }
        if (leg.recordingStartedAt == null) {
            leg.recordingStartedAt = Instant.now();
            leg.recordingChannels = params.path("channels").asText("dual");
            call.journal("record_start", Map.of("leg", leg.name));
        }
        return new Answer(200, OK);
    }

    /**
     * {@code transfer} of the parked leg A: a new leg B to {@code to}, with {@code target_leg_client_state} as its
     * state and, with {@code record: "record-from-answer"}, a recording from B's answer. B's outcome is chosen by its
     * number; a failed transfer ends only B, and A stays up for another command.
     */
    private Answer transfer(Call call, Leg leg, JsonNode params) {
        if (!leg.alive()) {
            return ended();
        }
        if (call.flow != Twin.Flow.PARKED || leg != call.a) {
            return error(422, "99003", "Not modelled by the twin",
                    "The twin models transfer of a parked browser leg only (CALL_FLOW=parked).", null);
        }
        Switches.TransferRefused refused = twin.switches().transferRefused();
        if (refused == Switches.TransferRefused.ALWAYS
                || (refused == Switches.TransferRefused.UNTIL_ANSWERED && leg.answeredAt == null)) {
            call.journal("transfer refused", Map.of("transfer_refused", refused.name().toLowerCase(Locale.ROOT)));
            return notAnswered();
        }
        if (call.b != null && call.b.alive()) {
            return error(422, "99001", "Transfer in progress",
                    "The twin takes one transfer at a time: leg " + call.b.controlId + " is still up.", null);
        }
        String to = params.path("to").asText("");
        if (!E164.matcher(to).matches() && !to.startsWith("sip:")) {
            return error(422, "99004", "Invalid value for to", "to must be an E.164 number or a SIP URI.", "/to");
        }
        String from = params.path("from").isTextual() ? params.path("from").asText() : leg.to;
        String record = params.path("record").asText("");
        if (!record.isEmpty() && !record.equals("record-from-answer")) {
            return enumError("/record", "record-from-answer");
        }
        String channels = params.path("record_channels").asText("dual");
        if (!channels.equals("dual") && !channels.equals("single")) {
            return enumError("/record_channels", "dual, single");
        }
        String format = params.path("record_format").asText("mp3");
        if (!format.equals("mp3") && !format.equals("wav")) {
            return enumError("/record_format", "wav, mp3");
        }
        int timeoutSecs = params.path("timeout_secs").asInt(30);
        if (timeoutSecs < 5 || timeoutSecs > 600) {
            return error(422, "99005", "Invalid value for timeout_secs", "timeout_secs must be 5 to 600.", "/timeout_secs");
        }
        if (params.path("client_state").isTextual()) {
            leg.clientState = params.path("client_state").asText();
        }
        String targetState = params.path("target_leg_client_state").isTextual()
                ? params.path("target_leg_client_state").asText() : null;
        Leg b = new Leg("B", leg.sessionId, leg.connectionId, from, to, targetState);
        b.recordFromAnswer = !record.isEmpty();
        b.recordingChannels = channels;
        call.b = b;
        call.transfers.add(b);
        twin.register(b.controlId, call);
        call.journal("transfer", Map.of("to", to, "from", from, "b_call_control_id", b.controlId,
                "record", record.isEmpty() ? "none" : record));
        ObjectNode initiated = b.event("call.initiated", b.startedAt);
        initiated.with("payload").put("direction", "outgoing").put("state", "bridging")
                .put("start_time", b.startedAt.toString());
        call.deliver(initiated, 0);
        TestNumber outcome = TestNumber.of(to);
        long noAnswerAfter = Math.min(Twin.NO_ANSWER_AFTER_MS, timeoutSecs * 1000L);
        switch (outcome) {
            case BUSY -> call.later(Twin.BUSY_AFTER_MS, () -> call.transferFails(b, new Call.Ending("user_busy", "callee", "486")));
            case REJECTED -> call.later(Twin.REJECT_AFTER_MS,
                    () -> call.transferFails(b, new Call.Ending("call_rejected", "callee", "603")));
            case INVALID_NUMBER -> call.later(Twin.NOT_FOUND_AFTER_MS,
                    () -> call.transferFails(b, new Call.Ending("not_found", "callee", "404")));
            case NO_ANSWER -> call.later(noAnswerAfter, () -> call.transferFails(b, new Call.Ending("timeout", "callee", "480")));
            default -> {
                if (Twin.ANSWER_AFTER_MS < timeoutSecs * 1000L) {
                    call.later(Twin.ANSWER_AFTER_MS, () -> call.bAnswers(b));
                } else {
                    call.later(timeoutSecs * 1000L, () -> call.transferFails(b, new Call.Ending("timeout", "callee", "408")));
                }
            }
        }
        Twin.log("INFO", "transfer", Map.of("call_control_id", leg.controlId, "b_call_control_id", b.controlId,
                "test_number", outcome.name().toLowerCase(Locale.ROOT)));
        return new Answer(200, OK);
    }

    /**
     * {@code answer} of the parked browser leg: Telnyx answers the SDK's own INVITE, so the page's call turns active
     * ({@code telnyx_rtc.answer}, with the call control id) and leg A reports {@code call.answered}; a later
     * {@code transfer} bridges the page to its leg B without a second answer. A second {@code answer} changes nothing
     * (INFERRED: 200, as the twin found no Telnyx code for it).
     */
    private Answer answer(Call call, Leg leg, JsonNode params) {
        if (!leg.alive()) {
            return ended();
        }
        if (call.flow != Twin.Flow.PARKED || leg != call.a) {
            return error(422, "99003", "Not modelled by the twin",
                    "The twin models answer of a parked browser leg only (CALL_FLOW=parked).", null);
        }
        if (params.path("client_state").isTextual()) {
            leg.clientState = params.path("client_state").asText();
        }
        if (leg.answeredAt == null) {
            call.journal("answer command", Map.of("leg", leg.name));
            call.answerParked();
        }
        return new Answer(200, OK);
    }

    /**
     * {@code hangup}: the leg ends. On the browser's leg the page gets a BYE carrying the command's
     * {@code custom_headers}; a bridged partner ends with it, an unbridged B is cancelled.
     */
    private Answer hangup(Call call, Leg leg, JsonNode params) {
        if (!leg.alive()) {
            return ended();
        }
        List<Map<String, String>> headers = new ArrayList<>();
        JsonNode custom = params.path("custom_headers");
        if (!custom.isMissingNode() && !custom.isNull()) {
            if (!custom.isArray()) {
                return error(422, "99006", "Invalid value for custom_headers", "custom_headers is a list of {name, value}.",
                        "/custom_headers");
            }
            for (JsonNode header : custom) {
                if (!header.path("name").isTextual() || !header.path("value").isTextual()) {
                    return error(422, "99006", "Invalid value for custom_headers",
                            "custom_headers is a list of {name, value}.", "/custom_headers");
                }
                headers.add(Map.of("name", header.path("name").asText(), "value", header.path("value").asText()));
            }
        }
        if (params.path("client_state").isTextual()) {
            leg.clientState = params.path("client_state").asText();
        }
        call.journal("hangup command", Map.of("leg", leg.name, "custom_headers", headers));
        Call.Ending ending = new Call.Ending("normal_clearing", "callee", "unspecified");
        if (leg == call.a) {
            Call.Bye bye = new Call.Bye("NORMAL_CLEARING", 16, null, null, headers);
            twin.timers().execute(() -> call.end(call.a, ending, bye));
        } else if (leg.answeredAt != null) {
            twin.timers().execute(() -> call.end(leg, ending, new Call.Bye("NORMAL_CLEARING", 16, null, null, List.of())));
        } else {
            twin.timers().execute(() -> call.transferFails(leg, new Call.Ending("originator_cancel", "caller", "487")));
        }
        return new Answer(200, OK);
    }

    private static Answer checkClientStates(JsonNode params) {
        for (String field : List.of("client_state", "target_leg_client_state")) {
            JsonNode value = params.path(field);
            if (value.isMissingNode() || value.isNull()) {
                continue;
            }
            boolean valid = value.isTextual() && !value.asText().contains("\n");
            if (valid) {
                try {
                    Base64.getDecoder().decode(value.asText());
                } catch (IllegalArgumentException e) {
                    valid = false;
                }
            }
            if (!valid) {
                return error(422, "90017", "Invalid client_state", "The client_state must be a valid Base64 string.",
                        "/" + field);
            }
        }
        return null;
    }

    /** 422 {@code 90018}: Telnyx's answer for a call that has ended (a command, or the status of an old call). */
    static Answer ended() {
        return error(422, "90018", "Call has already ended", "This call is no longer active and can't receive commands.",
                null);
    }

    /** 422 {@code 90015}: Telnyx's answer for a call control id it does not know. */
    static Answer unknown() {
        return error(422, "90015", "Invalid Call Control ID", "The call_control_id provided was not valid.",
                "/call_control_id");
    }

    private static Answer notAnswered() {
        return error(422, "90034", "Call not answered yet", "This command can only be sent to an answered call.", null);
    }

    private static Answer enumError(String pointer, String values) {
        return error(422, "10032", "Invalid enumerated value", "The value must be one of: " + values + ".", pointer);
    }

    static Answer error(int status, String code, String title, String detail, String pointer) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("title", title);
        error.put("detail", detail);
        if (pointer != null) {
            error.put("source", Map.of("pointer", pointer));
        }
        try {
            return new Answer(status, JSON.writeValueAsString(Map.of("errors", List.of(error))));
        } catch (IOException e) {
            throw new IllegalStateException("an error always serialises", e);
        }
    }
}
