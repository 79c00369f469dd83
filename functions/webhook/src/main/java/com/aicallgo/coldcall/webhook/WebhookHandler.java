package com.aicallgo.coldcall.webhook;

import com.aicallgo.coldcall.core.ApiHandler;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.calls.CallEvents;
import com.aicallgo.coldcall.core.calls.EventResult;
import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.http.Reply;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.aicallgo.coldcall.core.store.Redis;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.telnyx.WebhookVerifier;
import java.time.Clock;
import java.util.Map;

/**
 * Both Telnyx webhook routes, {@code POST /webhook/telnyx/direct/call-status} ({@code CallStatusWebhookFunction}) and
 * {@code POST /webhook/telnyx/direct/recording} ({@code RecordingWebhookFunction}): verify the signature on the raw
 * bytes, parse, apply ({@link CallEvents}: either route takes every call and recording event), acknowledge.
 */
public final class WebhookHandler extends ApiHandler {
    /** The acknowledgement Telnyx gets; it reads only the status. */
    public record Ack(String status, String outcome) {
    }

    private final WebhookVerifier verifier;
    private final CallEvents events;
    private final Clock clock;

    public WebhookHandler() {
        this(System.getenv());
    }

    /** Builds the handler from an explicit environment (the local runner's {@code env.json}). */
    public WebhookHandler(Map<String, String> env) {
        this(Wiring.fromEnvironment("WebhookFunction", env));
    }

    WebhookHandler(Wiring wiring) {
        super(wiring, Endpoint.CALL_STATUS_WEBHOOK, Endpoint.RECORDING_WEBHOOK);
        this.verifier = wiring.webhookVerifier();
        this.events = wiring.callEvents();
        this.clock = wiring.clock();
        prime(wiring, wiring.redis(), () -> {
            primeRequest(Priming.unauthenticatedJson(Endpoint.CALL_STATUS_WEBHOOK, "{}"));
            WebhookEvent.parse(Priming.SAMPLE_WEBHOOK);
            wiring.dialPolicy().check("sip:+12025550100@sip.telnyx.com");
            Priming.primeJson(new Ack("ok", "priming"));
            WebhookVerifier.prime();
            wiring.primeSecretsClient();
            Priming.primeHttp(wiring.log());
            Redis.primeCodec();
        });
    }

    @Override
    protected Reply handle(ApiRequest request) {
        verifier.verify(request);
        WebhookEvent event = WebhookEvent.parse(request.body(), clock);
        request.tag("event_id", event.id());
        request.tag("event_type", event.eventType());
        request.tag("call_control_id", event.payload().callControlId());
        return switch (events.apply(event)) {
            case EventResult.Acknowledged ack -> {
                if (ack.detail() != null) {
                    request.tag("detail", ack.detail());
                }
                yield Reply.ok(new Ack("ok", ack.wire()), ack.wire());
            }
            case EventResult.DeliverAgain again -> throw again.reason();
        };
    }
}
