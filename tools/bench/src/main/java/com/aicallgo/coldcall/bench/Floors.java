package com.aicallgo.coldcall.bench;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.Secrets;
import com.aicallgo.coldcall.core.store.CallFacts;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.store.Calls;
import com.aicallgo.coldcall.core.store.Claim;
import com.aicallgo.coldcall.core.store.Deliverable;
import com.aicallgo.coldcall.core.store.Outbox;
import com.aicallgo.coldcall.core.store.OutboxEntry;
import com.aicallgo.coldcall.core.store.RecordingClaim;
import com.aicallgo.coldcall.core.store.RecordingFacts;
import com.aicallgo.coldcall.core.store.Redis;
import com.aicallgo.coldcall.core.store.Schedule;
import com.aicallgo.coldcall.core.telnyx.ClientState;
import com.aicallgo.coldcall.core.telnyx.TelnyxCallControl;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The I/O of each route alone, with the clients and settings the functions use. */
final class Floors {
    /** The bench's secret (Outside's): record_start carries a state signed as the functions sign theirs. */
    private static final Secrets BENCH_SECRETS = Secrets.from(
            Map.of("CLIENT_STATE_KEY", "dev-client-state-key-NOT-REAL"), "the bench");
    private static final byte[] CALL_LOG = ("{\"business_id\":\"cold-call\",\"from_phone\":\"+15550000001\","
            + "\"to_phone\":\"+18005551234\",\"direction\":\"OUTBOUND\",\"start_time\":\"2025-11-15T10:30:00Z\","
            + "\"end_time\":\"2025-11-15T10:30:31Z\",\"duration\":0,\"call_status\":\"no-answer\","
            + "\"call_control_id\":\"v3:bench-floor-0000000000-floor-000000\"}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] RECORDING = ("{\"call_control_id\":\"v3:bench-floor-0000000000-floor-000000\","
            + "\"recording_sid\":\"bench-recording-0000000000-000000\",\"recording_url\":\"https://s3.amazonaws.com/"
            + "telephony-recorder-prod/dev/recording-0001.mp3?X-Amz-Expires=600\",\"recording_status\":\"completed\","
            + "\"recording_duration_seconds\":105,\"recording_channels\":2,\"provider\":\"telnyx\"}")
            .getBytes(StandardCharsets.UTF_8);

    private final Calls store;
    private final Outbox outbox;
    private final Schedule staleChecks;
    private final String telnyx;
    private final String webBackend;
    // the functions' settings: Telnyx 2 s / 4 s (Wiring), the Web Backend WEB_BACKEND_TIMEOUT_MS (1200)
    private final HttpCaller telnyxHttp = new HttpCaller(Duration.ofSeconds(2), Duration.ofSeconds(4));
    private final HttpCaller webHttp = new HttpCaller(Duration.ofMillis(1200), Duration.ofMillis(1200));

    Floors(Redis redis, Outside outside) {
        this.store = new Calls(redis, Duration.ofSeconds(86_400));
        this.outbox = new Outbox(redis, store);
        this.staleChecks = Schedule.staleChecks(redis);
        this.telnyx = outside.base() + "/telnyx";
        this.webBackend = outside.base() + "/web-backend";
    }

    void startRecording(String id) throws IOException {
        CallControlId call = new CallControlId(id);
        store.record(call, CallFacts.dialing("+18005551234", "+15550000001"), Instant.now());
        RecordingClaim.Claimed claim = (RecordingClaim.Claimed) store.claimRecording(call, Instant.now());
        recordStart(id);
        store.settleRecording(call, claim, CallState.Recording.STARTED);
    }

    /** What every event does before its own work: attribution by leg, else session; whether the leg was known. */
    private boolean attribute(String id) {
        if (store.callOfLeg("bench-leg-" + id) == null) {
            store.callOfSession("bench-session-" + id);
            return false;
        }
        return true;
    }

    /** A call event also indexes its leg and session, unless its leg already named the call. */
    private void attributeAndIndex(String id) {
        if (!attribute(id)) {
            store.index(new CallControlId(id), "bench-leg-" + id, "bench-session-" + id);
        }
    }

    void callAnswered(String id) throws IOException {
        CallControlId call = new CallControlId(id);
        attributeAndIndex(id);
        staleChecks.add(id, Instant.now().plusSeconds(15_300));
        // the route records the event's facts, then (a call not parked) the answer: two round trips
        store.record(call, CallFacts.ownLeg(CallState.Stage.ACTIVE, "+18005551234", "+15550000001", null, null,
                Instant.parse("2025-11-15T10:30:00Z")),
                Instant.now());
        store.record(call, CallFacts.answered(Instant.now()), Instant.now());
        RecordingClaim.Claimed claim = (RecordingClaim.Claimed) store.claimRecording(call, Instant.now());
        recordStart(id);
        store.settleRecording(call, claim, CallState.Recording.STARTED);
        store.remember(call, "bench-event-" + id, Instant.now());
    }

    void callHangup(String id) throws IOException {
        CallControlId call = new CallControlId(id);
        attributeAndIndex(id);
        staleChecks.drop(id);
        store.record(call, CallFacts.ownLeg(CallState.Stage.ENDED, "+18005551234", "+15550000001", null, null,
                Instant.parse("2025-11-15T10:30:00Z")).withHangup(Instant.now(), Instant.now(), null, "timeout",
                "unknown", "480"), Instant.now());
        Claim.Claimed claim = (Claim.Claimed) store.claim(call, Deliverable.CALL_LOG, Instant.now());
        post(webBackend + "/api/v1/call-logs", CALL_LOG);
        store.finish(call, Deliverable.CALL_LOG, claim);
        outbox.unschedule(new OutboxEntry(call, Deliverable.CALL_LOG));
        store.remember(call, "bench-event-" + id, Instant.now());
    }

    void recordingSaved(String id) throws IOException {
        CallControlId call = new CallControlId(id);
        attribute(id);
        Deliverable.Recording recording = new Deliverable.Recording("bench");
        store.recordRecording(call, new RecordingFacts(recording, true,
                Instant.parse("2025-11-15T10:30:08.200Z"), null, null, null), CallState.Recording.SAVED, Instant.now());
        Claim.Claimed claim = (Claim.Claimed) store.claim(call, recording, Instant.now());
        post(webBackend + "/api/v1/recordings", RECORDING);
        store.finish(call, recording, claim);
        outbox.unschedule(new OutboxEntry(call, recording));
        store.remember(call, "bench-event-" + id, Instant.now());
    }

    private void recordStart(String id) throws IOException {
        CallControlId call = new CallControlId(id);
        byte[] body = ("{\"format\":\"mp3\",\"channels\":\"dual\",\"client_state\":\"" + new ClientState(() -> BENCH_SECRETS).of(call)
                + "\",\"command_id\":\"" + TelnyxCallControl.commandId("record_start", call,
                        TelnyxCallControl.Attempt.next())
                + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpCaller.Response response = telnyxHttp.post(URI.create(telnyx + "/v2/calls/" + HttpCaller.segment(id)
                + "/actions/record_start"), Map.of("Authorization", "Bearer dev-telnyx-api-key-NOT-REAL",
                "Content-Type", "application/json", "Accept", "application/json"), body);
        check(response);
    }

    private void post(String url, byte[] body) throws IOException {
        check(webHttp.post(URI.create(url), Map.of("Content-Type", "application/json", "Accept",
                "application/json", "X-API-Key", "dev-web-backend-key-NOT-REAL"), body));
    }

    private static void check(HttpCaller.Response response) {
        if (!response.ok()) {
            throw new BenchException("a floor's stub call answered " + response.status());
        }
    }
}
