package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.core.telnyx.WebhookSigner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The Docker-free local runner, shaped like SAM CLI: {@code invoke} runs one event through a function in-process,
 * {@code start-api} serves the template's routes over HTTP. Both read {@code template.yaml} for the functions,
 * handlers, routes and environment.
 */
public final class LocalRunner {
    static final String USAGE = """
            usage: local invoke <FunctionLogicalId> -e <event.json> [--env-vars <file>] [--template <file>]
                   local start-api [--port 3000] [--host 127.0.0.1] [--drain-every 10] [--env-vars <file>] [--template <file>]
                   local drain [--all] [--env-vars <file>] [--template <file>]
                   local report
              every command also takes --metrics-file <file> (default target/local/metrics.jsonl): where the
              functions' metric lines are kept, and what report reads; --verbose shows them on the console too,
              and every run of the scheduled drain, not only those that moved something
              --like-sam: pass only the variables the template declares, as sam local does (secrets then come
              from the Secrets Manager at AWS_ENDPOINT_URL_SECRETS_MANAGER: bin/local-aws start), and read
              host.docker.internal as 127.0.0.1 (events/sam-env.json)
            """;
    static final Path DEV_SEED = Path.of("events", "keys", "dev-webhook-ed25519.seed");
    static final Path DEV_PUBLIC = Path.of("events", "keys", "dev-webhook-ed25519.pub");
    static final Path SITE = Path.of("static-dialer", "dist");
    static final String DRAIN = "OutboxDrainFunction";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalRunner() {
    }

    public static void main(String[] args) throws Exception {
        try {
            System.exit(run(args, System.out));
        } catch (LocalRunnerException e) {
            System.err.println("local: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Runs a command; returns the exit code. {@code start-api} returns only when the JVM is stopped. */
    static int run(String[] args, PrintStream stdout) throws Exception {
        if (args.length == 0) {
            System.err.print(USAGE);
            return 2;
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--all") || args[i].equals("--like-sam") || args[i].equals("--verbose")) {
                options.put(args[i], "true");
            } else if (args[i].startsWith("-")) {
                if (i + 1 >= args.length) {
                    throw new LocalRunnerException(args[i] + " needs a value\n" + USAGE);
                }
                options.put(args[i].equals("-e") ? "--event" : args[i], args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        Path metrics = Path.of(options.getOrDefault("--metrics-file", Metrics.DEFAULT_FILE.toString()));
        if (args[0].equals("report")) {
            stdout.print(Metrics.report(metrics));
            return 0;
        }
        Path templateFile = Path.of(options.getOrDefault("--template", "template.yaml"));
        if (!Files.isRegularFile(templateFile)) {
            throw new LocalRunnerException("no template at " + templateFile.toAbsolutePath() + " (run from the repository root)");
        }
        Path envVars = options.containsKey("--env-vars") ? Path.of(options.get("--env-vars")) : null;
        if (envVars != null && !Files.isRegularFile(envVars)) {
            throw new LocalRunnerException("no env-vars file at " + envVars);
        }
        // events/keys and static-dialer/ sit beside the template
        Path root = templateFile.toAbsolutePath().normalize().getParent();
        LocalFunctions functions = new LocalFunctions(Template.load(templateFile), envVars, root,
                options.containsKey("--like-sam"));
        // what the functions log goes to stderr (stdout for start-api); their metric lines are kept for report
        PrintStream original = System.out;
        System.setOut(Metrics.tee(args[0].equals("start-api") ? original : System.err, metrics,
                options.containsKey("--verbose")));
        try {
            return switch (args[0]) {
                case "invoke" -> invoke(functions, positional, options, stdout);
                case "start-api" -> startApi(functions, options);
                case "drain" -> drain(functions, options, stdout);
                default -> throw new LocalRunnerException("unknown command " + args[0] + "\n" + USAGE);
            };
        } finally {
            System.setOut(original);
        }
    }

    private static int invoke(LocalFunctions functions, List<String> positional, Map<String, String> options,
            PrintStream stdout) throws IOException {
        if (positional.size() != 1 || !options.containsKey("--event")) {
            throw new LocalRunnerException("invoke needs a function and -e <event.json>\n" + USAGE);
        }
        String functionId = positional.get(0);
        functions.function(functionId);
        Path eventFile = Path.of(options.get("--event"));
        if (!Files.isRegularFile(eventFile)) {
            throw new LocalRunnerException("no event file at " + eventFile);
        }
        // stdout carries only the response, as with sam local invoke
        String running = RunningServer.find(functions.environment(functionId));
        try (ApiServer standIns = new ApiServer(functions, functions.root().resolve(SITE), "127.0.0.1", 0)) {
            if (running != null) {
                System.err.println("local: a runner is serving at " + running + ": the function posts to its stand-ins"
                        + " (GET " + running + StandIns.WEB_BACKEND + ")");
            } else {
                standIns.start();
                functions.useLocalBase(standIns.base());
                System.err.println("local: no runner is serving the stand-ins of the env file: the function posts to"
                        + " this command's own stand-ins, which are gone when it exits (start one with bin/local start-api)");
            }
            Map<String, String> env = functions.environment(functionId);
            checkLikeSam(functions, functionId, env);
            checkRedis(env);
            byte[] event = resign(Files.readAllBytes(eventFile), env, functions.root());
            byte[] response = functions.invoke(functionId, event);
            stdout.write(response);
            stdout.println();
            stdout.flush();
        }
        return 0;
    }

    /**
     * Runs the scheduled function once, as its schedule does on AWS: the stale-call checks, the outbox, then the recording checks (every
     * entry and every check with {@code --all}); prints its report.
     */
    private static int drain(LocalFunctions functions, Map<String, String> options, PrintStream stdout) throws IOException {
        functions.function(DRAIN);
        try (ApiServer standIns = new ApiServer(functions, functions.root().resolve(SITE), "127.0.0.1", 0)) {
            standIns.start();
            functions.useLocalBase(standIns.base());
            checkRedis(functions.environment(DRAIN));
            Object report = functions.invokePlain(DRAIN, Map.of("all", options.containsKey("--all")));
            stdout.println(JSON.writeValueAsString(report));
        }
        return 0;
    }

    /** Under start-api the drain runs on a timer, as the schedule runs it on AWS. */
    private static void drainEvery(LocalFunctions functions, int seconds, boolean verbose) {
        if (seconds <= 0 || !functions.template().functions().containsKey(DRAIN)) {
            return;
        }
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                runnable -> {
                    Thread thread = new Thread(runnable, "outbox-drain");
                    thread.setDaemon(true);
                    return thread;
                });
        timer.scheduleWithFixedDelay(() -> {
            boolean show = verbose;
            if (!verbose) {
                Metrics.hold();
            }
            try {
                show |= moved(JSON.valueToTree(functions.invokePlain(DRAIN, Map.of())));
            } catch (RuntimeException e) {
                show = true;
                System.err.println("local: outbox drain failed: " + e.getMessage());
            } finally {
                Metrics.release(show);
            }
        }, seconds, seconds, java.util.concurrent.TimeUnit.SECONDS);
        System.err.println("  outbox drain every " + seconds + " s (--drain-every 0 turns it off; its lines show when"
                + " it moved something, or always with --verbose)");
    }

    /** Whether a drain report counts anything done: a record posted, requeued or dead-lettered, a check settled. */
    static boolean moved(JsonNode report) {
        if (report == null) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = report.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey().toLowerCase(java.util.Locale.ROOT).replace("_", "");
            JsonNode value = field.getValue();
            if (value.isContainerNode() ? moved(value)
                    : value.isNumber() && value.asDouble() > 0 && !STOCK.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** Report figures that say how much is waiting, not what a run did. */
    private static final Set<String> STOCK = Set.of("backlog", "deadletters", "waiting");

    private static int startApi(LocalFunctions functions, Map<String, String> options) throws Exception {
        int port = Integer.parseInt(options.getOrDefault("--port", "3000"));
        String host = options.getOrDefault("--host", "127.0.0.1");
        Path site = site(functions.root());
        ApiServer server;
        try {
            server = new ApiServer(functions, site, host, port);
        } catch (java.net.BindException e) {
            throw new LocalRunnerException("port " + port + " is in use: pick another with --port");
        }
        functions.useLocalBase(server.base());
        System.err.println("local: serving on http://" + host + ":" + server.port());
        for (Template.Route route : functions.template().routes()) {
            System.err.println("  " + route.method() + " " + route.path() + " -> " + route.functionId());
        }
        System.err.println("  GET / -> " + site + (Files.isDirectory(site) ? "" : " (missing: " + ApiServer.BUILD_PAGE + ")"));
        Map<String, String> sample = functions.environment(functions.template().functions().keySet().iterator().next());
        reportStandIns(sample, server.base());
        TwinSwitch.startIfOn(functions, server, sample, host);
        server.start(); // after the twin, so the first page served already talks to it
        checkLikeSam(functions, functions.template().functions().keySet().iterator().next(), sample);
        checkRedis(sample);
        drainEvery(functions, Integer.parseInt(options.getOrDefault("--drain-every", "10")), options.containsKey("--verbose"));
        new CountDownLatch(1).await();
        return 0;
    }

    /** The built page, {@code static-dialer/dist}; until it is built, {@code /} says how to build it. */
    static Path site(Path root) {
        return root.resolve(SITE).toAbsolutePath().normalize();
    }

    private static void reportStandIns(Map<String, String> env, String base) {
        for (String name : List.of("WEB_BACKEND_URL", "TELNYX_API_BASE")) {
            String value = env.getOrDefault(name, "");
            System.err.println(value.startsWith(base + "/_local/")
                    ? "  stand-in ON: " + name + " = " + value
                    : "  stand-in off: " + name + " points at " + (value.isEmpty() ? "(unset)" : value));
        }
    }

    /**
     * Under {@code --like-sam}: names (never values) the env-file variables SAM would drop, and says how to start
     * the local Secrets Manager when none answers where the functions will look.
     */
    static boolean checkLikeSam(LocalFunctions functions, String functionId, Map<String, String> env) {
        if (!functions.likeSam()) {
            return true;
        }
        Set<String> dropped = functions.undeclared(functionId);
        if (!dropped.isEmpty()) {
            System.err.println("local: --like-sam: not passed, as sam local would not (the template does not declare them): "
                    + String.join(", ", dropped));
        }
        String secretId = env.getOrDefault("TELNYX_SIP_SECRET_ID", "");
        if (secretId.isBlank()) {
            return true;
        }
        String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_SECRETS_MANAGER", env.getOrDefault("AWS_ENDPOINT_URL", ""));
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            System.err.println("local: AWS_ENDPOINT_URL_SECRETS_MANAGER is not a URL: " + endpoint);
            return false;
        }
        if (uri.getHost() == null || !(uri.getHost().equals("127.0.0.1") || uri.getHost().equals("localhost"))) {
            return true; // a real or remote Secrets Manager: nothing local to check
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), 1000);
            return true;
        } catch (IOException e) {
            System.err.println("local: no local Secrets Manager answers at " + uri.getHost() + ":" + port
                    + " (AWS_ENDPOINT_URL_SECRETS_MANAGER), so secret " + secretId + " cannot be read."
                    + " Start one and seed the secret with: bin/local-aws start --port " + port);
            return false;
        }
    }

    /** Says so, with the command that fixes it, when Redis does not answer; never a stack trace. */
    static boolean checkRedis(Map<String, String> env) {
        String url = env.getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            System.err.println("local: REDIS_URL is not a URL");
            return false;
        }
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), 1000);
            socket.setSoTimeout(1000);
            if (url.startsWith("redis://")) {
                OutputStream out = socket.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] answer = new byte[64];
                int read = in.read(answer);
                String text = read > 0 ? new String(answer, 0, read, StandardCharsets.US_ASCII) : "";
                if (!text.startsWith("+PONG") && !text.startsWith("-NOAUTH")) {
                    System.err.println("local: " + uri.getHost() + ":" + port + " answered but not as Redis");
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            System.err.println("local: Redis is not answering at " + uri.getHost() + ":" + port
                    + ". Start it with: bin/redis   (or: redis-server --daemonize yes --port " + port
                    + " --save '' --appendonly no). Functions that keep call state will answer 503 until it is up.");
            return false;
        }
    }

    /**
     * Re-signs a Telnyx webhook event with the current time when the dev key pair of {@code events/keys} is the
     * configured one, so every file in {@code events/} verifies without switching verification off.
     */
    static byte[] resign(byte[] eventJson, Map<String, String> env, Path root) throws IOException {
        Path seed = root.resolve(DEV_SEED);
        Path publicKey = root.resolve(DEV_PUBLIC);
        if (!Files.isRegularFile(seed) || !Files.isRegularFile(publicKey)) {
            return eventJson;
        }
        String devPublic = Files.readString(publicKey).trim();
        if (!devPublic.equals(env.getOrDefault("TELNYX_WEBHOOK_PUBLIC_KEY", "").trim())) {
            return eventJson;
        }
        JsonNode tree = JSON.readTree(eventJson);
        if (!(tree instanceof ObjectNode event) || !(event.get("headers") instanceof ObjectNode headers)) {
            return eventJson;
        }
        String signatureHeader = null;
        String timestampHeader = "telnyx-timestamp";
        for (Iterator<String> names = headers.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equalsIgnoreCase("telnyx-signature-ed25519")) {
                signatureHeader = name;
            } else if (name.equalsIgnoreCase("telnyx-timestamp")) {
                timestampHeader = name;
            }
        }
        if (signatureHeader == null) {
            return eventJson;
        }
        String text = event.path("body").asText("");
        byte[] body = event.path("isBase64Encoded").asBoolean(false)
                ? Base64.getMimeDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        byte[] restamped = restamp(body, java.time.Instant.now());
        if (restamped != body) {
            body = restamped;
            event.put("isBase64Encoded", false);
            event.put("body", new String(body, StandardCharsets.UTF_8));
        }
        long now = System.currentTimeMillis() / 1000;
        headers.put(timestampHeader, Long.toString(now));
        headers.put(signatureHeader, WebhookSigner.fromSeed(Files.readString(seed)).sign(now, body));
        return JSON.writeValueAsBytes(event);
    }

    /**
     * A replayed Telnyx event moved to now: {@code occurred_at} becomes now and every other time of the event
     * (start, end, recording times) moves by the same amount, so durations are kept. Anything that is not a Telnyx
     * event comes back as it was (the same array).
     */
    static byte[] restamp(byte[] body, java.time.Instant now) throws IOException {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException e) {
            return body;
        }
        if (tree == null || !(tree.path("data") instanceof ObjectNode data) || !data.path("occurred_at").isTextual()) {
            return body;
        }
        java.time.Instant occurred;
        try {
            occurred = java.time.Instant.parse(data.path("occurred_at").asText());
        } catch (java.time.format.DateTimeParseException e) {
            return body;
        }
        java.time.Duration shift = java.time.Duration.between(occurred, now);
        shiftTimes(data, shift);
        return JSON.writeValueAsBytes(tree);
    }

    private static void shiftTimes(ObjectNode node, java.time.Duration shift) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue() instanceof ObjectNode child) {
                shiftTimes(child, shift);
            } else if (field.getValue().isTextual() && (field.getKey().endsWith("_at") || field.getKey().endsWith("_time"))) {
                try {
                    field.setValue(JSON.getNodeFactory().textNode(
                            java.time.Instant.parse(field.getValue().asText()).plus(shift).toString()));
                } catch (java.time.format.DateTimeParseException e) {
                    // not a time: kept as it is
                }
            }
        }
    }
}
