package com.aicallgo.coldcall.core;

import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.http.HttpEdge;
import com.aicallgo.coldcall.core.http.Reply;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.aicallgo.coldcall.core.store.Redis;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * An HTTP API function: {@link HttpEdge} around what the subclass does with a request. A subclass builds its
 * collaborators from {@link Wiring} in its constructor, then registers its SnapStart warm-up with {@link #prime}.
 *
 * <p>Lambda calls the stream method (the template names the class alone, so the runtime takes its
 * {@code RequestStreamHandler} path and never loads its own event serializer): the event's JSON is read and the
 * response written by our Jackson. The typed method does the same for callers that hold the runtime library's event
 * type (tests, tools).
 */
public abstract class ApiHandler implements RequestStreamHandler {
    private final HttpEdge edge;
    private Priming priming;

    protected ApiHandler(Wiring wiring, Endpoint... endpoints) {
        this.edge = wiring.edge(endpoints);
    }

    /** Registers the SnapStart hooks: {@code warmUp} before the snapshot, and {@code store} (if any) reopened after. */
    protected final void prime(Wiring wiring, Redis store, Runnable warmUp) {
        priming = Priming.register(warmUp, store, wiring.secrets(), wiring.log());
    }

    /** The SnapStart hooks (tests call them as the runtime would). */
    public final Priming priming() {
        return priming;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        edge.handle(input, output, context, this::handle);
    }

    /** The same request as a runtime-library event; no Lambda runtime calls this. */
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return edge.handle(event, context, this::handle);
    }

    /**
     * Before a snapshot: one request through the stream path, so binding the event and writing the response are
     * loaded and compiled as a first request runs them. Returns the response's JSON.
     */
    protected final byte[] primeRequest(byte[] eventJson) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try {
            handleRequest(new ByteArrayInputStream(eventJson), out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What the function does with a request: a reply, or a {@link Failure} the edge turns into one. */
    protected abstract Reply handle(ApiRequest request);
}
