package com.aicallgo.coldcall.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The checks of the live account, in the order a deployment sets it up: the credential connection (webhooks,
 * parking, its voice profile), the outbound voice profile (the toll-fraud limits), the caller-ID number. A read that
 * fails becomes a FAIL naming the fix, and the checks that needed it are left out.
 */
final class AccountChecks {
    private static final String CONNECTIONS = "portal: Voice -> SIP Connections -> ";
    private static final String PROFILES = "portal: Voice -> Outbound Voice Profiles -> ";

    private final Inputs in;
    private final TelnyxApi api;
    private final List<Check> checks = new ArrayList<>();

    private AccountChecks(Inputs in, TelnyxApi api) {
        this.in = in;
        this.api = api;
    }

    static List<Check> run(Inputs in, TelnyxApi api) {
        AccountChecks run = new AccountChecks(in, api);
        run.all();
        return List.copyOf(run.checks);
    }

    private void all() {
        JsonNode connection;
        try {
            connection = api.credentialConnection(in.connectionId());
        } catch (TelnyxApi.Failure failure) {
            if (failure.status() != 404) {
                checks.add(Check.fail(failure.status() == 0 ? "Telnyx API" : "API key", failure.found(), failure.fix()));
                return; // nothing else can be read
            }
            checks.add(Check.ok("API key", "Telnyx accepted it"));
            checks.add(Check.fail("credential connection", failure.found(), "give the connection's id as "
                    + "TELNYX_SIP_CONNECTION_ID (the stack's SipConnectionId); " + CONNECTIONS + "the connection's id"));
            callerId(null);
            return;
        }
        checks.add(Check.ok("API key", "Telnyx accepted it"));
        String name = connection.path("connection_name").asText(in.connectionId());
        String patch = "PATCH /v2/credential_connections/" + in.connectionId() + " ";
        String where = CONNECTIONS + name;
        if (connection.path("active").asBoolean(true)) {
            checks.add(Check.ok("credential connection", "'" + name + "' (" + in.connectionId() + "), active"));
        } else {
            checks.add(Check.fail("credential connection", "'" + name + "' (" + in.connectionId()
                    + ") is inactive: its calls are refused", where + " -> Active on; or " + patch + "{\"active\": true}"));
        }
        webhooks(connection, where, patch);
        parking(connection, where, patch);
        String profileId = text(connection.path("outbound").path("outbound_voice_profile_id"));
        if (profileId == null) {
            checks.add(Check.fail("outbound voice profile", "none on the connection: its outbound calls fail, and no"
                    + " destination, spend or concurrency limit applies", where + " -> Outbound -> Outbound Voice"
                    + " Profile; or " + patch + "{\"outbound\": {\"outbound_voice_profile_id\": \"<profile id>\"}}"));
        } else {
            profile(profileId);
        }
        callerId(in.connectionId());
    }

    private void webhooks(JsonNode connection, String where, String patch) {
        String url = text(connection.path("webhook_event_url"));
        String expected = in.callStatusUrl();
        String fixUrl = where + " -> Webhook URL; or " + patch + "{\"webhook_event_url\": \"" + expected + "\"}";
        if (expected == null) {
            checks.add(Check.warn("webhook URL", (url == null ? "none" : url) + "; not compared with the stack's",
                    "give --stack-name, or --call-status-url with the stack's CallStatusWebhookUrl output"));
        } else if (same(url, expected)) {
            checks.add(Check.ok("webhook URL", url + " (the stack's CallStatusWebhookUrl)"));
        } else if (same(url, in.recordingUrl())) {
            checks.add(Check.warn("webhook URL", url + " is the stack's RecordingWebhookUrl: it takes every event,"
                    + " but the failover should be the other route", fixUrl));
        } else {
            checks.add(Check.fail("webhook URL", (url == null ? "none" : url) + ", not the stack's CallStatusWebhookUrl "
                    + expected + ": the calls' events go elsewhere, so no call log and no recording", fixUrl));
        }

        String version = connection.path("webhook_api_version").asText("1");
        if (version.equals("2")) {
            checks.add(Check.ok("webhook API version", "2"));
        } else {
            checks.add(Check.fail("webhook API version", version + ": the functions read API v2 events only",
                    where + " -> Webhook API Version v2; or " + patch + "{\"webhook_api_version\": \"2\"}"));
        }

        String failover = text(connection.path("webhook_event_failover_url"));
        String wanted = in.recordingUrl();
        String fixFailover = where + " -> Webhook Failover URL; or " + patch + "{\"webhook_event_failover_url\": \""
                + (wanted == null ? "<the stack's RecordingWebhookUrl>" : wanted) + "\"}";
        if (failover == null) {
            checks.add(Check.fail("failover URL", "none: an event the webhook URL does not take has nowhere else to go",
                    fixFailover));
        } else if (wanted == null) {
            checks.add(Check.warn("failover URL", failover + "; not compared with the stack's",
                    "give --stack-name, or --recording-url with the stack's RecordingWebhookUrl output"));
        } else if (same(failover, wanted)) {
            checks.add(Check.ok("failover URL", failover + " (the stack's RecordingWebhookUrl)"));
        } else if (same(failover, url)) {
            checks.add(Check.warn("failover URL", "the webhook URL itself: no failover in effect", fixFailover));
        } else if (same(failover, in.callStatusUrl())) {
            checks.add(Check.ok("failover URL", failover + " (the stack's CallStatusWebhookUrl)"));
        } else {
            checks.add(Check.fail("failover URL", failover + ", not one of the stack's webhook URLs: events go there"
                    + " when ours fails", fixFailover));
        }
    }

    private void parking(JsonNode connection, String where, String patch) {
        boolean parked = connection.path("outbound").path("call_parking_enabled").asBoolean(false);
        boolean wanted = in.callFlow().equals("parked");
        if (parked == wanted) {
            checks.add(Check.ok("Park Outbound Calls", (parked ? "on" : "off") + ", as CALL_FLOW=" + in.callFlow() + " needs"));
            return;
        }
        String found = parked
                ? "on, but CALL_FLOW is direct: every call stays parked and the browser rings until it gives up"
                : "off, but CALL_FLOW is parked: Telnyx bridges each call itself, past the transfer the parked flow"
                        + " connects and records with";
        checks.add(Check.fail("Park Outbound Calls", found, where + " -> Outbound -> Park Outbound Calls "
                + (parked ? "off" : "on") + "; or " + patch + "{\"outbound\": {\"call_parking_enabled\": " + !parked
                + "}}; or deploy with CallFlow=" + (parked ? "parked" : "direct")));
    }

    private void profile(String id) {
        JsonNode profile;
        try {
            profile = api.outboundVoiceProfile(id);
        } catch (TelnyxApi.Failure failure) {
            checks.add(Check.fail("outbound voice profile", failure.found(), failure.status() == 404
                    ? "attach an existing profile to the connection (" + CONNECTIONS + "<connection> -> Outbound)"
                    : failure.fix()));
            return;
        }
        String name = profile.path("name").asText(id);
        String where = PROFILES + name;
        String patch = "PATCH /v2/outbound_voice_profiles/" + id + " ";
        if (profile.path("enabled").asBoolean(true)) {
            checks.add(Check.ok("outbound voice profile", "'" + name + "' (" + id + "), enabled, traffic type "
                    + profile.path("traffic_type").asText("unknown")));
        } else {
            checks.add(Check.fail("outbound voice profile", "'" + name + "' (" + id + ") is disabled: every outbound"
                    + " call is blocked", where + " -> Enabled; or " + patch + "{\"enabled\": true}"));
        }
        destinations(profile.path("whitelisted_destinations"), where, patch);
        rate(profile.path("max_destination_rate"), where, patch);
        spend(profile, where, patch);
        concurrency(profile.path("concurrent_call_limit"), where, patch);
    }

    private void destinations(JsonNode listed, String where, String patch) {
        String allowed = String.join(", ", in.allowed());
        if (!listed.isArray()) {
            checks.add(Check.warn("whitelisted destinations", "not in the answer, so not checked",
                    where + " -> Destinations: list only the countries of " + allowed));
            return;
        }
        if (listed.isEmpty()) {
            checks.add(Check.warn("whitelisted destinations", "none: no call can go out",
                    where + " -> Destinations: the countries of " + allowed));
            return;
        }
        List<String> kept = new ArrayList<>();
        List<String> outside = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (JsonNode entry : listed) {
            String country = entry.asText("");
            all.add(country);
            if (country.equals("*")) {
                outside.add("* (every country)");
                continue;
            }
            switch (Destinations.check(country, in.allowed())) {
                case Destinations.Verdict.Within within -> kept.add(country);
                case Destinations.Verdict.Outside why -> outside.add(country + " (" + why.why() + ")");
            }
        }
        if (outside.isEmpty()) {
            List<String> unreached = in.allowed().stream().filter(p -> !Destinations.reaches(p, all)).toList();
            if (unreached.isEmpty()) {
                checks.add(Check.ok("whitelisted destinations", String.join(", ", all) + ": within the allowed prefixes "
                        + allowed));
            } else {
                checks.add(Check.warn("whitelisted destinations", String.join(", ", all) + " lists no country of "
                        + String.join(", ", unreached) + ", which DIAL_ALLOWED_PREFIXES allows: Telnyx refuses those calls",
                        where + " -> Destinations: add the country; or drop the prefix from DIAL_ALLOWED_PREFIXES"));
            }
            return;
        }
        checks.add(Check.fail("whitelisted destinations", String.join(", ", all) + " lists " + String.join("; ", outside)
                + ": a stolen login could call there at our cost", where + " -> Destinations: remove them; or " + patch
                + "{\"whitelisted_destinations\": [" + String.join(", ", kept.stream().map(c -> "\"" + c + "\"").toList())
                + "]}; or, to call them, add their prefixes to DIAL_ALLOWED_PREFIXES"));
    }

    private void rate(JsonNode value, String where, String patch) {
        BigDecimal rate = decimal(value);
        String fix = where + " -> Max Destination Rate; or " + patch + "{\"max_destination_rate\": " + in.maxRate() + "}";
        if (rate == null) {
            checks.add(Check.fail("max destination rate", "not set: a destination at any per-minute rate, premium"
                    + " ones included, can be called", fix));
        } else if (rate.compareTo(in.maxRate()) > 0) {
            checks.add(Check.warn("max destination rate", rate.toPlainString() + " USD/min, above "
                    + in.maxRate().toPlainString() + " (--max-rate)", fix));
        } else {
            checks.add(Check.ok("max destination rate", rate.toPlainString() + " USD/min"));
        }
    }

    private void spend(JsonNode profile, String where, String patch) {
        boolean enabled = profile.path("daily_spend_limit_enabled").asBoolean(false);
        BigDecimal limit = decimal(profile.path("daily_spend_limit"));
        String fix = where + " -> Daily Spend Limit; or " + patch
                + "{\"daily_spend_limit_enabled\": true, \"daily_spend_limit\": \"50.00\"} (size it to a day's calls)";
        if (!enabled) {
            checks.add(Check.fail("daily spend limit", "not enforced (daily_spend_limit_enabled is false): nothing"
                    + " caps a day's charges", fix));
        } else if (limit == null || limit.signum() <= 0) {
            checks.add(Check.fail("daily spend limit", "enforced but "
                    + (limit == null ? "has no amount" : "is " + limit.toPlainString()), fix));
        } else {
            checks.add(Check.ok("daily spend limit", limit.toPlainString() + " USD a day, enforced"));
        }
    }

    private void concurrency(JsonNode value, String where, String patch) {
        String fix = where + " -> Concurrent Call Limit; or " + patch
                + "{\"concurrent_call_limit\": 10} (the team's reps, times two at most)";
        if (!value.isIntegralNumber()) {
            checks.add(Check.fail("concurrent call limit", "none: the account's whole channel count can be dialled at"
                    + " once", fix));
        } else if (value.asLong() <= 0) {
            checks.add(Check.warn("concurrent call limit", value.asLong() + ": no call can go out", fix));
        } else {
            checks.add(Check.ok("concurrent call limit", Long.toString(value.asLong())));
        }
    }

    /** The caller-ID number: on the account, active, and on {@code connectionId} (null: the connection is unknown). */
    private void callerId(String connectionId) {
        String e164 = in.phoneNumber();
        if (e164 == null) {
            checks.add(Check.fail("caller ID number", "not given", "give TELNYX_SIP_PHONE_NUMBER (the stack's"
                    + " SipPhoneNumber), or --phone-number"));
            return;
        }
        JsonNode found;
        try {
            found = api.phoneNumbers(e164);
        } catch (TelnyxApi.Failure failure) {
            checks.add(Check.fail("caller ID number", failure.found(), failure.fix()));
            return;
        }
        JsonNode number = null;
        for (JsonNode candidate : found) {
            if (e164.equals(candidate.path("phone_number").asText())) {
                number = candidate;
            }
        }
        if (number == null) {
            checks.add(Check.fail("caller ID number", e164 + " is not a number of this account: Telnyx will not"
                    + " present it as caller ID", "buy or port it (portal: Numbers), or give SipPhoneNumber one the"
                    + " account has"));
            return;
        }
        String assigned = text(number.path("connection_id"));
        String status = number.path("status").asText("unknown");
        String patch = "PATCH /v2/phone_numbers/" + number.path("id").asText("<id>") + " ";
        if (connectionId != null && !Objects.equals(assigned, connectionId)) {
            checks.add(Check.fail("caller ID number", e164 + " is " + (assigned == null ? "on no connection"
                    : "on connection " + assigned) + ", not on " + connectionId, "portal: Numbers -> My Numbers -> "
                    + e164 + " -> SIP Connection; or " + patch + "{\"connection_id\": \"" + connectionId + "\"}"));
        } else if (!status.equals("active")) {
            checks.add(Check.fail("caller ID number", e164 + " is " + status + ", not active",
                    "portal: Numbers -> My Numbers -> " + e164 + " (a number being ported or held cannot call out)"));
        } else {
            checks.add(Check.ok("caller ID number", e164 + ", active"
                    + (connectionId == null ? "" : ", on the connection")));
        }
    }

    private static boolean same(String url, String expected) {
        return url != null && expected != null && url.replaceAll("/+$", "").equals(expected.replaceAll("/+$", ""));
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? node.asText().trim() : null;
    }

    private static BigDecimal decimal(JsonNode node) {
        try {
            if (node.isNumber()) {
                return node.decimalValue();
            }
            return node.isTextual() && !node.asText().isBlank() ? new BigDecimal(node.asText().trim()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
