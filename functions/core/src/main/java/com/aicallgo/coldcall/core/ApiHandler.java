package com.aicallgo.coldcall.core;

import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.http.HttpEdge;
import com.aicallgo.coldcall.core.http.Reply;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.aicallgo.coldcall.core.store.CallStore;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

/**
 * An HTTP API function: {@link HttpEdge} around what the subclass does with a request. A subclass builds its
 * collaborators from {@link Wiring} in its constructor, then registers its SnapStart warm-up with {@link #prime}.
 */
public abstract class ApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final HttpEdge edge;
    private Priming priming;

    protected ApiHandler(Wiring wiring, Endpoint... endpoints) {
        this.edge = wiring.edge(endpoints);
    }

    /** Registers the SnapStart hooks: {@code warmUp} before the snapshot, and {@code store} (if any) reopened after. */
    protected final void prime(Wiring wiring, CallStore store, Runnable warmUp) {
        priming = Priming.register(warmUp, store, wiring.log());
    }

    /** The SnapStart hooks (tests call them as the runtime would). */
    public final Priming priming() {
        return priming;
    }

    @Override
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return edge.handle(event, context, this::handle);
    }

    /** What the function does with a request: a reply, or a {@link Failure} the edge turns into one. */
    protected abstract Reply handle(ApiRequest request);
}
