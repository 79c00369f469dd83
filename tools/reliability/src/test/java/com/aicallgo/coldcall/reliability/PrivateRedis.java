package com.aicallgo.coldcall.reliability;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A redis-server of the suite's own, on a free port, that can be killed (SIGKILL) and started again on the same port
 * and data. It writes every command to its append-only file before answering (appendfsync always), as a durable
 * production store would, so a kill loses nothing acknowledged.
 */
final class PrivateRedis implements AutoCloseable {
    final int port;
    private final Path dir;
    private Process process;

    PrivateRedis() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        dir = Files.createTempDirectory("reliability-redis");
        start();
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    void start() throws IOException {
        process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (ping()) {
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    boolean ping() {
        try {
            Process ping = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "ping").start();
            return new String(ping.getInputStream().readAllBytes()).contains("PONG") && ping.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    long count(String... command) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        process.waitFor();
        return Long.parseLong(out.replaceAll("[^0-9]", ""));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }
}
