package com.aicallgo.coldcall.core.policy;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallLimits;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Reps;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The call gate (docs/call-policy.md): decides, on the browser leg's {@code call.initiated}, whether a call is ours
 * to act on at all, and whether it may go ahead: the destination policy ({@link DialPolicy}) first, then the rep's
 * and the overall limits ({@link CallLimits}). A refusal is a WARN line and a {@value #BLOCKED_METRIC} metric naming
 * the rule and the rep; the caller hangs the call up (or never connects it).
 */
public final class CallGate {
    public static final String BLOCKED_METRIC = "CallBlocked";
    /** The rep of a call whose SIP login names nobody we know: one shared bucket for the limits. */
    public static final String UNKNOWN_REP = "unknown";

    private final DialPolicy policy;
    private final GateSettings settings;
    private final CallLimits limits;
    private final Reps reps;
    private final Calls calls;
    private final JsonLog log;
    private final Clock clock;

    public CallGate(DialPolicy policy, GateSettings settings, CallLimits limits, Reps reps, Calls calls, JsonLog log,
            Clock clock) {
        this.policy = policy;
        this.settings = settings;
        this.limits = limits;
        this.reps = reps;
        this.calls = calls;
        this.log = log;
        this.clock = clock;
    }

    /**
     * Whether an event of a call's own leg belongs to a call we must not act on: another connection's call, or one
     * that is not the browser's outgoing leg (an inbound call: a prospect calling back). A {@code call.initiated}
     * says so by its {@code direction}; the call is then remembered, so its later events, which do not carry the
     * direction, are ignored too ({@link #ignoredBefore}). Logged at INFO with why.
     */
    public boolean ignores(CallControlId call, WebhookEvent event) {
        WebhookEvent.Payload payload = event.payload();
        String reason = null;
        String connection = payload.connectionId();
        if (settings.connectionId() != null && connection != null && !connection.isBlank()
                && !connection.equals(settings.connectionId())) {
            reason = "another_connection";
        } else if (event.type() == WebhookEvent.Type.CALL_INITIATED && payload.direction() != null
                && !"outgoing".equalsIgnoreCase(payload.direction())) {
            reason = "inbound";
        }
        if (reason == null) {
            return false;
        }
        if (event.type() == WebhookEvent.Type.CALL_INITIATED) {
            calls.markIgnored(call, reason);
        }
        ignored(call, event, reason);
        return true;
    }

    /** Whether an earlier {@code call.initiated} showed the call is not ours ({@link #ignores}); logged when so. */
    public boolean ignoredBefore(CallControlId call, WebhookEvent event) {
        String reason = calls.ignored(call);
        if (reason != null) {
            ignored(call, event, reason);
        }
        return reason != null;
    }

    private void ignored(CallControlId call, WebhookEvent event, String reason) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", call);
        fields.put("event_type", event.eventType());
        fields.put("reason", reason);
        fields.put("direction", String.valueOf(event.payload().direction()));
        fields.put("connection_id", String.valueOf(event.payload().connectionId()));
        log.info("not our call: " + (reason.equals("inbound")
                ? "an inbound call (a callback), not the browser's outgoing leg; nothing done"
                : "a call of another connection; nothing done"), fields);
    }

    /**
     * The rep behind the browser's leg: the rep tag the page sent as the {@value Reps#TAG_HEADER} SIP header, else its
     * SIP login, from {@code from_sip_uri} (set by Telnyx) or a {@code from} on Telnyx's SIP domain, each looked up in
     * {@link Reps}; {@link #UNKNOWN_REP} when nobody is known (a tag we never issued counts for nobody).
     */
    public String rep(WebhookEvent.Payload payload) {
        String tagged = reps.ofTag(payload.header(Reps.TAG_HEADER));
        if (tagged != null && !tagged.isBlank()) {
            return tagged;
        }
        String user = sipUser(payload.fromSipUri());
        if (user == null) {
            user = sipUser(payload.from());
        }
        String rep = user == null ? null : reps.ofSipUser(user);
        return rep == null || rep.isBlank() ? UNKNOWN_REP : rep;
    }

    /** The user part of a {@code sip:} URI on Telnyx's domain (or a subdomain of it), else {@code null}. */
    static String sipUser(String uri) {
        String domain = DialPolicy.sipDomain(uri);
        if (domain == null || !(domain.equals(DialPolicy.TELNYX_SIP_DOMAIN)
                || domain.endsWith("." + DialPolicy.TELNYX_SIP_DOMAIN))) {
            return null;
        }
        String user = uri.trim().replaceFirst("^(?i)sips?:", "");
        user = user.substring(0, user.indexOf('@'));
        return user.isBlank() || user.length() > 128 ? null : user;
    }

    /**
     * The verdict on a new call of {@code rep} to {@code destination}: the policy, then the limits (counted once per
     * call). A refusal is logged (WARN) and counted ({@value #BLOCKED_METRIC}, dimensions {@code rule}, {@code rep}).
     */
    public Verdict admit(CallControlId call, String destination, String callRep) {
        String rep = callRep == null || callRep.isBlank() ? UNKNOWN_REP : callRep;
        Verdict verdict = policy.check(destination);
        if (verdict instanceof Verdict.Allowed) {
            CallLimits.Admission admission = limits.admit(call, rep, new CallLimits.Limits(
                    settings.maxConcurrentPerRep(), settings.maxPerRepPerHour(), settings.maxPerMinute(),
                    settings.longestCall()), clock.instant());
            verdict = switch (admission) {
                case ADMITTED -> verdict;
                case PER_REP_CONCURRENT -> concurrent();
                case PER_REP_HOURLY -> hourly();
                case OVERALL_PER_MINUTE -> perMinute();
            };
        }
        if (verdict instanceof Verdict.Blocked blocked) {
            refused(call, destination, rep, blocked);
        }
        return verdict;
    }

    /**
     * The refusal a call was marked with by an earlier delivery ({@code rule}), with its words again: a destination
     * rule is checked again (the policy is pure), a limit is not counted again.
     */
    public Verdict.Blocked refusal(String rule, String destination) {
        if (policy.check(destination) instanceof Verdict.Blocked blocked && blocked.rule().equals(rule)) {
            return blocked;
        }
        return switch (rule) {
            case "per_rep_concurrent" -> concurrent();
            case "per_rep_hourly" -> hourly();
            case "overall_per_minute" -> perMinute();
            default -> new Verdict.Blocked(rule, "this number cannot be called", false);
        };
    }

    private Verdict.Blocked concurrent() {
        return new Verdict.Blocked("per_rep_concurrent", "you already have " + settings.maxConcurrentPerRep()
                + " call(s) up; end one first", true);
    }

    private Verdict.Blocked hourly() {
        return new Verdict.Blocked("per_rep_hourly", "you reached " + settings.maxPerRepPerHour()
                + " calls in the last hour; wait a little", true);
    }

    private Verdict.Blocked perMinute() {
        return new Verdict.Blocked("overall_per_minute", "the team reached " + settings.maxPerMinute()
                + " calls in the last minute; try again in a minute", true);
    }

    private void refused(CallControlId call, String destination, String rep, Verdict.Blocked blocked) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", call);
        fields.put("rep", rep);
        fields.put("rule", blocked.rule());
        fields.put("to", masked(destination));
        log.warn((blocked.limited() ? "call limited: " : "call blocked: ") + blocked.reason(), fields);
        log.metric(BLOCKED_METRIC, "Count", 1, Map.of("rule", blocked.rule(), "rep", rep),
                Map.of("call_control_id", call));
    }

    /** Frees the call's concurrency slot once it has ended. */
    public void release(CallControlId call, String rep) {
        limits.release(call, rep == null || rep.isBlank() ? UNKNOWN_REP : rep);
    }

    /** The destination for a log line: its first digits (enough to see the range), never a whole prospect number. */
    static String masked(String destination) {
        if (destination == null) {
            return "absent";
        }
        String text = destination.trim();
        if (text.length() > 64) {
            text = text.substring(0, 64);
        }
        if (DialPolicy.sipDomain(text) != null) {
            return text.toLowerCase(Locale.ROOT).startsWith("sips") ? "sips:…" : "sip:…@" + DialPolicy.sipDomain(text);
        }
        return text.length() <= 7 ? text : text.substring(0, 7) + "…";
    }

    /** The rule set the page checks before dialling ({@code GET /dial-policy}). */
    public Map<String, Object> describe() {
        return policy.describe();
    }
}
