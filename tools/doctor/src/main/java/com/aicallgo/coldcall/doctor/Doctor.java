package com.aicallgo.coldcall.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/doctor}: reads the live Telnyx account with the deploy's key and checks it against the stack and our
 * dial policy (tools/doctor/README.md). Prints one line per check; exits 1 when any check FAILs, 2 when an input is
 * missing. The API key is never printed.
 */
public final class Doctor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Doctor() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err));
    }

    /** The whole run: the report on {@code out}, problems with the inputs on {@code err}; the exit status. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.println(Inputs.USAGE);
            return 0;
        }
        Inputs inputs;
        try {
            inputs = Inputs.resolve(args, env);
        } catch (IllegalArgumentException e) {
            err.println("bin/doctor: " + e.getMessage());
            err.println("bin/doctor --help lists the inputs");
            return 2;
        }
        List<Check> checks = AccountChecks.run(inputs, new TelnyxApi(inputs.apiBase(), inputs.apiKey()));
        boolean failed = checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL);
        if (inputs.json()) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("ok", !failed);
            report.put("telnyx_api_base", inputs.apiBase());
            report.put("connection_id", inputs.connectionId());
            report.put("checks", checks.stream().map(c -> {
                Map<String, String> entry = new LinkedHashMap<>();
                entry.put("status", c.status().word.toLowerCase(java.util.Locale.ROOT));
                entry.put("check", c.name());
                entry.put("found", c.found());
                entry.put("fix", c.fix());
                return entry;
            }).toList());
            try {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } catch (IOException e) {
                throw new IllegalStateException("the report always serialises", e);
            }
            return failed ? 1 : 0;
        }
        out.println("Telnyx account at " + inputs.apiBase() + ": connection " + inputs.connectionId() + ", caller ID "
                + (inputs.phoneNumber() == null ? "(none)" : inputs.phoneNumber()) + ", CALL_FLOW " + inputs.callFlow()
                + ", allowed " + String.join(",", inputs.allowed()));
        Map<String, List<String>> bySource = new LinkedHashMap<>();
        inputs.sources().forEach((name, source) -> bySource.computeIfAbsent(source, s -> new java.util.ArrayList<>()).add(name));
        List<String> from = new java.util.ArrayList<>();
        bySource.forEach((source, names) -> from.add(String.join(", ", names) + " from " + source));
        out.println("  (" + String.join("; ", from) + "; the key is never shown)");
        checks.forEach(c -> out.println(c.line()));
        long fails = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
        long warns = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
        out.println(fails == 0 && warns == 0 ? "All " + checks.size() + " checks ok."
                : fails + " FAIL, " + warns + " warn, " + (checks.size() - fails - warns) + " ok.");
        return failed ? 1 : 0;
    }
}
