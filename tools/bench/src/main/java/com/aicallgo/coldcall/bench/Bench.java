package com.aicallgo.coldcall.bench;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.config.Config;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Claim;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.Outbox;
import com.aicallgo.coldcall.core.store.OutboxEntry;
import com.aicallgo.coldcall.core.store.RecordingClaim;
import com.aicallgo.coldcall.core.store.RecordingFacts;
import com.aicallgo.coldcall.core.store.Redis;
import com.aicallgo.coldcall.core.store.Schedule;
import com.aicallgo.coldcall.core.telnyx.ClientState;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import com.aicallgo.coldcall.local.Template;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lettuce.core.RedisClient;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code bin/bench}: every function's cold start beside a hello-world floor, each route's warm latency beside the
 * latency of the I/O it must do, and each jar's footprint. Prints a table, writes {@code bench-results.json} and
 * {@code BENCHMARKS.md}; {@code --smoke} is the small run of {@code bin/test}, which fails only when the benchmark
 * breaks (a function fails or answers wrongly), never on slow figures.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The stream floor (a hello-world RequestStreamHandler): the floor every ratio and target is read against. */
    static final String HELLO = "HelloStreamFloor";
    private static final String HELLO_HANDLER = "com.aicallgo.coldcall.bench.hello.HelloStreamHandler";
    /** The POJO floor (a hello-world RequestHandler of the API Gateway types): ratios beside it, as before issue 16. */
    static final String HELLO_POJO = "HelloPojoFloor";
    private static final String HELLO_POJO_HANDLER = "com.aicallgo.coldcall.bench.hello.HelloHandler::handleRequest";
    /** The module that builds each function's jar (template logical id to folder under functions/). */
    private static final Map<String, String> MODULES = Map.of(
            "CredentialsFunction", "credentials",
            "StartRecordingFunction", "start-recording",
            "CallStatusWebhookFunction", "webhook",
            "RecordingWebhookFunction", "webhook",
            "OutboxDrainFunction", "outbox-drain");
    /** On-demand cold first response at most this many times the stream floor (issue 16). */
    private static final Map<String, Double> COLD_TARGETS = Map.of(
            "CredentialsFunction", 5.0,
            "StartRecordingFunction", 5.0,
            "CallStatusWebhookFunction", 5.0,
            "RecordingWebhookFunction", 5.0);
    /** SnapStart restore to response at most this many times the POJO floor's (issue 16; the stream floor's is a few ms). */
    static final double RESTORE_TARGET = 1.25;
    static final double WARM_TARGET = 1.25;
    /** Its own Redis database, emptied first (the page's browser tests use 12). */
    static final int DATABASE = 13;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        try {
            System.exit(run(Options.parse(args), out));
        } catch (BenchException e) {
            out.flush();
            System.err.println("bench: FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The command line. */
    record Options(boolean smoke, int coldRuns, int warmUp, int invocations, boolean cold, boolean warm,
            boolean snapStart, boolean profile, boolean write, List<String> jvmFlags, List<String> only,
            List<Map.Entry<String, String>> also) {
        static Options parse(String[] args) {
            boolean smoke = List.of(args).contains("--smoke");
            int coldRuns = smoke ? 1 : 10;
            int warmUp = smoke ? 100 : 2_000;
            int invocations = smoke ? 300 : 10_000;
            boolean cold = true;
            boolean warm = true;
            boolean snapStart = true;
            boolean profile = !smoke;
            boolean write = !smoke;
            List<String> flags = new ArrayList<>();
            List<String> only = new ArrayList<>();
            List<Map.Entry<String, String>> also = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--smoke" -> { }
                    case "--cold-runs" -> coldRuns = Integer.parseInt(args[++i]);
                    case "--warm-up" -> warmUp = Integer.parseInt(args[++i]);
                    case "--invocations" -> invocations = Integer.parseInt(args[++i]);
                    case "--cold-only" -> warm = false;
                    case "--warm-only" -> cold = false;
                    case "--no-profile" -> profile = false;
                    case "--profile" -> profile = true;
                    case "--no-snapstart" -> snapStart = false;
                    case "--no-write" -> write = false;
                    case "--jvm-flag" -> flags.add(args[++i]);
                    case "--only" -> only.addAll(List.of(args[++i].split(",")));
                    case "--also" -> {
                        // --also Function=other.jar[#Handler]: the same function from another jar, interleaved (A/B);
                        // --also 'Function=@-Dflag -Dflag2': the same jar with these JVM flags;
                        // --also Function=container: as from a container image with a JDK AOT cache (on demand only)
                        String[] spec = args[++i].split("=", 2);
                        also.add(Map.entry(spec[0], spec[1]));
                    }
                    default -> throw new BenchException("unknown option " + args[i] + "; see bin/bench --help"
                            + " (--smoke, --cold-runs N, --warm-up N, --invocations N, --cold-only, --warm-only,"
                            + " --no-snapstart, --profile, --no-profile, --no-write, --jvm-flag FLAG, --only Fn1,Fn2,"
                            + " --also Fn=path/to/other.jar)");
                }
            }
            return new Options(smoke, coldRuns, warmUp, invocations, cold, warm, snapStart, profile, write, flags,
                    only, also);
        }
    }

    static int run(Options options, PrintStream out) throws Exception {
        Path root = root();
        Path target = root.resolve("tools/bench/target");
        String redisUrl = benchDatabase(System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        Template template = Template.load(root.resolve("template.yaml"));
        Events events = new Events(root);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("command", options.smoke() ? "bin/bench --smoke" : "bin/bench");
        results.put("machine", machine());
        String runtime = runtime(root);
        results.put("runtime", runtime);
        results.put("lambda_flags", "-XX:MaxHeapSize=" + ColdStart.MAX_HEAP
                + " -XX:+UseSerialGC -Xshare:auto -XX:+TieredCompilation -XX:TieredStopAtLevel=1"
                + (runtime.equals("java25") ? " (SnapStart: no TieredStopAtLevel on the command line, as java25 starts"
                        + " it; the template's JAVA_TOOL_OPTIONS then sets it)" : "")
                + (options.jvmFlags().isEmpty() ? "" : " " + String.join(" ", options.jvmFlags())));
        double load = loadAverage();

        try (Outside outside = new Outside()) {
            List<ColdStart.Function> functions = functions(root, template, events, outside, redisUrl, options);
            if (options.cold()) {
                results.put("cold", cold(options, target, functions, outside, out, runtime));
            }
            if (options.warm()) {
                results.put("warm", warm(options, template, events, outside, redisUrl, out));
            }
            results.put("footprint", footprint(functions, results));
        }
        results.put("load_average_before_after", List.of(load, loadAverage()));
        Map<String, Object> cold = cast(results.get("cold"));
        List<Warm.Result> warm = cast(results.get("warm"));
        String tables = Report.tables(options, cold, warm, cast(results.get("footprint")));
        out.println();
        out.print(tables);
        Path json = options.write() ? root.resolve("bench-results.json") : target.resolve("bench-smoke.json");
        JSON.writeValue(json.toFile(), results);
        out.println("bench: figures in " + root.relativize(json));
        if (options.write()) {
            Files.writeString(root.resolve("BENCHMARKS.md"), Report.markdown(options, results, tables));
            out.println("bench: table in BENCHMARKS.md");
        }
        return 0;
    }

    private static Map<String, Object> cold(Options options, Path target, List<ColdStart.Function> functions,
            Outside outside, PrintStream out, String runtime) throws Exception {
        ColdStart starter = new ColdStart(target.resolve("bench"), target.resolve("runtime-lib"), options.jvmFlags(),
                outside.base() + "/credentials", runtime);
        Map<String, List<ColdStart.Run>> onDemand = new LinkedHashMap<>();
        Map<String, List<ColdStart.Run>> snapStart = new LinkedHashMap<>();
        Map<String, ColdStart.Footprint> footprints = new LinkedHashMap<>();
        functions.forEach(f -> onDemand.put(f.name(), new ArrayList<>()));
        functions.forEach(f -> snapStart.put(f.name(), new ArrayList<>()));
        // one round first that is not timed (page cache, stub warm-up) and measures the footprint; the smoke run
        // keeps that round's times, having no other
        out.println("bench: cold starts, " + options.coldRuns() + " per jar on demand"
                + (options.snapStart() ? " and as many as SnapStart restores" : "") + ", jars interleaved");
        for (ColdStart.Function function : functions) {
            ColdStart.Run run = starter.run(function, false, true, null);
            footprints.put(function.name(), run.footprint());
            if (options.smoke()) {
                onDemand.get(function.name()).add(run);
            }
        }
        for (int round = 0; round < options.coldRuns(); round++) {
            for (ColdStart.Function function : functions) {
                if (round > 0 || !options.smoke()) {
                    onDemand.get(function.name()).add(starter.run(function, false, false, null));
                }
                if (options.snapStart() && !function.aotCache()) {
                    snapStart.get(function.name()).add(starter.run(function, true, false, null));
                }
            }
            out.print(".");
            out.flush();
        }
        out.println();
        Map<String, Object> cold = new LinkedHashMap<>();
        for (ColdStart.Function function : functions) {
            List<ColdStart.Run> list = onDemand.get(function.name());
            List<ColdStart.Run> restores = snapStart.get(function.name());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("runs", list.size());
            entry.put("median_total_ms", median(list, ColdStart.Run::totalMs));
            entry.put("median_init_ms", median(list, ColdStart.Run::initMs));
            entry.put("median_first_invoke_ms", median(list, ColdStart.Run::firstInvokeMs));
            entry.put("median_cpu_ms", median(list, ColdStart.Run::cpuMs));
            entry.put("min_total_ms", list.stream().mapToDouble(ColdStart.Run::totalMs).min().orElse(0));
            entry.put("max_total_ms", list.stream().mapToDouble(ColdStart.Run::totalMs).max().orElse(0));
            if (!restores.isEmpty()) {
                entry.put("snapstart_runs", restores.size());
                entry.put("median_snapshot_ms", median(restores, ColdStart.Run::snapshotMs));
                entry.put("median_after_restore_ms", median(restores, ColdStart.Run::afterRestoreMs));
            }
            entry.put("target_ratio", COLD_TARGETS.get(function.name()));
            entry.put("footprint", footprints.get(function.name()));
            entry.put("jar_bytes", Files.size(function.jar()));
            cold.put(function.name(), entry);
        }
        // every ratio against both floors: the stream floor (the targets) and the POJO floor (the old reading)
        Map<String, Object> floor = cast(cold.get(HELLO));
        Map<String, Object> pojoFloor = cast(cold.get(HELLO_POJO));
        for (Object value : cold.values()) {
            Map<String, Object> entry = cast(value);
            for (String figure : List.of("total", "init", "first_invoke", "cpu", "after_restore")) {
                if (entry.containsKey("median_" + figure + "_ms")) {
                    double measured = (double) entry.get("median_" + figure + "_ms");
                    entry.put(figure + "_ratio_to_floor", measured / (double) floor.get("median_" + figure + "_ms"));
                    entry.put(figure + "_ratio_to_pojo_floor",
                            measured / (double) pojoFloor.get("median_" + figure + "_ms"));
                }
            }
        }
        if (options.profile()) {
            out.println("bench: class-load profile (one more start per jar with -Xlog:class+load)");
            for (ColdStart.Function function : functions) {
                Path log = target.resolve("bench").resolve(ColdStart.fileName(function.name()) + ".classes.log");
                starter.run(function, false, false, log);
                ((Map<String, Object>) cold.get(function.name())).put("classes_by_library", ColdStart.classLoadProfile(log));
            }
        }
        return cold;
    }

    private static double median(List<ColdStart.Run> runs, java.util.function.ToDoubleFunction<ColdStart.Run> figure) {
        return median(runs.stream().mapToDouble(figure).toArray());
    }

    private static List<Warm.Result> warm(Options options, Template template, Events events, Outside outside,
            String redisUrl, PrintStream out) throws Exception {
        PrintStream discard = new PrintStream(new FileOutputStream("/dev/null"), true, StandardCharsets.UTF_8);
        Map<String, RequestStreamHandler> handlers = new LinkedHashMap<>();
        // the functions' log lines still get written (a syscall each, as on Lambda), to nowhere
        System.setOut(discard);
        Redis floorRedis = Redis.create(redisUrl, false);
        RedisClient admin = RedisClient.create(redisUrl);
        try {
            for (String id : List.of("CredentialsFunction", "StartRecordingFunction", "CallStatusWebhookFunction",
                    "RecordingWebhookFunction")) {
                Map<String, String> env = environment(template, id, outside, redisUrl);
                Class<?> type = Class.forName(template.functions().get(id).handlerClass());
                handlers.put(id, cast(type.getConstructor(Map.class).newInstance(env)));
            }
            Warm warm = new Warm(handlers, outside, admin);
            Floors floors = new Floors(floorRedis, outside);
            List<Warm.Route> routes = List.of(
                    new Warm.Route(Endpoint.CREDENTIALS.logName(), "CredentialsFunction",
                            id -> events.file("credentials/get.json"), answer(200, "sip_username"), null),
                    new Warm.Route(Endpoint.START_RECORDING.logName(), "StartRecordingFunction",
                            events::startRecording, answer(200, "recording_started"), floors::startRecording),
                    new Warm.Route("POST call-status (call.answered)", "CallStatusWebhookFunction",
                            id -> events.webhook("call-status/call-answered.json", id),
                            answer(200, "recording_started"), floors::callAnswered),
                    new Warm.Route("POST call-status (call.hangup)", "CallStatusWebhookFunction",
                            id -> events.webhook("call-status/call-hangup-no-answer.json", id),
                            answer(200, "call_log_posted"), floors::callHangup),
                    new Warm.Route("POST recording (call.recording.saved)", "RecordingWebhookFunction",
                            id -> events.webhook("recording/call-recording-saved.json", id),
                            answer(200, "recording_posted"), floors::recordingSaved));
            List<Warm.Result> results = new ArrayList<>();
            for (Warm.Route route : routes) {
                if (!options.only().isEmpty() && !options.only().contains(route.function())) {
                    continue;
                }
                out.println("bench: warm " + route.name() + ", " + options.warmUp() + " + " + options.invocations());
                results.add(warm.measure(route, events, options.warmUp(), options.invocations()));
            }
            warm.close();
            return results;
        } finally {
            System.setOut(out);
            floorRedis.close();
            admin.shutdown();
        }
    }

    /** The I/O of each route alone, with the clients and settings the functions use. */
    static final class Floors {
        private static final byte[] CALL_LOG = ("{\"business_id\":\"cold-call\",\"from_phone\":\"+15550000001\","
                + "\"to_phone\":\"+18005551234\",\"direction\":\"OUTBOUND\",\"start_time\":\"2025-11-15T10:30:00Z\","
                + "\"end_time\":\"2025-11-15T10:30:31Z\",\"duration\":0,\"call_status\":\"no-answer\","
                + "\"call_control_id\":\"v3:bench-floor-0000000000-floor-000000\"}").getBytes(StandardCharsets.UTF_8);
        private static final byte[] RECORDING = ("{\"call_control_id\":\"v3:bench-floor-0000000000-floor-000000\","
                + "\"recording_sid\":\"bench-recording-0000000000-000000\",\"recording_url\":\"https://s3.amazonaws.com/"
                + "telephony-recorder-prod/dev/recording-0001.mp3?X-Amz-Expires=600\",\"recording_status\":\"completed\","
                + "\"recording_duration_seconds\":105,\"recording_channels\":2,\"provider\":\"telnyx\"}")
                .getBytes(StandardCharsets.UTF_8);

        private final Calls store;
        private final Outbox outbox;
        private final Schedule staleChecks;
        private final String telnyx;
        private final String webBackend;
        // the functions' settings: Telnyx 2 s / 4 s (Wiring), the Web Backend WEB_BACKEND_TIMEOUT_MS (1200)
        private final HttpCaller telnyxHttp = new HttpCaller(Duration.ofSeconds(2), Duration.ofSeconds(4));
        private final HttpCaller webHttp = new HttpCaller(Duration.ofMillis(1200), Duration.ofMillis(1200));

        Floors(Redis redis, Outside outside) {
            this.store = new Calls(redis, Duration.ofSeconds(86_400));
            this.outbox = new Outbox(redis, store);
            this.staleChecks = Schedule.staleChecks(redis);
            this.telnyx = outside.base() + "/telnyx";
            this.webBackend = outside.base() + "/web-backend";
        }

        void startRecording(String id) throws IOException {
            CallControlId call = new CallControlId(id);
            store.record(call, CallFacts.dialing("+18005551234", "+15550000001"), Instant.now());
            RecordingClaim.Claimed claim = (RecordingClaim.Claimed) store.claimRecording(call, Instant.now());
            recordStart(id);
            store.settleRecording(call, claim, CallState.Recording.STARTED);
        }

        /** What every event does before its own work: attribution by leg, else session; whether the leg was known. */
        private boolean attribute(String id) {
            if (store.callOfLeg("bench-leg-" + id) == null) {
                store.callOfSession("bench-session-" + id);
                return false;
            }
            return true;
        }

        /** A call event also indexes its leg and session, unless its leg already named the call. */
        private void attributeAndIndex(String id) {
            if (!attribute(id)) {
                store.index(new CallControlId(id), "bench-leg-" + id, "bench-session-" + id);
            }
        }

        void callAnswered(String id) throws IOException {
            CallControlId call = new CallControlId(id);
            attributeAndIndex(id);
            staleChecks.add(id, Instant.now().plusSeconds(15_300));
            // the route records the event's facts, then (a call not parked) the answer: two round trips
            store.record(call, CallFacts.ownLeg(CallState.Stage.ACTIVE, "+18005551234", "+15550000001", null, null,
                    Instant.parse("2025-11-15T10:30:00Z")),
                    Instant.now());
            store.record(call, CallFacts.answered(Instant.now()), Instant.now());
            RecordingClaim.Claimed claim = (RecordingClaim.Claimed) store.claimRecording(call, Instant.now());
            recordStart(id);
            store.settleRecording(call, claim, CallState.Recording.STARTED);
            store.remember(call, "bench-event-" + id, Instant.now());
        }

        void callHangup(String id) throws IOException {
            CallControlId call = new CallControlId(id);
            attributeAndIndex(id);
            staleChecks.drop(id);
            store.record(call, CallFacts.ownLeg(CallState.Stage.ENDED, "+18005551234", "+15550000001", null, null,
                    Instant.parse("2025-11-15T10:30:00Z")).withHangup(Instant.now(), Instant.now(), null, "timeout",
                    "unknown", "480"), Instant.now());
            Claim.Claimed claim = (Claim.Claimed) store.claim(call, Deliverable.CALL_LOG, Instant.now());
            post(webBackend + "/api/v1/call-logs", CALL_LOG);
            store.finish(call, Deliverable.CALL_LOG, claim);
            outbox.unschedule(new OutboxEntry(call, Deliverable.CALL_LOG));
            store.remember(call, "bench-event-" + id, Instant.now());
        }

        void recordingSaved(String id) throws IOException {
            CallControlId call = new CallControlId(id);
            attribute(id);
            Deliverable.Recording recording = new Deliverable.Recording("bench");
            store.recordRecording(call, new RecordingFacts(recording, true,
                    Instant.parse("2025-11-15T10:30:08.200Z"), null, null), CallState.Recording.SAVED, Instant.now());
            Claim.Claimed claim = (Claim.Claimed) store.claim(call, recording, Instant.now());
            post(webBackend + "/api/v1/recordings", RECORDING);
            store.finish(call, recording, claim);
            outbox.unschedule(new OutboxEntry(call, recording));
            store.remember(call, "bench-event-" + id, Instant.now());
        }

        private void recordStart(String id) throws IOException {
            CallControlId call = new CallControlId(id);
            byte[] body = ("{\"format\":\"mp3\",\"channels\":\"dual\",\"client_state\":\"" + ClientState.of(call)
                    + "\",\"command_id\":\"" + TelnyxCallControl.commandId("record_start", call,
                            TelnyxCallControl.Attempt.next())
                    + "\"}").getBytes(StandardCharsets.UTF_8);
            HttpCaller.Response response = telnyxHttp.post(URI.create(telnyx + "/v2/calls/" + HttpCaller.segment(id)
                    + "/actions/record_start"), Map.of("Authorization", "Bearer dev-telnyx-api-key-NOT-REAL",
                    "Content-Type", "application/json", "Accept", "application/json"), body);
            check(response);
        }

        private void post(String url, byte[] body) throws IOException {
            check(webHttp.post(URI.create(url), Map.of("Content-Type", "application/json", "Accept",
                    "application/json", "X-API-Key", "dev-web-backend-key-NOT-REAL"), body));
        }

        private static void check(HttpCaller.Response response) {
            if (!response.ok()) {
                throw new BenchException("a floor's stub call answered " + response.status());
            }
        }
    }

    /** The functions to start cold: the hello-world floor first, then every function of the template. */
    private static List<ColdStart.Function> functions(Path root, Template template, Events events, Outside outside,
            String redisUrl, Options options) {
        List<ColdStart.Function> functions = new ArrayList<>();
        Path hello = root.resolve("tools/bench/target/hello-function.jar");
        functions.add(new ColdStart.Function(HELLO, hello, HELLO_HANDLER, Map.of(),
                () -> events.file("credentials/get.json"), answer(200, "ok"), List.of()));
        functions.add(new ColdStart.Function(HELLO_POJO, hello, HELLO_POJO_HANDLER, Map.of(),
                () -> events.file("credentials/get.json"), answer(200, "ok"), List.of()));
        for (Template.Function function : template.functions().values()) {
            String id = function.logicalId();
            if (!options.only().isEmpty() && !options.only().contains(id)) {
                continue;
            }
            String module = MODULES.get(id);
            if (module == null) {
                throw new BenchException(id + " is in template.yaml but the bench does not know its jar: add it to"
                        + " Bench.MODULES and give it an event");
            }
            Path jar = root.resolve("functions").resolve(module).resolve("target").resolve(module + "-function.jar");
            if (!Files.exists(jar)) {
                throw new BenchException(jar + " is missing: build with mvn -B -DskipTests package");
            }
            java.util.function.Supplier<String> event;
            Predicate<String> expected;
            switch (id) {
                case "CredentialsFunction" -> {
                    event = () -> events.file("credentials/get.json");
                    expected = answer(200, "sip_username");
                }
                case "StartRecordingFunction" -> {
                    event = () -> events.startRecording(events.freshId("cold"));
                    expected = answer(200, "recording_started");
                }
                case "CallStatusWebhookFunction" -> {
                    event = () -> events.webhook("call-status/call-answered.json", events.freshId("cold"));
                    expected = answer(200, "recording_started");
                }
                case "RecordingWebhookFunction" -> {
                    event = () -> events.webhook("recording/call-recording-saved.json", events.freshId("cold"));
                    expected = answer(200, "recording_posted");
                }
                case "OutboxDrainFunction" -> {
                    event = Events::scheduled;
                    expected = json -> json.contains("\"posted\"") && json.contains("\"dead_letters\"");
                }
                default -> throw new BenchException("no event for " + id);
            }
            functions.add(new ColdStart.Function(id, jar, function.handler(),
                    environment(template, id, outside, redisUrl), event, expected, List.of()));
            if (!options.smoke() && COLD_TARGETS.containsKey(id)) {
                // what a container image with a JDK AOT cache would give the HTTP functions (issue 16)
                functions.add(new ColdStart.Function(id + " (container image, AOT cache)", jar, function.handler(),
                        environment(template, id, outside, redisUrl), event, expected, List.of(), true));
            }
            for (Map.Entry<String, String> variant : options.also()) {
                if (!variant.getKey().equals(id)) {
                    continue;
                }
                String other = variant.getValue();
                if (other.equals("container")) {
                    // Fn=container: as from a container image, the jar on the class path and a JDK AOT cache
                    if (options.smoke()) {
                        functions.add(new ColdStart.Function(id + " (container image, AOT cache)", jar,
                                function.handler(), environment(template, id, outside, redisUrl), event, expected,
                                List.of(), true));
                    }
                } else if (other.startsWith("@")) {
                functions.add(new ColdStart.Function(id + " (" + other.substring(1) + ")", jar, function.handler(),
                        environment(template, id, outside, redisUrl), event, expected,
                        List.of(other.substring(1).trim().split("\\s+"))));
                } else {
                    // Fn=other.jar#pkg.Handler::handleRequest: a jar whose handler class is named otherwise
                    String[] jarAndHandler = other.split("#", 2);
                    Path otherJar = Path.of(jarAndHandler[0]).toAbsolutePath();
                    functions.add(new ColdStart.Function(id + " (" + otherJar.getFileName() + ")", otherJar,
                            jarAndHandler.length == 2 ? jarAndHandler[1] : function.handler(),
                            environment(template, id, outside, redisUrl), event, expected, List.of()));
                }
            }
        }
        return functions;
    }

    /**
     * The bench's own Redis database, emptied first: its calls do not pile up across runs, and the outbox drain it
     * starts never meets (and delivers to a stub) what a local runner or a test left in theirs (they use 0 to 7).
     */
    static String benchDatabase(String url) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        int slash = base.indexOf('/', base.indexOf("://") + 3);
        String bench = (slash < 0 ? base : base.substring(0, slash)) + "/" + DATABASE + params;
        RedisClient client = RedisClient.create(bench);
        try (var connection = client.connect()) {
            connection.sync().flushdb();
        } finally {
            client.shutdown();
        }
        return bench;
    }

    /**
     * The template's variables for a function, then the non-secret dev values of {@code events/env.json} (as the
     * local runner layers them: parameters without a default, such as the caller ID, come from there), pointed at
     * this machine's Redis and the stubs. Secrets come through the SDK from the Secrets Manager stub.
     */
    private static Map<String, String> environment(Template template, String id, Outside outside, String redisUrl) {
        Map<String, String> env = new LinkedHashMap<>(template.functions().get(id).environment());
        JsonNode dev;
        try {
            dev = JSON.readTree(root().resolve("events/env.json").toFile()).path("Parameters");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read events/env.json", e);
        }
        dev.fields().forEachRemaining(entry -> {
            if (!Config.SECRET_KEYS.contains(entry.getKey())) {
                env.put(entry.getKey(), entry.getValue().asText());
            }
        });
        env.put("REDIS_URL", redisUrl);
        env.putAll(outside.environment());
        // what Lambda adds, for the warm runs built in-process (the cold runs get these from ColdStart too)
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIABENCHNOTREAL0000");
        env.put("AWS_SECRET_ACCESS_KEY", "bench-secret-access-key-not-real");
        env.put("AWS_SESSION_TOKEN", "bench-session-token-not-real");
        return env;
    }

    /** An API Gateway response with this status whose body mentions {@code text}. */
    static Predicate<String> answer(int status, String text) {
        return json -> {
            try {
                JsonNode response = JSON.readTree(json);
                return response.path("statusCode").asInt() == status && response.path("body").asText().contains(text);
            } catch (IOException e) {
                return false;
            }
        };
    }

    private static Map<String, Object> footprint(List<ColdStart.Function> functions, Map<String, Object> results)
            throws IOException {
        Map<String, Object> footprint = new LinkedHashMap<>();
        Map<String, Object> cold = cast(results.get("cold"));
        for (ColdStart.Function function : functions) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("jar_bytes", Files.size(function.jar()));
            if (cold != null) {
                ColdStart.Footprint measured = (ColdStart.Footprint) ((Map<String, Object>) cold.get(function.name()))
                        .get("footprint");
                entry.put("classes_loaded", measured.classes());
                entry.put("classes_from_cds", measured.sharedClasses());
                entry.put("heap_used_bytes", measured.heapUsedBytes());
                entry.put("live_heap_bytes", measured.liveHeapBytes());
            }
            footprint.put(function.name(), entry);
        }
        return footprint;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The template's {@code Runtime} (Globals), which the cold starts imitate. */
    static String runtime(Path root) throws IOException {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(?m)^\\s+Runtime: (java\\d+)\\s*$")
                .matcher(Files.readString(root.resolve("template.yaml")));
        if (!matcher.find()) {
            throw new BenchException("template.yaml names no java Runtime");
        }
        return matcher.group(1);
    }

    private static Path root() {
        String root = System.getProperty("project.root");
        Path path = root == null ? Path.of("").toAbsolutePath() : Path.of(root).toAbsolutePath();
        while (!Files.exists(path.resolve("template.yaml")) && path.getParent() != null) {
            path = path.getParent();
        }
        return path;
    }

    private static Map<String, Object> machine() throws IOException {
        Map<String, Object> machine = new LinkedHashMap<>();
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(line -> line.startsWith("model name")).findFirst()
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
        machine.put("cpu", cpu);
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory", mem);
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        machine.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        machine.put("date", Instant.now().toString());
        return machine;
    }

    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object value) {
        return (T) value;
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
