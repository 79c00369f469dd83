package com.aicallgo.coldcall.bench;

import static com.aicallgo.coldcall.bench.Functions.answer;
import static com.aicallgo.coldcall.bench.Functions.environment;

import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.store.Redis;
import com.aicallgo.coldcall.local.Template;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lettuce.core.RedisClient;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    /** The POJO floor (a hello-world RequestHandler of the API Gateway types): every ratio is given beside it too. */
    static final String HELLO_POJO = "HelloPojoFloor";
    /** SnapStart restore to response at most this many times the POJO floor's (the stream floor's is a few ms). */
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
        String runtime = Functions.runtime(root);
        results.put("runtime", runtime);
        results.put("runtime_lib", Functions.runtimeLib(target.resolve("runtime-lib")));
        results.put("lambda_flags", "-XX:MaxHeapSize=" + ColdStart.MAX_HEAP
                + " -XX:+UseSerialGC -Xshare:auto -XX:+TieredCompilation -XX:TieredStopAtLevel=1"
                + (runtime.equals("java25") ? " (SnapStart: no TieredStopAtLevel on the command line, as java25 starts"
                        + " it; the template's JAVA_TOOL_OPTIONS then sets it)" : "")
                + (options.jvmFlags().isEmpty() ? "" : " " + String.join(" ", options.jvmFlags())));
        double load = loadAverage();

        try (Outside outside = new Outside(events::live)) {
            List<ColdStart.Function> functions =
                    Functions.functions(root, template, events, outside, redisUrl, options);
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
            entry.put("target_ratio", Functions.COLD_TARGETS.get(function.name()));
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


    static Path root() {
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
