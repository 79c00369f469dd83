package com.aicallgo.coldcall.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deployed stack, read with the AWS CLI (the one the deploy uses, signed in the same way): its parameters
 * ({@code SipConnectionId}, {@code SipPhoneNumber}, {@code CallFlow}), its outputs ({@code CallStatusWebhookUrl},
 * {@code RecordingWebhookUrl}, {@code SecretArn}) and, from the secret, {@code TELNYX_SIP_API_KEY}. Each command is
 * bounded; what the CLI printed on a failure is its error line, never the secret.
 */
final class Stack {
    static final long COMMAND_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the stack says: parameter and output values by name. */
    record Facts(Map<String, String> parameters, Map<String, String> outputs) {
    }

    private final String name;
    private final String region;
    private final Map<String, String> env;

    Stack(String name, String region, Map<String, String> env) {
        this.name = name;
        this.region = region;
        this.env = env;
    }

    Facts describe() {
        JsonNode stack = json(run(false, "cloudformation", "describe-stacks", "--stack-name", name, "--output", "json"),
                "describe-stacks").path("Stacks").path(0);
        Map<String, String> parameters = new LinkedHashMap<>();
        for (JsonNode parameter : stack.path("Parameters")) {
            parameters.put(parameter.path("ParameterKey").asText(), parameter.path("ParameterValue").asText());
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        for (JsonNode output : stack.path("Outputs")) {
            outputs.put(output.path("OutputKey").asText(), output.path("OutputValue").asText());
        }
        return new Facts(parameters, outputs);
    }

    /** {@code TELNYX_SIP_API_KEY} from the secret; {@code null} when the secret has none. */
    String apiKey(String secretArn) {
        JsonNode answer = json(run(true, "secretsmanager", "get-secret-value", "--secret-id", secretArn, "--output",
                "json"), "get-secret-value");
        JsonNode secret;
        try {
            secret = JSON.readTree(answer.path("SecretString").asText("{}"));
        } catch (IOException e) {
            throw new IllegalArgumentException("the secret " + secretArn + " is not JSON (configuration.md section 5)");
        }
        String key = secret.path("TELNYX_SIP_API_KEY").asText("");
        return key.isBlank() ? null : key.trim();
    }

    private String run(boolean secret, String... args) {
        List<String> command = new ArrayList<>(List.of("aws"));
        command.addAll(List.of(args));
        if (region != null) {
            command.addAll(List.of("--region", region));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalArgumentException("the AWS CLI (aws) is not installed or not on PATH: install it, or give"
                    + " the inputs without --stack-name (bin/doctor --help)");
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalArgumentException("aws " + args[0] + " " + args[1] + " gave no answer within "
                        + COMMAND_SECONDS + " s: check the network and the AWS sign-in");
            }
            String stdout = new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            String stderr = new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                String last = stderr.isEmpty() ? "exit " + process.exitValue() : stderr.lines().reduce((a, b) -> b).orElse("");
                throw new IllegalArgumentException("aws " + args[0] + " " + args[1] + " failed: " + last);
            }
            return stdout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalArgumentException("interrupted running aws " + args[0]);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalArgumentException("aws " + args[0] + " " + args[1] + " could not be read"
                    + (secret ? "" : ": " + e.getMessage()));
        }
    }

    private static byte[] read(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static JsonNode json(String text, String what) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("aws " + what + " printed no JSON");
        }
    }
}
