package com.aicallgo.coldcall.core.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * moto's server, the AWS emulator LocalStack builds on, standing in for Secrets Manager (and S3). Started once per
 * test JVM on a free port, unless {@code AWS_ENDPOINT_URL} names one already running (LocalStack works there too).
 */
public final class Moto {
    private static String endpoint;

    private Moto() {
    }

    public static synchronized String endpoint() {
        if (endpoint != null) {
            return endpoint;
        }
        String given = System.getenv("AWS_ENDPOINT_URL");
        if (given != null && !given.isBlank()) {
            endpoint = given;
            return endpoint;
        }
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Process process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "moto-" + port + ".log").toFile())
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            String url = "http://127.0.0.1:" + port;
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("moto_server exited: is it installed (pip install 'moto[server]')?");
                }
                try {
                    HttpURLConnection connection = (HttpURLConnection) URI.create(url + "/moto-api/").toURL().openConnection();
                    connection.setConnectTimeout(200);
                    if (connection.getResponseCode() > 0) {
                        endpoint = url;
                        return endpoint;
                    }
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            throw new IllegalStateException("moto_server did not start within 30 s");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start moto_server: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
