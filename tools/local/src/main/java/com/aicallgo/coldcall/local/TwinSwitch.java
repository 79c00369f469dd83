package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.aicallgo.coldcall.local.twin.Account;
import com.aicallgo.coldcall.local.twin.PageOverlay;
import com.aicallgo.coldcall.local.twin.Switches;
import com.aicallgo.coldcall.local.twin.Twin;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the Telnyx twin on under {@code start-api} when the env file points both the SDK
 * ({@code TELNYX_RTC_HOST = ws://127.0.0.1:<port>/_local/telnyx/rtc}) and {@code TELNYX_API_BASE} at the runner, and
 * says at start whether it is on.
 */
final class TwinSwitch {
    static final String RTC_HOST = "TELNYX_RTC_HOST";
    /** The same variable the functions read: {@code direct} (default) or {@code parked}. */
    static final String CALL_FLOW = "CALL_FLOW";
    /** How long a recording download link the twin hands out stays valid (Telnyx: 10 minutes). */
    static final String LINK_TTL = "TWIN_LINK_TTL_SECONDS";
    /** {@code true}: the account has public recording URLs, which never expire. */
    static final String PUBLIC_URLS = "TWIN_PUBLIC_RECORDING_URLS";
    private static final Pattern LOCAL_RTC = Pattern.compile("^ws://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?/_local/telnyx/rtc/?$");
    private static final String CALL_STATUS = "CallStatusWebhookFunction";

    private TwinSwitch() {
    }

    /** The running twin, or {@code null} when the env file does not point at it. */
    static Twin startIfOn(LocalFunctions functions, ApiServer server, Map<String, String> env, String host) throws IOException {
        String rtc = env.getOrDefault(RTC_HOST, "");
        String apiBase = env.getOrDefault("TELNYX_API_BASE", "");
        if (!LOCAL_RTC.matcher(rtc).matches() || !apiBase.startsWith(server.base() + StandIns.TELNYX)) {
            System.err.println("  Telnyx twin off: " + (LOCAL_RTC.matcher(rtc).matches()
                    ? "TELNYX_API_BASE does not point at the Telnyx stand-in"
                    : RTC_HOST + " is " + (rtc.isEmpty() ? "unset" : rtc) + ", not ws://127.0.0.1:<port>/_local/telnyx/rtc")
                    + " (the page talks to Telnyx itself)");
            return null;
        }
        String route = functions.template().routes().stream().filter(r -> r.functionId().equals(CALL_STATUS))
                .map(Template.Route::path).findFirst().orElse(null);
        if (route == null) {
            System.err.println("  Telnyx twin off: the template has no route for " + CALL_STATUS);
            return null;
        }
        WebhookSigner signer = DevKeys.signer(functions.root(), env);
        Twin.Flow flow;
        Duration linkTtl;
        try {
            flow = Twin.Flow.of(env.get(CALL_FLOW));
            linkTtl = Duration.ofSeconds(Long.parseLong(env.getOrDefault(LINK_TTL, "600").trim()));
            if (linkTtl.isNegative() || linkTtl.isZero()) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new LocalRunnerException(LINK_TTL + " is '" + env.get(LINK_TTL) + "': a whole number of seconds above 0");
        } catch (IllegalArgumentException e) {
            throw new LocalRunnerException(e.getMessage());
        }
        boolean publicUrls = Boolean.parseBoolean(env.getOrDefault(PUBLIC_URLS, "false").trim());
        Switches switches;
        try {
            switches = Switches.of(env);
        } catch (IllegalArgumentException e) {
            throw new LocalRunnerException(e.getMessage());
        }
        Twin twin = Twin.start(new Twin.Settings(host, apiBase.replaceAll("/+$", ""),
                URI.create(server.base() + route), signer, blankToNull(env.get("TELNYX_SIP_USERNAME")),
                blankToNull(env.get("TELNYX_SIP_PASSWORD")), env.getOrDefault("TELNYX_SIP_CONNECTION_ID", ""), flow,
                linkTtl, publicUrls, switches));
        server.standIns().twin(twin);
        String recordingRoute = functions.template().routes().stream()
                .filter(r -> r.functionId().equals("RecordingWebhookFunction")).map(Template.Route::path).findFirst()
                .orElse(null);
        server.standIns().account(new Account(new Account.Settings(env.get("TELNYX_SIP_API_KEY"),
                env.getOrDefault("TELNYX_SIP_CONNECTION_ID", ""), env.get("TELNYX_SIP_PHONE_NUMBER"), flow,
                twin.webhookUrl(), recordingRoute == null ? null : URI.create(server.base() + recordingRoute))));
        server.pageOverlay(PageOverlay.of(twin));
        System.err.println("  Telnyx twin ON: the page's SDK signals to " + twin.signallingUrl()
                + " (config.js names it), Call Control and recordings at " + apiBase + ", webhooks to " + twin.webhookUrl()
                + (signer == null ? " UNSIGNED (TELNYX_WEBHOOK_PUBLIC_KEY is not the dev key of events/keys)" : " signed with the dev key"));
        System.err.println("  call flow " + flow.name().toLowerCase(java.util.Locale.ROOT) + " (" + CALL_FLOW + "): "
                + (flow == Twin.Flow.PARKED
                        ? "the browser's call is parked (call.initiated state parked) and rings until a transfer or hangup"
                        : "the browser's call is bridged to the number (call.initiated state bridging); record_start records it")
                + "; recording links live " + linkTtl.toSeconds() + " s (" + LINK_TTL + ")"
                + (publicUrls ? ", public recording URLs on" : ""));
        System.err.println("  switches " + switches.describe() + " (" + Switches.EARLY_CALL_ID + ", "
                + Switches.SIGNALLING_LOSS + ", " + Switches.SIGNALLING_GAP + ", " + Switches.TRANSFER_REFUSED
                + "); PATCH " + StandIns.TELNYX + "/twin changes them, DELETE restores them, POST " + StandIns.TELNYX
                + "/twin/signalling/cut drops the page's sockets");
        System.err.println("  account (bin/doctor reads it): a hardened connection, voice profile and number; "
                + "PATCH " + StandIns.TELNYX + "/account changes it, DELETE restores it");
        System.err.println("  test numbers: +1 202 555 0100 answered ... 0110 hang-up webhook before the answer's (README; the page lists them)");
        return twin;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
