package com.aicallgo.coldcall.startrecording;

import com.aicallgo.coldcall.core.ApiHandler;
import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;
import com.aicallgo.coldcall.core.PhoneNumber;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.calls.CallTruth;
import com.aicallgo.coldcall.core.calls.EndEvidence;
import com.aicallgo.coldcall.core.calls.RecordingStarter;
import com.aicallgo.coldcall.core.http.ApiKeyCheck;
import com.aicallgo.coldcall.core.http.ApiRequest;
import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.http.Reply;
import com.aicallgo.coldcall.core.snapstart.Priming;
import com.aicallgo.coldcall.core.store.Redis;
import java.util.Map;

/**
 * {@code POST /start-recording}: the page asks for the call's dual-channel MP3 recording. Also the page's view of
 * its call ({@code GET /calls/{id}}) and its report that the call ended ({@code POST /calls/{id}/ended}): our
 * extension, docs/contracts.md.
 */
public final class StartRecordingHandler extends ApiHandler {
    /** The answer's body. */
    public record Answer(String status, String callControlId) {
    }

    private static final byte[] SAMPLE = "{\"call_control_id\":\"v3:priming\",\"to_phone\":\"+15550000000\"}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] ENDED_SAMPLE = "{\"why\":\"hung_up\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final ApiKeyCheck apiKeys;
    private final RecordingStarter starter;
    private final CallTruth truth;

    public StartRecordingHandler() {
        this(System.getenv());
    }

    /** Builds the handler from an explicit environment (the local runner's {@code env.json}). */
    public StartRecordingHandler(Map<String, String> env) {
        this(Wiring.fromEnvironment("StartRecordingFunction", env));
    }

    StartRecordingHandler(Wiring wiring) {
        super(wiring, Endpoint.START_RECORDING, Endpoint.CALL, Endpoint.CALL_ENDED);
        this.apiKeys = wiring.apiKeyCheck();
        this.starter = wiring.recordingStarter();
        this.truth = wiring.callTruth();
        prime(wiring, wiring.redis(), () -> {
            primeRequest(Priming.unauthenticatedJson(Endpoint.START_RECORDING, "{}"));
            StartRecordingRequest.parse(SAMPLE);
            EndedReport.parse(ENDED_SAMPLE);
            primeRequest(Priming.unauthenticatedJson(Endpoint.CALL, ""));
            Priming.primeJson(new CallTruth.View("v3:priming", "ended", true, true, "completed", "completed", 1L,
                    null, "normal_clearing, SIP 200", new CallTruth.Recording("saved", null)));
            Priming.primeJson(new Answer("recording_started", "v3:priming"));
            wiring.primeSecretsClient();
            Priming.primeHttp(wiring.log());
            Redis.primeCodec();
        });
    }

    @Override
    protected Reply handle(ApiRequest request) {
        String rep = apiKeys.check(request);
        boolean post = "POST".equals(request.method());
        if (!post && Endpoint.CALL.matches(request.path()) || post && Endpoint.CALL_ENDED.matches(request.path())) {
            return call(request, rep, post);
        }
        StartRecordingRequest body = StartRecordingRequest.parse(request.body());
        CallControlId callControlId = body.callControlId();
        request.tag("call_control_id", callControlId.value());
        String id = callControlId.value();
        return switch (starter.start(callControlId, PhoneNumber.text(body.toPhone()), PhoneNumber.text(body.fromPhone()),
                rep)) {
            case STARTED -> Reply.ok(new Answer("recording_started", id), "recording_started");
            case ALREADY_STARTED -> Reply.ok(new Answer("recording_started", id), "recording_already_started");
            case PENDING -> new Reply(202, new Answer("recording_pending", id), Map.of(), "recording_pending");
            case CALL_ENDED -> throw new Failure(ErrorCode.CALL_ENDED, "The call has already ended", null);
            case BLOCKED -> throw new Failure(ErrorCode.CALL_BLOCKED,
                    "The call was refused by the call gate and is not recorded", null);
            case UNKNOWN_CALL -> throw new Failure(ErrorCode.UNKNOWN_CALL, "No call of ours has this call_control_id",
                    "no webhook named the call and Telnyx does not list it live on our connection; nothing sent");
        };
    }

    /** {@code GET /calls/{id}} and {@code POST /calls/{id}/ended}: the call's truth, after acting on the report. */
    private Reply call(ApiRequest request, String rep, boolean ended) {
        EndEvidence.Why why = ended ? EndedReport.parse(request.body()) : null;
        CallTruth.Found found = truth.find(request.pathParameter("id"), rep);
        request.tag("call_control_id", found.callControlId().value());
        if (!ended) {
            return Reply.ok(truth.view(found.callControlId(), found.call()), "call_viewed");
        }
        request.tag("why", why.wire());
        String outcome = truth.reportEnded(found, why);
        request.tag("report", outcome);
        return new Reply(202, truth.view(found.callControlId()), Map.of(), "call_end_reported");
    }
}
