package com.aicallgo.coldcall.core.snapstart;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallStore;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.util.Map;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart hooks of a function. Before the snapshot: run the handler's path once with a synthetic request that
 * touches no outside service and reads no secret (it stops at the authentication check), so classes are loaded
 * and Jackson is warm in the snapshot; open Redis once so Lettuce and Netty are loaded, then close the connection,
 * which would not survive the restore. After the restore: reopen Redis. Where no CRaC runtime is present (locally,
 * in tests) the hooks are never called.
 */
public final class Priming implements Resource {
    /** A webhook body that exercises the parser (no signature: it is parsed directly, never handled). */
    public static final byte[] SAMPLE_WEBHOOK = ("{\"data\":{\"record_type\":\"event\",\"event_type\":\"call.hangup\","
            + "\"id\":\"priming\",\"occurred_at\":\"2025-01-01T00:00:00Z\",\"payload\":{\"call_control_id\":\"v3:priming\","
            + "\"hangup_cause\":\"normal_clearing\",\"recording_urls\":{\"mp3\":\"https://example.com/a.mp3\"}}},"
            + "\"meta\":{\"attempt\":1}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final Runnable warmUp;
    private final CallStore store;
    private final JsonLog log;

    private Priming(Runnable warmUp, CallStore store, JsonLog log) {
        this.warmUp = warmUp;
        this.store = store;
        this.log = log;
    }

    /**
     * Registers the hooks. The caller keeps the returned object: CRaC holds resources weakly.
     *
     * @param store the function's call store, or {@code null} for a function without Redis
     */
    public static Priming register(Runnable warmUp, CallStore store, JsonLog log) {
        Priming priming = new Priming(warmUp, store, log);
        if (store != null) {
            reconnect(store, log, "init");
        }
        Core.getGlobalContext().register(priming);
        return priming;
    }

    /** A request to {@code route} with no credentials: the handler answers 401 before any I/O. */
    public static APIGatewayV2HTTPEvent unauthenticated(String method, String path, String body) {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setRawPath(path);
        event.setHeaders(Map.of("content-type", "application/json", "user-agent", "snapstart-priming"));
        event.setBody(body);
        event.setIsBase64Encoded(false);
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setRequestId("snapstart-priming");
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath(path);
        context.setHttp(http);
        event.setRequestContext(context);
        return event;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        warmUp.run();
        if (store != null) {
            store.disconnect();
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        if (store != null) {
            reconnect(store, log, "restore");
        }
    }

    private static void reconnect(CallStore store, JsonLog log, String phase) {
        try {
            store.ping();
        } catch (ApiException e) {
            // not fatal: the first request reconnects; say why it could not now
            log.warn("redis not reachable at " + phase, Map.of("detail", String.valueOf(e.detail())));
        }
    }
}
