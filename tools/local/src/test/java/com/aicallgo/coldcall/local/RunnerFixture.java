package com.aicallgo.coldcall.local;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.aicallgo.coldcall.local.twin.Twin;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the runner's ITs set up alike: the env file, the template's functions, {@code start-api} on a free port with
 * its twin, and a plain request to it.
 */
final class RunnerFixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunnerFixture() {
    }

    /** events/env.json with {@code parameters} over its own, in a temp file the caller deletes. */
    static Path envFile(Map<String, String> parameters) throws IOException {
        ObjectNode env = (ObjectNode) JSON.readTree(Fixtures.events("env.json").toFile());
        parameters.forEach(((ObjectNode) env.get("Parameters"))::put);
        Path file = Files.createTempFile("env", ".json");
        JSON.writeValue(file.toFile(), env);
        return file;
    }

    /**
     * events/env.json with its Redis at {@code redisUrl}, written before each test and deleted after it; the test's
     * {@code database} is flushed first. Registered with {@code @RegisterExtension}.
     */
    static final class EnvFile implements BeforeEachCallback, AfterEachCallback {
        private final int database;
        private final String redisUrl;
        private Path path;

        /** Pointed at the test's own database. */
        EnvFile(int database) {
            this(database, TestRedis.url(database));
        }

        EnvFile(int database, String redisUrl) {
            this.database = database;
            this.redisUrl = redisUrl;
        }

        Path path() {
            return path;
        }

        @Override
        public void beforeEach(ExtensionContext context) throws IOException {
            TestRedis.flush(database);
            path = envFile(Map.of("REDIS_URL", redisUrl));
        }

        @Override
        public void afterEach(ExtensionContext context) throws IOException {
            Files.deleteIfExists(path);
        }
    }

    /** The template's functions with the env file and {@code shell} as the shell's variables, as the runner builds them. */
    static LocalFunctions functions(Path envVars, Map<String, String> shell, boolean likeSam) throws IOException {
        return new LocalFunctions(Template.load(Fixtures.root().resolve("template.yaml")), EnvVars.load(envVars, shell, null),
                Fixtures.root(), likeSam);
    }

    /** {@code start-api} for {@code functions} on a free port, serving the built page; the caller starts it. */
    static ApiServer server(LocalFunctions functions) throws IOException {
        ApiServer server = new ApiServer(functions, LocalRunner.site(Fixtures.root()), "127.0.0.1", 0);
        functions.useLocalBase(server.base());
        return server;
    }

    /** The twin as {@code start-api} starts it: null unless the env file turns it on. */
    static Twin twin(LocalFunctions functions, ApiServer server) throws IOException {
        String first = functions.template().functions().keySet().iterator().next();
        return TwinSwitch.startIfOn(functions, server, functions.environment(first), "127.0.0.1");
    }

    record Response(int status, String body) {
    }

    static Response request(String method, String url, byte[] body, Map<String, String> headers) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(30_000);
        connection.setReadTimeout(30_000);
        connection.setRequestMethod(method);
        headers.forEach(connection::setRequestProperty);
        if (body != null) {
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
        }
        int status = connection.getResponseCode();
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            return new Response(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
