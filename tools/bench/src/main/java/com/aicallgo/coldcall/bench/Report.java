package com.aicallgo.coldcall.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The tables (Markdown, readable on a terminal too) and BENCHMARKS.md. */
final class Report {
    private Report() {
    }

    static String tables(Bench.Options options, Map<String, Object> cold, List<Warm.Result> warm,
            Map<String, Object> footprint) {
        StringBuilder out = new StringBuilder();
        if (cold != null) {
            out.append("### Cold start: JVM start to first response (median of ").append(options.coldRuns())
                    .append(" per jar, ms; x stream = against the RequestStreamHandler floor, x POJO = against the"
                            + " RequestHandler floor; the on-demand target is read against the stream floor, the"
                            + " SnapStart one against the POJO floor's restore to response)\n\n");
            out.append("| function | first response | x stream | x POJO | target | | init | first invoke | CPU used |"
                    + " x stream | SnapStart: snapshot at | restore to response | x stream | x POJO | target | |\n");
            out.append("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
                    + " ---: | --- |\n");
            cold.forEach((name, value) -> {
                Map<String, Object> entry = Bench.cast(value);
                Double target = (Double) entry.get("target_ratio");
                double ratio = (double) entry.get("total_ratio_to_floor");
                out.append("| ").append(label(name))
                        .append(" | ").append(Bench.format((double) entry.get("median_total_ms")))
                        .append(" | ").append(ratio(ratio))
                        .append(" | ").append(ratio((double) entry.get("total_ratio_to_pojo_floor")))
                        .append(" | ").append(target == null ? "" : "<= " + ratio(target))
                        .append(" | ").append(target == null ? "" : ratio <= target ? "met" : "missed")
                        .append(" | ").append(Bench.format((double) entry.get("median_init_ms")))
                        .append(" | ").append(Bench.format((double) entry.get("median_first_invoke_ms")))
                        .append(" | ").append(Bench.format((double) entry.get("median_cpu_ms")))
                        .append(" | ").append(ratio((double) entry.get("cpu_ratio_to_floor")));
                if (entry.containsKey("median_after_restore_ms")) {
                    // read against the POJO floor: the stream hello's restore to response is a few ms (it does no
                    // I/O and loads nothing), which no function doing one Redis round trip could come within 1.25x of
                    double restore = (double) entry.get("after_restore_ratio_to_pojo_floor");
                    boolean targeted = target != null;
                    out.append(" | ").append(Bench.format((double) entry.get("median_snapshot_ms")))
                            .append(" | ").append(Bench.format((double) entry.get("median_after_restore_ms")))
                            .append(" | ").append(ratio((double) entry.get("after_restore_ratio_to_floor")))
                            .append(" | ").append(ratio(restore))
                            .append(" | ").append(targeted ? "<= " + ratio(Bench.RESTORE_TARGET) : "")
                            .append(" | ").append(targeted ? restore <= Bench.RESTORE_TARGET ? "met" : "missed" : "");
                } else {
                    out.append(" | | | | | | ");
                }
                out.append(" |\n");
            });
            out.append("\n");
        }
        if (warm != null && !warm.isEmpty()) {
            out.append("### Warm: ").append(warm.get(0).invocations())
                    .append(" invocations per route in one JVM after ").append(options.warmUp())
                    .append(" warm-up (ms); floor = the route's Redis commands and HTTP call alone\n\n");
            out.append("| route | p50 | p99 | p99.9 | floor p50 | floor p99 | floor p99.9 | p99 x floor | target | |"
                    + " Redis cmds incl. in scripts (route/floor) | HTTP calls (route/floor) | Redis bytes in+out |\n");
            out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
            for (Warm.Result result : warm) {
                Warm.Percentiles route = result.route_ms();
                Warm.Percentiles floor = result.floor_ms();
                out.append("| ").append(result.route())
                        .append(" | ").append(ms(route.p50())).append(" | ").append(ms(route.p99()))
                        .append(" | ").append(ms(route.p999()));
                if (floor == null) {
                    out.append(" | - | - | - | - | | no I/O when warm (secrets cached) | ")
                            .append(String.format(Locale.ROOT, "%.2f", result.redisCommandsRoute())).append(" | ")
                            .append(String.format(Locale.ROOT, "%.2f", result.httpCallsRoute())).append(" | ")
                            .append(String.format(Locale.ROOT, "%.0f", result.redisBytesRoute())).append(" |\n");
                    continue;
                }
                double ratio = route.p99() / floor.p99();
                out.append(" | ").append(ms(floor.p50())).append(" | ").append(ms(floor.p99()))
                        .append(" | ").append(ms(floor.p999()))
                        .append(" | ").append(ratio(ratio))
                        .append(" | <= ").append(ratio(Bench.WARM_TARGET))
                        .append(" | ").append(ratio <= Bench.WARM_TARGET ? "met" : "missed")
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f / %.2f", result.redisCommandsRoute(),
                                result.redisCommandsFloor()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f / %.2f", result.httpCallsRoute(),
                                result.httpCallsFloor()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.0f", result.redisBytesRoute()))
                        .append(" |\n");
            }
            out.append("\n");
        }
        if (footprint != null) {
            out.append("### Footprint at the first response\n\n");
            out.append("| jar | size (MB) | classes loaded | of which from the JDK's CDS archive | heap used (MB) | live after a full GC (MB) |\n");
            out.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
            footprint.forEach((name, value) -> {
                Map<String, Object> entry = Bench.cast(value);
                out.append("| ").append(label(name))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f", (long) entry.get("jar_bytes") / 1e6));
                if (entry.containsKey("classes_loaded")) {
                    out.append(" | ").append(entry.get("classes_loaded"))
                            .append(" | ").append(entry.get("classes_from_cds"))
                            .append(" | ").append(String.format(Locale.ROOT, "%.1f",
                                    (long) entry.get("heap_used_bytes") / 1048576.0))
                            .append(" | ").append(String.format(Locale.ROOT, "%.1f",
                                    (long) entry.get("live_heap_bytes") / 1048576.0));
                } else {
                    out.append(" | | | | ");
                }
                out.append(" |\n");
            });
            out.append("\n");
        }
        if (cold != null && cold.values().stream().anyMatch(v -> ((Map<?, ?>) v).containsKey("classes_by_library"))) {
            out.append("### Where the cold start goes: classes loaded per library (-Xlog:class+load)\n\n");
            List<String> names = new ArrayList<>(cold.keySet());
            Set<String> libraries = new LinkedHashSet<>();
            for (Object value : cold.values()) {
                Map<String, Integer> counts = Bench.cast(((Map<?, ?>) value).get("classes_by_library"));
                libraries.addAll(counts.keySet());
            }
            out.append("| library |");
            names.forEach(name -> out.append(" ").append(name.equals(Bench.HELLO) ? "hello (stream)"
                    : name.equals(Bench.HELLO_POJO) ? "hello (POJO)" : name.replace("Function", ""))
                    .append(" |"));
            out.append("\n| --- |");
            names.forEach(name -> out.append(" ---: |"));
            out.append("\n");
            for (String library : libraries) {
                out.append("| ").append(library).append(" |");
                for (String name : names) {
                    Map<String, Integer> counts = Bench.cast(((Map<?, ?>) cold.get(name)).get("classes_by_library"));
                    out.append(" ").append(counts.getOrDefault(library, 0)).append(" |");
                }
                out.append("\n");
            }
            out.append("\n");
        }
        return out.toString();
    }

    static String markdown(Bench.Options options, Map<String, Object> results, String tables) {
        Map<String, Object> machine = Bench.cast(results.get("machine"));
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by `bin/bench` (this file is its latest full run; `bin/test` runs `bin/bench --smoke`, which"
                + " checks the benchmark still works and writes nothing here). Figures are from this machine, not"
                + " from Lambda: read the ratios, not the milliseconds.\n\n");
        md.append("- command: `").append(results.get("command")).append("`\n");
        md.append("- machine: ").append(machine.get("cpu")).append(", ").append(machine.get("cores"))
                .append(" cores shared with other work, ").append(machine.get("memory")).append(", ")
                .append(machine.get("os")).append("\n");
        md.append("- JDK: ").append(machine.get("jdk"))
                .append(" (the template's runtime, ").append(results.get("runtime"))
                .append(", runs Amazon Corretto; this machine has no JDK 21)\n");
        md.append("- run at ").append(machine.get("date")).append(", load average before/after ")
                .append(results.get("load_average_before_after")).append("\n");
        md.append("- cold JVM flags (Lambda ").append(results.get("runtime")).append(" at 1024 MB): `")
                .append(results.get("lambda_flags")).append("`\n\n");
        md.append("How it is measured:\n\n");
        md.append("- **Cold**: each function's Lambda jar is unpacked into a task directory (as Lambda unpacks the"
                + " zip into /var/task) and started as Lambda's Java runtime starts it: a fresh JVM with the runtime's"
                + " flags running the runtime interface client (this run: `" + results.get("runtime_lib") + "` on the"
                + " system class path, the client's native library unpacked beforehand), which loads the handler"
                + " from the task directory and talks to a Runtime API stub on loopback. Timed from just before the"
                + " process starts to the response POST; *init* ends at the first `GET /invocation/next`, *first"
                + " invoke* is from there to the response. *CPU used* is the process's user and system time at the"
                + " response (all threads, 10 ms steps): less moved than the wall clock by other work on this shared"
                + " machine. *SnapStart*: the same start with `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start` (keys from"
                + " a container credentials stub, not the environment): the runtime client runs the `beforeCheckpoint`"
                + " hooks (our priming) and asks `restore/next`, where Lambda would snapshot; the stub restores at once,"
                + " so *restore to response* is the `afterRestore` hooks plus the first invoke, without Lambda's own"
                + " restore time (about 0.5 to 0.8 s on Lambda for any function). The functions run against real"
                + " Redis and loopback stubs of Telnyx, the Web Backend and"
                + " Secrets Manager (through the AWS SDK, as deployed). Jars are interleaved, one untimed start each"
                + " first; rows named after a jar file are another build of that function (`--also`), started"
                + " interleaved with the current one. Two floors, started the same way: a hello-world `RequestStreamHandler` (the *stream floor*, what"
                + " public comparisons such as lambda-perf measure; the targets are read against it) and a hello-world"
                + " `RequestHandler` of the API Gateway event types (the *POJO floor*, whose runtime loads its own event"
                + " serializer, about 700 classes). On java25 a SnapStart start runs with the JVM's full tiering (C1"
                + " then C2), as Lambda's java25 runtime does with SnapStart, unless `JAVA_TOOL_OPTIONS` stops it at C1"
                + " (the template does); an on-demand start stays at C1. *Container image, AOT cache*: the same jar"
                + " started as a container image could start it, with the jar on the JVM's class path and a JDK 25 AOT"
                + " cache (JEP 483/514/515) written by one training start (one invocation, then a clean exit) before"
                + " the timed ones; on demand only, as Lambda has no SnapStart for images.\n");
        md.append("- **Warm**: each route's handler built once in one JVM (C1 only, as on Lambda, with the template's"
                + " `JAVA_TOOL_OPTIONS`) and invoked with"
                + " a fresh call (new ids, signed now) each time, from the event's bytes to the response's through the"
                + " handler's stream method, as the runtime client calls it. Its floor is the same Redis commands (one `Redis` connection) and HTTP"
                + " call (`HttpCaller`, same timeouts) with nothing else; the command and call counts are shown so a"
                + " floor that drifts from its route is visible. Route and floor alternate in blocks.\n");
        md.append("- **Footprint**: `jcmd` right after the first response: classes loaded (`PerfCounter.print`),"
                + " heap used as it stands (garbage included), then the heap still live after `GC.run`.\n\n");
        md.append(tables);
        // what was tried and what it gave: kept with the code, so a new run does not lose it
        try (java.io.InputStream notes = Report.class.getResourceAsStream("/bench/findings.md")) {
            if (notes != null) {
                md.append(new String(notes.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return md.toString();
    }

    private static String label(String name) {
        return name.equals(Bench.HELLO) ? "hello world, RequestStreamHandler (stream floor)"
                : name.equals(Bench.HELLO_POJO) ? "hello world, RequestHandler of the API types (POJO floor)" : name;
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2fx", value);
    }
}
