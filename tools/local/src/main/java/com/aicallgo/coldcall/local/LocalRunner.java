package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The Docker-free local runner, shaped like SAM CLI: {@code invoke} runs one event through a function in-process,
 * {@code start-api} serves the template's routes over HTTP, {@code drain} runs the scheduled function once. All read
 * {@code template.yaml} for the functions, handlers, routes and environment. The command line is read by
 * {@link CommandLine}, the settings by {@link EnvVars}; what each command does is here (tools/local/README.md).
 */
public final class LocalRunner {
    static final Path SITE = Path.of("static-dialer", "dist");
    static final String DRAIN = "OutboxDrainFunction";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalRunner() {
    }

    public static void main(String[] args) throws Exception {
        try {
            System.exit(run(args, System.getenv(), System.out));
        } catch (LocalRunnerException e) {
            System.err.println("local: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Runs a command with the shell's exported variables {@code shell}; returns the exit code. {@code start-api}
     * returns only when the JVM is stopped.
     */
    static int run(String[] args, Map<String, String> shell, PrintStream stdout) throws Exception {
        CommandLine line = CommandLine.parse(args);
        if (line == null) {
            System.err.print(CommandLine.USAGE);
            return 2;
        }
        Path metrics = Path.of(line.option("--metrics-file", Metrics.DEFAULT_FILE.toString()));
        if (line.command().equals("report")) {
            stdout.print(Metrics.report(metrics));
            return 0;
        }
        Path templateFile = Path.of(line.option("--template", "template.yaml"));
        if (!Files.isRegularFile(templateFile)) {
            throw new LocalRunnerException("no template at " + templateFile.toAbsolutePath() + " (run from the repository root)");
        }
        EnvVars envVars = EnvVars.load(line.file("--env-vars", "env-vars file"), shell, line.option("--redis-url"));
        // events/keys and static-dialer/ sit beside the template
        Path root = templateFile.toAbsolutePath().normalize().getParent();
        LocalFunctions functions = new LocalFunctions(Template.load(templateFile), envVars, root, line.has("--like-sam"));
        Integer port = line.port(shell);
        // what the functions log goes to stderr (stdout for start-api); their metric lines are kept for report
        PrintStream original = System.out;
        System.setOut(Metrics.tee(line.command().equals("start-api") ? original : System.err, metrics,
                line.has("--verbose")));
        try {
            return switch (line.command()) {
                case "invoke" -> invoke(functions, line, port, stdout);
                case "start-api" -> startApi(functions, line, port == null ? CommandLine.DEFAULT_PORT : port);
                case "drain" -> drain(functions, line, port, stdout);
                default -> throw new LocalRunnerException("unknown command " + line.command() + "\n" + CommandLine.USAGE);
            };
        } finally {
            System.setOut(original);
        }
    }

    private static int invoke(LocalFunctions functions, CommandLine line, Integer port, PrintStream stdout)
            throws IOException {
        if (line.positional().size() != 1 || !line.has("--event")) {
            throw new LocalRunnerException("invoke needs a function and -e <event.json>\n" + CommandLine.USAGE);
        }
        String functionId = line.positional().get(0);
        functions.function(functionId);
        Path eventFile = line.file("--event", "event file");
        // stdout carries only the response, as with sam local invoke
        try (ApiServer standIns = standIns(functions, functionId, port)) {
            Map<String, String> env = functions.environment(functionId);
            checkLikeSam(functions, functionId, env);
            checkRedis(functions, functionId);
            byte[] event = DevKeys.resign(Files.readAllBytes(eventFile), env, functions.root());
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
    private static int drain(LocalFunctions functions, CommandLine line, Integer port, PrintStream stdout)
            throws IOException {
        functions.function(DRAIN);
        try (ApiServer standIns = standIns(functions, DRAIN, port)) {
            checkRedis(functions, DRAIN);
            Object report = functions.invokePlain(DRAIN, Map.of("all", line.has("--all")));
            stdout.println(JSON.writeValueAsString(report));
        }
        return 0;
    }

    /**
     * The stand-ins a one-shot command's function posts to: those of a {@code start-api} runner when one answers at
     * {@code port} (else at the port of the env file's {@code WEB_BACKEND_URL}), so its {@code GET /_local/...} shows
     * what was posted; else the command's own, started here and gone when it exits.
     */
    private static ApiServer standIns(LocalFunctions functions, String functionId, Integer port) throws IOException {
        String runner = port != null ? "http://127.0.0.1:" + port : RunningServer.named(functions.environment(functionId));
        ApiServer own = new ApiServer(functions, functions.root().resolve(SITE), "127.0.0.1", 0);
        if (runner != null && RunningServer.answers(runner)) {
            functions.useLocalBase(runner);
            System.err.println("local: a runner is serving at " + runner + ": the function posts to its stand-ins"
                    + " (GET " + runner + StandIns.WEB_BACKEND + ")");
        } else {
            own.start();
            functions.useLocalBase(own.base());
            System.err.println("local: no runner is serving " + (runner == null ? "the stand-ins of the env file" : "at " + runner)
                    + ": the function posts to this command's own stand-ins, which are gone when it exits (start one with"
                    + " bin/local start-api; find one on another port with --port or LOCAL_PORT)");
        }
        return own;
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

    /**
     * Under start-api, the in-process stand-in for the delayed-records queue ({@link DelayedRecords}): a message is
     * held for its delay, then the drain is invoked with it in an SQS event, as Lambda's SQS poller invokes it on
     * AWS; so a call log waiting out the answer wait is posted about then, not at the drain's next tick.
     */
    static void delayRecords(LocalFunctions functions) {
        if (!functions.template().functions().containsKey(DRAIN)) {
            return;
        }
        java.util.concurrent.ScheduledExecutorService queue = java.util.concurrent.Executors.newScheduledThreadPool(2,
                runnable -> {
                    Thread thread = new Thread(runnable, "delayed-records");
                    thread.setDaemon(true);
                    return thread;
                });
        java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
        DelayedRecords.receiveLocally((body, delaySeconds, within) -> {
            String id = "local-" + ids.incrementAndGet();
            queue.schedule(() -> {
                try {
                    functions.invoke(DRAIN, sqsEvent(id, body));
                } catch (IOException | RuntimeException e) {
                    System.err.println("local: delayed record not retried (" + e.getMessage()
                            + "): the drain's next tick delivers it");
                }
            }, delaySeconds, java.util.concurrent.TimeUnit.SECONDS);
        });
        functions.delayRecordsHere();
        System.err.println("  delayed records: in-process queue (" + DelayedRecords.VARIABLE + "="
                + DelayedRecords.LOCAL + "): a record due soon is retried when due, as SQS does on AWS");
    }

    /** One message in the event Lambda's SQS poller passes (events/outbox-drain/delayed-records.json). */
    static byte[] sqsEvent(String messageId, String body) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode event = JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ObjectNode record = event.putArray("Records").addObject();
        record.put("messageId", messageId);
        record.put("receiptHandle", messageId);
        record.put("body", body);
        record.putObject("attributes").put("ApproximateReceiveCount", "1");
        record.putObject("messageAttributes");
        record.put("eventSource", "aws:sqs");
        record.put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:local-delayed-records");
        record.put("awsRegion", "us-east-1");
        return JSON.writeValueAsBytes(event);
    }

    private static int startApi(LocalFunctions functions, CommandLine line, int port) throws Exception {
        delayRecords(functions); // before any function is built: each reads its environment once
        String host = line.option("--host", "127.0.0.1");
        Path site = site(functions.root());
        ApiServer server;
        try {
            server = new ApiServer(functions, site, host, port);
        } catch (java.net.BindException e) {
            throw new LocalRunnerException("port " + port + " is in use: pick another with --port (or LOCAL_PORT)");
        }
        functions.useLocalBase(server.base());
        System.err.println("local: serving on http://" + host + ":" + server.port());
        for (Template.Route route : functions.template().routes()) {
            System.err.println("  " + route.method() + " " + route.path() + " -> " + route.functionId());
        }
        System.err.println("  GET / -> " + site + (Files.isDirectory(site) ? "" : " (missing: " + ApiServer.BUILD_PAGE + ")"));
        String first = functions.template().functions().keySet().iterator().next();
        Map<String, String> sample = functions.environment(first);
        reportStandIns(sample, server.base());
        TwinSwitch.startIfOn(functions, server, sample, host);
        server.start(); // after the twin, so the first page served already talks to it
        checkLikeSam(functions, first, sample);
        checkRedis(functions, first);
        drainEvery(functions, line.drainEvery(), line.has("--verbose"));
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

    /**
     * Says which Redis a function uses and where that came from (never its password), and says so, with the command
     * that fixes it, when it does not answer; never a stack trace.
     */
    static boolean checkRedis(LocalFunctions functions, String functionId) {
        String url = functions.environment(functionId).getOrDefault(EnvVars.REDIS_URL, "redis://127.0.0.1:6379");
        System.err.println("local: redis: " + EnvVars.mask(url) + " (from " + functions.source(EnvVars.REDIS_URL, functionId) + ")");
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
}
