package com.aicallgo.coldcall.bench.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The real floor: a hello-world {@code RequestStreamHandler}, what public cold-start comparisons measure (lambda-perf's
 * Java handler is one). It reads the event's bytes and writes a fixed API Gateway response, so the runtime loads no
 * serializer: what it costs is the JVM and the runtime client alone.
 */
public final class HelloStreamHandler implements RequestStreamHandler {
    private static final byte[] RESPONSE = ("{\"statusCode\":200,\"headers\":{\"Content-Type\":\"application/json\"},"
            + "\"body\":\"{\\\"status\\\":\\\"ok\\\"}\",\"isBase64Encoded\":false}").getBytes(StandardCharsets.UTF_8);

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        output.write(RESPONSE);
    }
}
