package com.aicallgo.coldcall.doctor;

import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the doctor checks the account against, each from the first place that has it: a flag, the environment (the
 * variable the functions read), the stack ({@code --stack-name}: its parameters, outputs and secret).
 *
 * @param sources where each input came from, by its variable name, for the report's header
 */
record Inputs(String apiKey, String connectionId, String phoneNumber, String callFlow, List<String> allowed,
        String callStatusUrl, String recordingUrl, String apiBase, BigDecimal maxRate, boolean json,
        Map<String, String> sources) {
    static final String DEFAULT_API_BASE = "https://api.telnyx.com";
    static final BigDecimal DEFAULT_MAX_RATE = new BigDecimal("0.25");
    static final String USAGE = """
            usage: bin/doctor [--stack-name NAME [--region REGION]] [--connection-id ID] [--phone-number E164]
                              [--call-flow direct|parked] [--allowed +1,+44] [--call-status-url URL]
                              [--recording-url URL] [--telnyx-api-base URL] [--max-rate USD] [--json]
            Reads the Telnyx account (credential connection, outbound voice profile, caller-ID number) with the
            deploy's API key and prints one line per check: ok, warn or FAIL, what it found, and the fix.
            Each input comes from its flag, else the environment, else the stack (--stack-name):
              API key          TELNYX_SIP_API_KEY, else the stack secret's TELNYX_SIP_API_KEY (never on the command line)
              connection       --connection-id, TELNYX_SIP_CONNECTION_ID, the stack's SipConnectionId
              caller ID        --phone-number, TELNYX_SIP_PHONE_NUMBER, the stack's SipPhoneNumber
              call flow        --call-flow, CALL_FLOW, the stack's CallFlow (default direct)
              destinations     --allowed, DIAL_ALLOWED_PREFIXES (default: the caller ID's country code, as
                               the functions' own default)
              webhook URLs     --call-status-url / --recording-url, the stack's CallStatusWebhookUrl / RecordingWebhookUrl
              Telnyx API       --telnyx-api-base, TELNYX_API_BASE (default https://api.telnyx.com)
            Exit status: 0 when nothing FAILs (warnings allowed), 1 when a check FAILs, 2 when an input is missing.""";
    private static final List<String> VALUED = List.of("--stack-name", "--region", "--connection-id", "--phone-number",
            "--call-flow", "--allowed", "--call-status-url", "--recording-url", "--telnyx-api-base", "--max-rate");

    @Override
    public String toString() {
        return "Inputs[apiKey=***, connectionId=" + connectionId + ", phoneNumber=" + phoneNumber + ", callFlow=" + callFlow
                + ", allowed=" + allowed + ", callStatusUrl=" + callStatusUrl + ", recordingUrl=" + recordingUrl
                + ", apiBase=" + apiBase + "]";
    }

    /**
     * The inputs from the command line, the environment and, with {@code --stack-name}, the stack.
     *
     * @throws IllegalArgumentException saying which input is missing or malformed, and where to give it
     */
    static Inputs resolve(String[] args, Map<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>();
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--json")) {
                json = true;
            } else if (VALUED.contains(arg) && i + 1 < args.length) {
                flags.put(arg, args[++i]);
            } else if (arg.equals("--api-key") || arg.startsWith("--api-key=")) {
                throw new IllegalArgumentException("the API key is never taken on the command line (it would land in"
                        + " the shell's history): export TELNYX_SIP_API_KEY, or give --stack-name");
            } else {
                throw new IllegalArgumentException("unknown or incomplete argument '" + arg + "'");
            }
        }
        Map<String, String> sources = new LinkedHashMap<>();
        Stack.Facts stack = null;
        Stack reader = null;
        String stackName = flags.get("--stack-name");
        if (stackName != null) {
            reader = new Stack(stackName, flags.get("--region"), env);
            stack = reader.describe();
        }
        String connection = pick("TELNYX_SIP_CONNECTION_ID", flags.get("--connection-id"), env,
                stack == null ? null : stack.parameters().get("SipConnectionId"), sources);
        String phone = pick("TELNYX_SIP_PHONE_NUMBER", flags.get("--phone-number"), env,
                stack == null ? null : stack.parameters().get("SipPhoneNumber"), sources);
        String flow = pick("CALL_FLOW", flags.get("--call-flow"), env,
                stack == null ? null : stack.parameters().get("CallFlow"), sources);
        String allowedSetting = pick("DIAL_ALLOWED_PREFIXES", flags.get("--allowed"), env, null, sources);
        String callStatus = pick("CallStatusWebhookUrl", flags.get("--call-status-url"), Map.of(),
                stack == null ? null : stack.outputs().get("CallStatusWebhookUrl"), sources);
        String recording = pick("RecordingWebhookUrl", flags.get("--recording-url"), Map.of(),
                stack == null ? null : stack.outputs().get("RecordingWebhookUrl"), sources);
        String base = pick("TELNYX_API_BASE", flags.get("--telnyx-api-base"), env, null, sources);

        String apiKey = blankToNull(env.get("TELNYX_SIP_API_KEY"));
        if (apiKey != null) {
            sources.put("TELNYX_SIP_API_KEY", "the environment");
        } else if (stack != null && stack.outputs().get("SecretArn") != null) {
            apiKey = reader.apiKey(stack.outputs().get("SecretArn"));
            sources.put("TELNYX_SIP_API_KEY", "the stack's secret");
        }
        List<String> missing = new ArrayList<>();
        if (apiKey == null) {
            missing.add("the API key (export TELNYX_SIP_API_KEY, or --stack-name whose secret has it)");
        }
        if (connection == null) {
            missing.add("the credential connection's id (--connection-id, TELNYX_SIP_CONNECTION_ID or --stack-name)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing " + String.join("; ", missing));
        }
        String callFlow = flow == null ? "direct" : flow.trim().toLowerCase(Locale.ROOT);
        if (!callFlow.equals("direct") && !callFlow.equals("parked")) {
            throw new IllegalArgumentException("CALL_FLOW is '" + flow + "': it takes direct or parked");
        }
        for (String url : new String[] {callStatus, recording, base}) {
            if (url != null && !valid(url)) {
                throw new IllegalArgumentException("'" + url + "' is not an http(s) URL");
            }
        }
        BigDecimal maxRate = DEFAULT_MAX_RATE;
        if (flags.containsKey("--max-rate")) {
            try {
                maxRate = new BigDecimal(flags.get("--max-rate").trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--max-rate takes USD per minute, e.g. 0.25");
            }
        }
        return new Inputs(apiKey, connection.trim(), phone == null ? null : phone.trim(), callFlow,
                Destinations.allowed(allowedSetting, phone), callStatus, recording, base == null ? DEFAULT_API_BASE : base,
                maxRate, json, java.util.Collections.unmodifiableMap(sources));
    }

    private static String pick(String name, String flag, Map<String, String> env, String stack, Map<String, String> sources) {
        if (blankToNull(flag) != null) {
            sources.put(name, "the command line");
            return flag.trim();
        }
        if (blankToNull(env.get(name)) != null) {
            sources.put(name, "the environment");
            return env.get(name).trim();
        }
        if (blankToNull(stack) != null) {
            sources.put(name, "the stack");
            return stack.trim();
        }
        return null;
    }

    private static boolean valid(String url) {
        try {
            URI uri = URI.create(url);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
