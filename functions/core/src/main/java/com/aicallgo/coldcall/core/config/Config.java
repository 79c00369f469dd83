package com.aicallgo.coldcall.core.config;

import com.aicallgo.coldcall.core.PhoneNumber;
import com.aicallgo.coldcall.core.time.Deadlines;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The non-secret settings of every function, read once from the environment.
 *
 * <p>Optional values are {@code null} when unset; the {@code require…} accessors throw a {@link ConfigException}
 * naming the variable, and each handler calls the ones it needs from its constructor, so a missing value stops
 * the function at start.
 */
public record Config(
        String stage,
        String sipConnectionId,
        String sipPhoneNumber,
        String sipCredentialId,
        String secretId,
        CredentialsMode credentialsMode,
        String webBackendUrl,
        String redisUrl,
        boolean redisCluster,
        String telnyxApiBase,
        String businessId,
        boolean autoRecord,
        boolean verifyWebhooks,
        Duration callStateTtl,
        Duration secretsTtl,
        Duration webBackendTimeout,
        Duration answerWait,
        Duration outboxMaxAge,
        Duration reconcileAfter,
        boolean parkedFlow,
        Duration connectTimeout,
        Duration staleCallAfter,
        Duration recordingLinkMaxAge,
        String functionName,
        Aws aws) {

    /**
     * What Lambda (or the runner, or a test) tells the AWS SDK: region, an endpoint override (a local AWS), and keys
     * when the environment has them. The keys never appear in {@link #toString()}.
     */
    public record Aws(String region, String secretsManagerEndpoint, String accessKeyId, String secretAccessKey,
            String sessionToken, boolean containerCredentials) {
        static Aws fromEnv(Map<String, String> env) {
            String region = value(env, "AWS_REGION", value(env, "AWS_DEFAULT_REGION", "us-east-1"));
            String endpoint = value(env, "AWS_ENDPOINT_URL_SECRETS_MANAGER", value(env, "AWS_ENDPOINT_URL", null));
            // under SnapStart Lambda sets no keys in the environment but serves them from a local endpoint
            boolean container = value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI", null) != null
                    || value(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", null) != null;
            return new Aws(region, endpoint, value(env, "AWS_ACCESS_KEY_ID", null),
                    value(env, "AWS_SECRET_ACCESS_KEY", null), value(env, "AWS_SESSION_TOKEN", null), container);
        }

        @Override
        public String toString() {
            return "Aws[region=" + region + ", secretsManagerEndpoint=" + secretsManagerEndpoint + ", keys="
                    + (accessKeyId != null ? "from the environment"
                            : containerCredentials ? "from the container endpoint" : "default chain") + "]";
        }
    }

    public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
    public static final String DEFAULT_TELNYX_API_BASE = "https://api.telnyx.com";
    public static final long DEFAULT_CALL_STATE_TTL_SECONDS = 86_400;
    public static final long DEFAULT_SECRETS_TTL_SECONDS = 300;
    public static final long DEFAULT_WEB_BACKEND_TIMEOUT_MS = 1_200;
    public static final long DEFAULT_ANSWER_WAIT_SECONDS = 3;
    public static final long DEFAULT_OUTBOX_MAX_AGE_HOURS = 72;
    public static final long DEFAULT_RECONCILE_AFTER_MINUTES = 3;
    /** Telnyx's transfer default ({@code timeout_secs}: 5 to 600, default 30). */
    public static final long DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;
    /**
     * A little over the longest call Telnyx allows: {@code time_limit_secs} defaults to and is at most 14,400 s (4 h)
     * from the answer, plus the longest ringing ({@code timeout_secs} at most 600 s) and a margin.
     */
    public static final long DEFAULT_STALE_CALL_AFTER_MINUTES = 255;
    /** Telnyx's {@code recording_urls} live 10 minutes: a link older than this is read again before it is posted. */
    public static final long DEFAULT_RECORDING_LINK_MAX_AGE_SECONDS = 300;
    /** How long Telnyx's download links are valid (docs/contracts.md "Telnyx webhooks"). */
    public static final Duration RECORDING_LINK_LIFETIME = Duration.ofMinutes(10);

    /**
     * Every environment variable of ours this record reads (the template's tests check each is declared); it also
     * reads those Lambda sets ({@code AWS_LAMBDA_FUNCTION_NAME}, {@code AWS_REGION}, keys) and the SDK's endpoint
     * overrides ({@code AWS_ENDPOINT_URL_SECRETS_MANAGER}, {@code AWS_ENDPOINT_URL}).
     */
    public static final List<String> VARIABLES = List.of(
            "STAGE", "TELNYX_SIP_CONNECTION_ID", "TELNYX_SIP_PHONE_NUMBER", "TELNYX_SIP_CREDENTIAL_ID",
            "TELNYX_SIP_SECRET_ID", "CREDENTIALS_MODE", "WEB_BACKEND_URL", "REDIS_URL", "REDIS_CLUSTER",
            "TELNYX_API_BASE", "COLD_CALL_BUSINESS_ID", "AUTO_RECORD", "TELNYX_WEBHOOK_VERIFY",
            "CALL_STATE_TTL_SECONDS", "SECRETS_TTL_SECONDS", "WEB_BACKEND_TIMEOUT_MS", "ANSWER_WAIT_SECONDS",
            "OUTBOX_MAX_AGE_HOURS", "RECONCILE_AFTER_MINUTES", "CALL_FLOW", "CONNECT_TIMEOUT_SECONDS",
            "STALE_CALL_AFTER_MINUTES", "RECORDING_LINK_MAX_AGE_SECONDS", "MAX_CALL_MINUTES",
            "DIAL_ALLOWED_PREFIXES", "DIAL_DENIED_PREFIXES", "DIAL_MAX_CONCURRENT_PER_REP", "DIAL_MAX_PER_REP_PER_HOUR",
            "DIAL_MAX_PER_MINUTE");

    /** The secret keys; each may also be an environment variable of the same name for local work. */
    public static final List<String> SECRET_KEYS = List.of(
            "TELNYX_SIP_API_KEY", "TELNYX_SIP_USERNAME", "TELNYX_SIP_PASSWORD", "TELNYX_WEBHOOK_PUBLIC_KEY",
            "INTERNAL_API_KEY", "INTERNAL_API_KEYS", "WEB_BACKEND_API_KEY", "REDIS_USERNAME", "REDIS_PASSWORD",
            "CLIENT_STATE_KEY");

    private static final Map<String, String> RENAMED = Map.of(
            "TELNYX_COLD_CALL_CONNECTION_ID", "TELNYX_SIP_CONNECTION_ID",
            "TELNYX_COLD_CALL_PHONE_NUMBER", "TELNYX_SIP_PHONE_NUMBER",
            "TELNYX_COLD_CALL_CREDENTIAL_ID", "TELNYX_SIP_CREDENTIAL_ID",
            "TELNYX_COLD_CALL_SECRET_ID", "TELNYX_SIP_SECRET_ID",
            "TELNYX_COLD_CALL_API_KEY", "TELNYX_SIP_API_KEY",
            "TELNYX_COLD_CALL_USERNAME", "TELNYX_SIP_USERNAME",
            "TELNYX_COLD_CALL_PASSWORD", "TELNYX_SIP_PASSWORD");

    /**
     * Reads and validates the settings.
     *
     * @throws ConfigException listing every malformed or renamed variable at once
     */
    public static Config fromEnv(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        RENAMED.forEach((old, replacement) -> {
            if (env.containsKey(old)) {
                problems.add(old + " is no longer read: set " + replacement + " instead");
            }
        });
        env.keySet().stream()
                .filter(name -> name.startsWith("TELNYX_COLD_CALL_") && !RENAMED.containsKey(name))
                .forEach(name -> problems.add(name + " is no longer read: use the TELNYX_SIP_* name"));

        String stage = value(env, "STAGE", "dev").toLowerCase(Locale.ROOT);
        if (!stage.equals("dev") && !stage.equals("prod")) {
            problems.add("STAGE must be dev or prod");
        }
        CredentialsMode mode = CredentialsMode.of(value(env, "CREDENTIALS_MODE", CredentialsMode.REP.setting()));
        if (mode == null) {
            problems.add("CREDENTIALS_MODE must be rep, token or password");
            mode = CredentialsMode.REP;
        }
        boolean verify = flag(env, "TELNYX_WEBHOOK_VERIFY", true, problems);
        if (!verify && stage.equals("prod")) {
            problems.add("TELNYX_WEBHOOK_VERIFY=false is refused when STAGE=prod");
        }
        String credentialId = value(env, "TELNYX_SIP_CREDENTIAL_ID", null);
        if (mode == CredentialsMode.TOKEN && credentialId == null) {
            problems.add("CREDENTIALS_MODE=token needs TELNYX_SIP_CREDENTIAL_ID");
        }
        String redisUrl = value(env, "REDIS_URL", DEFAULT_REDIS_URL);
        if (!redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
            problems.add("REDIS_URL must start with redis:// or rediss://");
        }
        String webBackendUrl = httpUrl(env, "WEB_BACKEND_URL", null, problems);
        String flow = value(env, "CALL_FLOW", "direct").toLowerCase(Locale.ROOT);
        if (!flow.equals("direct") && !flow.equals("parked")) {
            problems.add("CALL_FLOW must be direct or parked");
        }
        Duration connectTimeout = seconds(env, "CONNECT_TIMEOUT_SECONDS", DEFAULT_CONNECT_TIMEOUT_SECONDS, problems);
        if (connectTimeout.toSeconds() < 5 || connectTimeout.toSeconds() > 600) {
            problems.add("CONNECT_TIMEOUT_SECONDS must be 5 to 600 (Telnyx's transfer timeout_secs)");
        }
        Duration linkMaxAge = seconds(env, "RECORDING_LINK_MAX_AGE_SECONDS", DEFAULT_RECORDING_LINK_MAX_AGE_SECONDS,
                problems);
        if (linkMaxAge.compareTo(RECORDING_LINK_LIFETIME.minusMinutes(1)) > 0) {
            problems.add("RECORDING_LINK_MAX_AGE_SECONDS must be at most 540: Telnyx's links live 10 minutes");
        }
        String telnyxApiBase = httpUrl(env, "TELNYX_API_BASE", DEFAULT_TELNYX_API_BASE, problems);

        Config config = new Config(
                stage,
                value(env, "TELNYX_SIP_CONNECTION_ID", null),
                value(env, "TELNYX_SIP_PHONE_NUMBER", null),
                credentialId,
                value(env, "TELNYX_SIP_SECRET_ID", null),
                mode,
                webBackendUrl,
                redisUrl,
                flag(env, "REDIS_CLUSTER", false, problems),
                telnyxApiBase,
                value(env, "COLD_CALL_BUSINESS_ID", null),
                flag(env, "AUTO_RECORD", true, problems),
                verify,
                seconds(env, "CALL_STATE_TTL_SECONDS", DEFAULT_CALL_STATE_TTL_SECONDS, problems),
                seconds(env, "SECRETS_TTL_SECONDS", DEFAULT_SECRETS_TTL_SECONDS, problems),
                Duration.ofMillis(number(env, "WEB_BACKEND_TIMEOUT_MS", DEFAULT_WEB_BACKEND_TIMEOUT_MS, problems)),
                seconds(env, "ANSWER_WAIT_SECONDS", DEFAULT_ANSWER_WAIT_SECONDS, problems),
                Duration.ofHours(number(env, "OUTBOX_MAX_AGE_HOURS", DEFAULT_OUTBOX_MAX_AGE_HOURS, problems)),
                Duration.ofMinutes(number(env, "RECONCILE_AFTER_MINUTES", DEFAULT_RECONCILE_AFTER_MINUTES, problems)),
                flow.equals("parked"),
                connectTimeout,
                Duration.ofMinutes(number(env, "STALE_CALL_AFTER_MINUTES", DEFAULT_STALE_CALL_AFTER_MINUTES, problems)),
                linkMaxAge,
                value(env, "AWS_LAMBDA_FUNCTION_NAME", null),
                Aws.fromEnv(env));
        Duration longest = Deadlines.longestWorkUnderClaim(config.webBackendTimeout());
        if (longest.compareTo(Deadlines.CLAIM_HOLD) >= 0) {
            long most = Deadlines.CLAIM_HOLD.minus(Deadlines.SETTLE_RESERVE).toMillis() - 1;
            problems.add("WEB_BACKEND_TIMEOUT_MS must be at most " + most + ": a post and the write recording it must"
                    + " end before a delivery's claim (lease " + Deadlines.CLAIM_LEASE.toSeconds() + " s, less "
                    + Deadlines.CLAIM_MARGIN.toSeconds() + " s) can be taken over");
        }
        if (config.sipPhoneNumber != null && PhoneNumber.parse(config.sipPhoneNumber) == null) {
            problems.add("TELNYX_SIP_PHONE_NUMBER must be E.164 (+ and 8 to 15 digits)");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("Invalid configuration: " + String.join("; ", problems));
        }
        return config;
    }

    public boolean prod() {
        return stage.equals("prod");
    }

    public String requireConnectionId() {
        return require(sipConnectionId, "TELNYX_SIP_CONNECTION_ID");
    }

    public String requirePhoneNumber() {
        return require(sipPhoneNumber, "TELNYX_SIP_PHONE_NUMBER");
    }

    public String requireWebBackendUrl() {
        return require(webBackendUrl, "WEB_BACKEND_URL");
    }

    public String requireBusinessId() {
        return require(businessId, "COLD_CALL_BUSINESS_ID");
    }

    private static String require(String value, String name) {
        if (value == null) {
            throw new ConfigException(name + " is required and not set");
        }
        return value;
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static boolean flag(Map<String, String> env, String name, boolean fallback, List<String> problems) {
        String value = value(env, name, null);
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> {
                problems.add(name + " must be true or false");
                yield fallback;
            }
        };
    }

    private static long number(Map<String, String> env, String name, long fallback, List<String> problems) {
        String value = value(env, name, null);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + " must be a positive whole number");
        return fallback;
    }

    private static Duration seconds(Map<String, String> env, String name, long fallback, List<String> problems) {
        return Duration.ofSeconds(number(env, name, fallback, problems));
    }

    private static String httpUrl(Map<String, String> env, String name, String fallback, List<String> problems) {
        String value = value(env, name, fallback);
        if (value == null) {
            return null;
        }
        try {
            URI uri = URI.create(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        problems.add(name + " must be an http(s) URL");
        return fallback;
    }
}
