package com.aicallgo.coldcall.recordingwebhook;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.http.HttpEdge;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.telnyx.WebhookReceiver;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.Map;

/**
 * {@code POST /webhook/telnyx/direct/recording}: call.recording.saved and call.recording.error (and any call event sent
 * here, see {@link Wiring#webhookEvents()}).
 */
public final class RecordingWebhookHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final HttpEdge edge;
    private final Priming priming;
    private final WebhookReceiver receiver;

    public RecordingWebhookHandler() {
        this(System.getenv());
    }

    /** Builds the handler from an explicit environment (the local runner's {@code env.json}). */
    public RecordingWebhookHandler(Map<String, String> env) {
        this(Wiring.fromEnvironment("RecordingWebhookFunction", env));
    }

    RecordingWebhookHandler(Wiring wiring) {
        this.edge = wiring.edge("POST /webhook/telnyx/direct/recording");
        this.receiver = new WebhookReceiver(wiring.webhookVerifier(), wiring.webhookEvents());
        this.priming = Priming.register(() -> {
            handleRequest(Priming.unauthenticated("POST", "/aicallgo/api/v1/cold-call/webhook/telnyx/direct/recording", "{}"), null);
            WebhookEvent.parse(Priming.SAMPLE_WEBHOOK);
            Priming.primeSignatures();
            wiring.primeSecretsClient();
        }, wiring.callStore(), wiring.log());
    }

    /** The SnapStart hooks (tests call them as the runtime would). */
    Priming priming() {
        return priming;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return edge.handle(event, receiver);
    }
}
