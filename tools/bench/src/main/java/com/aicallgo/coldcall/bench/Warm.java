package com.aicallgo.coldcall.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Warm latency: each route invoked over and over in one JVM (one warm container) with a fresh call per invocation,
 * timed from the event's bytes to the response's as the runtime client hands them to a stream handler; beside it the route's floor, the
 * same Redis commands and HTTP call through the same clients (the store's {@code Redis}, an {@code HttpCaller}) with
 * nothing else. Route and floor run in alternating blocks so background load hits both alike.
 */
final class Warm {
    /** What a route must do in I/O, given a fresh call control id. */
    interface Floor {
        void run(String callControlId) throws Exception;
    }

    /** One route: its function, an event maker (fresh call per invocation), the answer it must give, its floor. */
    record Route(String name, String function, Function<String, String> event, Predicate<String> ok, Floor floor) {
    }

    /** Latency percentiles in ms. */
    record Percentiles(double p50, double p99, double p999) {
        static Percentiles of(long[] nanos) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return new Percentiles(rank(sorted, 0.50), rank(sorted, 0.99), rank(sorted, 0.999));
        }

        private static double rank(long[] sorted, double q) {
            int index = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1_000_000.0;
        }
    }

    /** A route's figures; the floor's are null for a route with no I/O when warm. */
    record Result(String route, int invocations, Percentiles route_ms, Percentiles floor_ms, double redisCommandsRoute,
            double redisCommandsFloor, double httpCallsRoute, double httpCallsFloor, double redisBytesRoute) {
    }

    private final Map<String, RequestStreamHandler> handlers;
    private final Outside outside;
    private final StatefulRedisConnection<String, String> admin;
    private final Context context = new BenchContext();

    Warm(Map<String, RequestStreamHandler> handlers, Outside outside, RedisClient adminClient) {
        this.handlers = handlers;
        this.outside = outside;
        this.admin = adminClient.connect();
    }

    Result measure(Route route, Events ids, int warmUp, int invocations) throws Exception {
        RequestStreamHandler handler = handlers.get(route.function());
        for (int i = 0; i < warmUp; i++) {
            invoke(route, handler, route.event().apply(ids.freshId("warm")));
            if (route.floor() != null) {
                route.floor().run(ids.freshId("floorwarm"));
            }
        }
        long[] routeNanos = new long[invocations];
        long[] floorNanos = route.floor() == null ? null : new long[invocations];
        long routeRedis = 0;
        long floorRedis = 0;
        long routeHttp = 0;
        long floorHttp = 0;
        long routeBytes = 0;
        int blocks = 10;
        int done = 0;
        for (int block = 0; block < blocks; block++) {
            int end = (int) ((long) invocations * (block + 1) / blocks);
            long redis = redisCommands();
            long http = httpCalls();
            long bytes = redisBytes();
            for (int i = done; i < end; i++) {
                routeNanos[i] = invoke(route, handler, route.event().apply(ids.freshId("route")));
            }
            routeBytes += redisBytes() - bytes;
            routeRedis += redisCommands() - redis;
            routeHttp += httpCalls() - http;
            if (floorNanos != null) {
                redis = redisCommands();
                http = httpCalls();
                for (int i = done; i < end; i++) {
                    String id = ids.freshId("floor");
                    long started = System.nanoTime();
                    route.floor().run(id);
                    floorNanos[i] = System.nanoTime() - started;
                }
                floorRedis += redisCommands() - redis;
                floorHttp += httpCalls() - http;
            }
            done = end;
        }
        return new Result(route.name(), invocations, Percentiles.of(routeNanos),
                floorNanos == null ? null : Percentiles.of(floorNanos),
                (double) routeRedis / invocations, floorNanos == null ? 0 : (double) floorRedis / invocations,
                (double) routeHttp / invocations, floorNanos == null ? 0 : (double) floorHttp / invocations,
                (double) routeBytes / invocations);
    }

    /** One invocation as the runtime client makes it: the event's bytes in, the response's out. Returns its nanoseconds. */
    private long invoke(Route route, RequestStreamHandler handler, String eventJson) throws java.io.IOException {
        byte[] event = eventJson.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long started = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        handler.handleRequest(new java.io.ByteArrayInputStream(event), out, context);
        long took = System.nanoTime() - started;
        String json = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (!route.ok().test(json)) {
            throw new BenchException(route.name() + " answered something unexpected: " + json);
        }
        return took;
    }

    /** Commands Redis has run, less the INFO calls that read the figure. */
    private long redisCommands() {
        long total = 0;
        for (String line : admin.sync().info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:")) {
                continue;
            }
            int at = line.indexOf("calls=") + "calls=".length();
            total += Long.parseLong(line.substring(at, line.indexOf(',', at)));
        }
        return total;
    }

    /**
     * Bytes Redis has received and sent (commands, scripts and replies; the INFO reads of these figures add a few
     * kB per block of invocations, a few bytes per invocation).
     */
    private long redisBytes() {
        long total = 0;
        for (String line : admin.sync().info("stats").split("\r?\n")) {
            if (line.startsWith("total_net_input_bytes:") || line.startsWith("total_net_output_bytes:")) {
                total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return total;
    }

    private long httpCalls() {
        return outside.telnyx.get() + outside.webBackend.get() + outside.secretsManager.get();
    }

    void close() {
        admin.close();
    }

    private static final class BenchContext implements Context {
        @Override
        public String getAwsRequestId() {
            return RuntimeApi.REQUEST_ID;
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/bench";
        }

        @Override
        public String getLogStreamName() {
            return "bench";
        }

        @Override
        public String getFunctionName() {
            return "bench";
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:123456789012:function:bench";
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return 10_000;
        }

        @Override
        public int getMemoryLimitInMB() {
            return ColdStart.MEMORY_MB;
        }

        @Override
        public LambdaLogger getLogger() {
            return null;
        }
    }
}
