package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.aicallgo.coldcall.local.twin.PageOverlay;
import com.aicallgo.coldcall.local.twin.Twin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the Telnyx twin on under {@code start-api} when the env file points both the SDK
 * ({@code TELNYX_RTC_HOST = ws://127.0.0.1:<port>/_local/telnyx/rtc}) and {@code TELNYX_API_BASE} at the runner, and
 * says at start whether it is on.
 */
final class TwinSwitch {
    static final String RTC_HOST = "TELNYX_RTC_HOST";
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
        WebhookSigner signer = null;
        Path seed = functions.root().resolve(LocalRunner.DEV_SEED);
        Path publicKey = functions.root().resolve(LocalRunner.DEV_PUBLIC);
        if (Files.isRegularFile(seed) && Files.isRegularFile(publicKey)
                && Files.readString(publicKey).trim().equals(env.getOrDefault("TELNYX_WEBHOOK_PUBLIC_KEY", "").trim())) {
            signer = WebhookSigner.fromSeed(Files.readString(seed));
        }
        Twin twin = Twin.start(new Twin.Settings(host, apiBase.replaceAll("/+$", ""),
                URI.create(server.base() + route), signer, blankToNull(env.get("TELNYX_SIP_USERNAME")),
                blankToNull(env.get("TELNYX_SIP_PASSWORD")), env.getOrDefault("TELNYX_SIP_CONNECTION_ID", "")));
        server.standIns().twin(twin);
        server.pageOverlay(PageOverlay.of(twin));
        System.err.println("  Telnyx twin ON: the page's SDK signals to " + twin.signallingUrl()
                + " (config.js names it), Call Control and recordings at " + apiBase + ", webhooks to " + twin.webhookUrl()
                + (signer == null ? " UNSIGNED (TELNYX_WEBHOOK_PUBLIC_KEY is not the dev key of events/keys)" : " signed with the dev key"));
        System.err.println("  test numbers: +1 202 555 0100 answered ... 0107 webhooks twice, out of order (README; the page lists them)");
        return twin;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
