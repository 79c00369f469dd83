package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.http.HttpEdge;
import com.aicallgo.coldcall.core.http.Reply;
import java.util.function.Function;

/** The route of both webhook functions: verify the signature on the raw bytes, parse, apply, acknowledge. */
public final class WebhookReceiver implements HttpEdge.Route {
    /** The acknowledgement Telnyx gets; it reads only the status. */
    public record Ack(String status, String outcome) {
    }

    private final WebhookVerifier verifier;
    private final Function<WebhookEvent, String> tracker;

    public WebhookReceiver(WebhookVerifier verifier, Function<WebhookEvent, String> tracker) {
        this.verifier = verifier;
        this.tracker = tracker;
    }

    @Override
    public Reply apply(ApiRequest request) {
        verifier.verify(request);
        WebhookEvent event = WebhookEvent.parse(request.body());
        request.tag("event_id", event.id());
        request.tag("event_type", event.eventType());
        request.tag("call_control_id", event.payload().callControlId());
        String outcome = tracker.apply(event);
        return Reply.ok(new Ack("ok", outcome), outcome);
    }
}
