package com.aicallgo.coldcall.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Starts a function the way Lambda's Java runtime does: the jar unpacked into a task directory that is the working
 * directory, a fresh JVM with the runtime's flags running the runtime interface client, which loads the handler
 * through its own class loader and talks to a {@link RuntimeApi} on loopback. Timed from just before the process
 * starts to the response POST.
 */
final class ColdStart {
    /** Lambda gives the JVM about 85 % of the function's memory as heap (891289k at 1024 MB). */
    static final int MEMORY_MB = 1024;
    static final String MAX_HEAP = (MEMORY_MB * 1024L * 85 / 100) + "k";
    private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    /**
     * One function: its jar, handler, environment (template + stubs), a maker of its event, extra JVM flags, and
     * whether it starts as from a container image with a JDK AOT cache ({@code aotCache}).
     */
    record Function(String name, Path jar, String handler, Map<String, String> environment,
            java.util.function.Supplier<String> event, java.util.function.Predicate<String> expected,
            List<String> flags, boolean aotCache) {
        Function(String name, Path jar, String handler, Map<String, String> environment,
                java.util.function.Supplier<String> event, java.util.function.Predicate<String> expected,
                List<String> flags) {
            this(name, jar, handler, environment, event, expected, flags, false);
        }
    }

    /**
     * A cold start's times in ms (for SnapStart: {@code snapshotMs} to the snapshot point, {@code afterRestoreMs}
     * from the restore to the response), the CPU time the process had used at its response, the footprint if asked.
     */
    record Run(double totalMs, double initMs, double firstInvokeMs, double snapshotMs, double afterRestoreMs,
            double cpuMs, String response, Footprint footprint) {
    }

    /** Classes loaded and heap used at the first response (jcmd), and the heap still live after a full GC. */
    record Footprint(long classes, long sharedClasses, long heapUsedBytes, long liveHeapBytes) {
    }

    private final Path work;
    private final String credentialsUri;
    private final Path runtimeLib;
    private final Path jni;
    private final List<String> extraFlags;
    private final String runtime;
    private final Map<String, Path> taskDirs = new LinkedHashMap<>();

    /** {@code runtime}: the template's, {@code java21} or {@code java25}; it decides the JIT of a SnapStart start. */
    ColdStart(Path work, Path runtimeLib, List<String> extraFlags, String credentialsUri, String runtime)
            throws IOException {
        this.work = work;
        this.runtime = runtime;
        this.credentialsUri = credentialsUri;
        this.runtimeLib = runtimeLib;
        this.extraFlags = extraFlags;
        Files.createDirectories(work);
        this.jni = work.resolve("libaws-lambda-jni.linux-x86_64.so");
        Path ric;
        try (Stream<Path> files = Files.list(runtimeLib)) {
            ric = files.filter(p -> p.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no runtime client in " + runtimeLib));
        }
        // Lambda ships the client's native library unpacked (-D...NativeClient.JNI); do the same, once
        String arch = System.getProperty("os.arch").contains("aarch64") ? "linux-aarch_64" : "linux-x86_64";
        unzip(ric, "jni/libaws-lambda-jni." + arch + ".so", jni);
    }

    /**
     * The flags of Lambda's Java command line (Log4j hot patch off, as the template sets). java21 stops the JIT at C1;
     * java25 does too, except with SnapStart, where it keeps the JVM's full tiering (Lambda's java-customization page).
     */
    List<String> command(Function function, Path logClassesTo, boolean snapStart, String aot) {
        String handler = function.handler();
        List<String> functionFlags = function.flags();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:MaxHeapSize=" + MAX_HEAP);
        command.add("-XX:+UseSerialGC");
        if (aot == null) {
            command.add("-Xshare:auto"); // an AOT cache replaces the JDK's CDS archive, and refuses this option
        }
        command.add("-XX:+TieredCompilation");
        if (!(snapStart && runtime.equals("java25"))) {
            command.add("-XX:TieredStopAtLevel=1");
        }
        command.add("--add-opens=java.base/java.io=ALL-UNNAMED");
        command.add("-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac");
        command.add("-XX:+ErrorFileToStderr");
        command.add("-D" + JNI_PROPERTY + "=" + jni);
        if (logClassesTo != null) {
            command.add("-Xlog:class+load=info:file=" + logClassesTo);
        }
        command.addAll(extraFlags);
        command.addAll(functionFlags);
        if (aot != null) {
            // a container image: its own command line, the function jar on the JVM's class path (the runtime
            // client's loader asks the system loader first, so the classes come from there, where the cache holds them)
            command.add(aot);
        }
        command.add("-classpath");
        try (Stream<Path> jars = Files.list(runtimeLib)) {
            List<String> path = new ArrayList<>(jars.map(Path::toString).sorted().toList());
            if (aot != null) {
                path.add(function.jar().toString());
            }
            command.add(String.join(":", path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        command.add(RIC_MAIN);
        command.add(handler);
        return command;
    }

    /**
     * Runs one cold start; {@code snapStart} runs it as a SnapStart restore (the checkpoint hooks, then the restore
     * at once); {@code footprint} adds a jcmd after the response (outside the timing).
     */
    Run run(Function function, boolean snapStart, boolean footprint, Path logClassesTo) throws Exception {
        String aot = null;
        if (function.aotCache()) {
            if (snapStart) {
                throw new BenchException(function.name() + ": Lambda has no SnapStart for container images");
            }
            Path cache = work.resolve(fileName(function.name()) + ".aot");
            if (!Files.exists(cache)) {
                train(function, cache);
            }
            aot = "-XX:AOTCache=" + cache;
        }
        return start(function, snapStart, footprint, logClassesTo, aot, false);
    }

    /**
     * The image build's training run (JEP 514, JDK 25): one start with one invocation, then a clean exit, at which
     * the JVM writes the AOT cache of what it loaded and linked.
     */
    private void train(Function function, Path cache) throws Exception {
        start(function, false, false, null, "-XX:AOTCacheOutput=" + cache, true);
        if (!Files.exists(cache)) {
            throw new BenchException(function.name() + ": the training run wrote no AOT cache; see "
                    + work.resolve(fileName(function.name()) + ".log"));
        }
    }

    private Run start(Function function, boolean snapStart, boolean footprint, Path logClassesTo, String aot,
            boolean training) throws Exception {
        Path task = taskDir(function);
        String event = function.event().get();
        try (RuntimeApi api = new RuntimeApi(event)) {
            ProcessBuilder builder = new ProcessBuilder(command(function, logClassesTo, snapStart, aot));
            builder.directory(task.toFile());
            Map<String, String> env = builder.environment();
            env.clear();
            env.putAll(lambdaEnvironment(function, runtime));
            env.put("AWS_LAMBDA_RUNTIME_API", api.address());
            if (snapStart) {
                // SnapStart functions get their keys from the container credentials endpoint, not the environment
                env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
                env.remove("AWS_ACCESS_KEY_ID");
                env.remove("AWS_SECRET_ACCESS_KEY");
                env.remove("AWS_SESSION_TOKEN");
                env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", credentialsUri);
                env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "bench-container-token");
            }
            Path log = work.resolve(fileName(function.name()) + ".log");
            builder.redirectErrorStream(true);
            builder.redirectOutput(log.toFile());
            long started = System.nanoTime();
            Process process = builder.start();
            try {
                RuntimeApi.Outcome outcome;
                try {
                    outcome = api.outcome().get(60, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new BenchException(function.name() + ": no response within 60 s; see " + log);
                }
                if (outcome.error()) {
                    throw new BenchException(function.name() + " failed: " + outcome.body() + "; see " + log);
                }
                if (!function.expected().test(outcome.body())) {
                    throw new BenchException(function.name() + " answered something unexpected: " + outcome.body());
                }
                if (snapStart && outcome.snapshotNanos() == 0) {
                    throw new BenchException(function.name() + " never reached the SnapStart checkpoint");
                }
                double cpu = cpuMs(process.pid());
                Footprint measured = footprint ? footprint(process.pid()) : null;
                return new Run(ms(outcome.respondedNanos() - started), ms(outcome.initDoneNanos() - started),
                        ms(outcome.respondedNanos() - outcome.initDoneNanos()),
                        snapStart ? ms(outcome.snapshotNanos() - started) : 0,
                        snapStart ? ms(outcome.respondedNanos() - outcome.snapshotNanos()) : 0,
                        cpu, outcome.body(), measured);
            } finally {
                if (training) {
                    // SIGTERM: the JVM exits through its shutdown, where it writes the cache
                    process.destroy();
                    process.waitFor(120, TimeUnit.SECONDS);
                }
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** What Lambda puts in a Java function's environment, then the function's own variables. */
    private static Map<String, String> lambdaEnvironment(Function function, String runtime) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("_HANDLER", function.handler());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + runtime);
        env.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(MEMORY_MB));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.name());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2025/11/15/[$LATEST]bench");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIABENCHNOTREAL0000");
        env.put("AWS_SECRET_ACCESS_KEY", "bench-secret-access-key-not-real");
        env.put("AWS_SESSION_TOKEN", "bench-session-token-not-real");
        env.put("LAMBDA_TASK_ROOT", "/var/task");
        env.put("LAMBDA_RUNTIME_DIR", "/var/runtime");
        env.putAll(function.environment());
        return env;
    }

    /** Lambda unpacks the deployment jar into /var/task; the runtime client loads classes from there. */
    private Path taskDir(Function function) throws IOException {
        Path existing = taskDirs.get(function.name());
        if (existing != null) {
            return existing;
        }
        Path dir = work.resolve("task").resolve(fileName(function.name()));
        deleteTree(dir);
        Files.createDirectories(dir);
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(function.jar()))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                Path target = dir.resolve(entry.getName()).normalize();
                if (!target.startsWith(dir)) {
                    continue;
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        taskDirs.put(function.name(), dir);
        return dir;
    }

    /**
     * CPU time (all threads, user and system) the process has used: less moved by other work on the machine than
     * the wall clock, in steps of 10 ms.
     */
    private static double cpuMs(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state is field 3, utime field 14 and stime field 15 (proc(5)), in ticks of 10 ms
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10.0;
    }

    private static Footprint footprint(long pid) throws IOException, InterruptedException {
        long classes = 0;
        long shared = 0;
        for (String line : jcmd(pid, "PerfCounter.print").split("\n")) {
            // HotSpot counts classes from the CDS archive apart from the others
            if (line.startsWith("java.cls.loadedClasses=")) {
                classes += Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
            } else if (line.startsWith("java.cls.sharedLoadedClasses=")) {
                shared = Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
            }
        }
        long used = heapUsedKb(pid);
        jcmd(pid, "GC.run");
        long live = heapUsedKb(pid);
        if (classes == 0) {
            throw new BenchException("jcmd " + pid + " PerfCounter.print gave no class count");
        }
        return new Footprint(classes + shared, shared, used * 1024, live * 1024);
    }

    /** The perf counters of heap use move only at a GC: ask the heap itself (young and old "used NK"). */
    private static long heapUsedKb(long pid) throws IOException, InterruptedException {
        long kb = 0;
        String heap = jcmd(pid, "GC.heap_info");
        java.util.regex.Matcher used = java.util.regex.Pattern
                .compile("(?m)^(DefNew|Tenured|def new generation|tenured generation)\\s+total \\d+K, used (\\d+)K")
                .matcher(heap);
        while (used.find()) {
            kb += Long.parseLong(used.group(2));
        }
        if (kb == 0) {
            throw new BenchException("jcmd " + pid + " GC.heap_info gave no heap use: " + heap);
        }
        return kb;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        process.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static void unzip(Path zipFile, String name, Path target) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(zipFile))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (entry.getName().equals(name)) {
                    Files.copy(zip, target, StandardCopyOption.REPLACE_EXISTING);
                    return;
                }
            }
        }
        throw new IllegalStateException(name + " is not in " + zipFile);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** A function's name as a file name (an A/B name holds spaces and parentheses). */
    static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    /** Reads a {@code -Xlog:class+load} file into counts per library. */
    static Map<String, Integer> classLoadProfile(Path log) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(log)) {
            int tag = line.indexOf("[class,load] ");
            if (tag < 0) {
                continue;
            }
            String rest = line.substring(tag + "[class,load] ".length());
            int space = rest.indexOf(' ');
            String name = space < 0 ? rest : rest.substring(0, space);
            counts.merge(library(name), 1, Integer::sum);
            if (rest.contains("source: shared objects file")) {
                counts.merge("(from the CDS archive)", 1, Integer::sum);
            }
        }
        return counts;
    }

    private static String library(String name) {
        if (name.startsWith("com.aicallgo.")) {
            return "ours";
        } else if (name.startsWith("com.amazonaws.services.lambda.runtime.api.client")
                || name.startsWith("com.amazonaws.services.lambda.crac")) {
            return "runtime client";
        } else if (name.startsWith("com.amazonaws.services.lambda.runtime.serialization")
                || name.startsWith("com.amazonaws.lambda.thirdparty")) {
            return "runtime serialization";
        } else if (name.startsWith("com.amazonaws.services.lambda.runtime.events")) {
            return "lambda events";
        } else if (name.startsWith("com.amazonaws.services.lambda.runtime")) {
            return "lambda core";
        } else if (name.startsWith("software.amazon.awssdk")) {
            return "AWS SDK";
        } else if (name.startsWith("io.netty")) {
            return "Netty";
        } else if (name.startsWith("io.lettuce")) {
            return "Lettuce";
        } else if (name.startsWith("reactor.") || name.startsWith("org.reactivestreams")) {
            return "Reactor";
        } else if (name.startsWith("com.fasterxml.jackson")) {
            return "Jackson";
        } else if (name.startsWith("org.joda")) {
            return "joda-time";
        } else if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("com.sun.")) {
            return "JDK";
        }
        int dot = name.indexOf('.', name.indexOf('.') + 1);
        return dot < 0 ? name : name.substring(0, dot);
    }
}
