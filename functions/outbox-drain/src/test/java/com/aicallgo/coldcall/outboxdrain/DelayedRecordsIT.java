package com.aicallgo.coldcall.outboxdrain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.calls.DelayedRecords;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.telnyx.WebhookEvent;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.Moto;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The outbox's precise trigger: a call log held by the answer wait (hang-up without its answer) is queued due 3 s
 * later, a message naming it is sent with that delay, and the drain, invoked with the SQS event, posts it once.
 */
class DelayedRecordsIT {
    static final int DB = 10;
    static final String CALL_LOGS = "/api/v1/call-logs";

    private final WireMockServer backend = new WireMockServer(options().dynamicPort());
    private final MutableClock clock = new MutableClock(Instant.parse("2025-11-15T10:31:55Z"));
    private final Fixtures.Log log = new Fixtures.Log();
    private Wiring wiring;

    private Wiring start(Map<String, String> extra) {
        TestRedis.flush(DB);
        backend.start();
        backend.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201).withBody("{\"id\":1}")));
        Map<String, String> env = new java.util.HashMap<>(
                Fixtures.environment(TestRedis.url(DB), backend.baseUrl(), "http://127.0.0.1:9/unused"));
        env.putAll(extra);
        wiring = Fixtures.wiring("OutboxDrainFunction", env, clock, log);
        return wiring;
    }

    @AfterEach
    void stop() {
        DelayedRecords.receiveLocally(null);
        if (wiring != null) {
            wiring.redis().close();
        }
        backend.stop();
    }

    /** A hang-up without its call.answered whose facts do not decide whether it talked: its log waits 3 s. */
    private void hangUpWithoutAnswer() {
        String outcome = wiring.callEvents().apply(WebhookEvent.parse(
                Fixtures.body(Fixtures.event("call-status/call-hangup-completed.json")))).wire();
        assertEquals("call_log_queued", outcome);
    }

    private int callLogs() {
        return backend.findAll(postRequestedFor(urlEqualTo(CALL_LOGS))).size();
    }

    private static SqsClient admin() {
        return SqsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(Moto.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    private static Map<String, String> aws(String queueUrl, String endpoint) {
        return Map.of(DelayedRecords.VARIABLE, queueUrl, "AWS_ENDPOINT_URL_SQS", endpoint, "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
    }

    /** The event Lambda's SQS poller passes the function. */
    private static byte[] sqsEvent(String queueArn, List<Message> messages) throws Exception {
        ObjectNode event = Json.mapper().createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : messages) {
            ObjectNode record = records.addObject();
            record.put("messageId", message.messageId());
            record.put("receiptHandle", message.receiptHandle());
            record.put("body", message.body());
            record.putObject("attributes").put("ApproximateReceiveCount", "1");
            record.putObject("messageAttributes");
            record.put("md5OfBody", message.md5OfBody());
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", queueArn);
            record.put("awsRegion", "us-east-1");
        }
        return Json.mapper().writeValueAsBytes(event);
    }

    private JsonNode invoke(byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new OutboxDrainHandler(wiring).handleRequest(new ByteArrayInputStream(event), out, null);
        return Json.mapper().readTree(out.toByteArray());
    }

    @Test
    void aCallLogHeldByTheAnswerWaitIsSentDelayedReceivedAndPostedOnceByTheDrain() throws Exception {
        try (SqsClient admin = admin()) {
            String queueUrl = admin.createQueue(r -> r.queueName("delayed-records-" + UUID.randomUUID())).queueUrl();
            String queueArn = admin.getQueueAttributes(r -> r.queueUrl(queueUrl)
                    .attributeNamesWithStrings("QueueArn")).attributesAsStrings().get("QueueArn");
            start(aws(queueUrl, Moto.endpoint()));
            long sent = System.nanoTime();
            hangUpWithoutAnswer();
            assertEquals(0, callLogs());
            assertTrue(admin.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(0)).messages().isEmpty(),
                    "the message waits out its delay (3 s, the answer wait)");

            List<Message> received = admin.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(10)
                    .maxNumberOfMessages(10)).messages();
            long waited = Duration.ofNanos(System.nanoTime() - sent).toMillis();
            assertEquals(1, received.size());
            assertTrue(waited >= 2_500, "received after its delay, not at once: " + waited + " ms");
            assertEquals(DelayedRecords.body(wiring.outbox().due(null, 10).get(0)), received.get(0).body());
            assertTrue(received.get(0).body().contains("\"record\":\"call_log\""), received.get(0).body());

            clock.advance(Duration.ofSeconds(3)); // the functions' clock, as the message's delay ran on SQS's
            byte[] event = sqsEvent(queueArn, received);
            JsonNode answer = invoke(event);
            assertEquals(0, answer.path("batchItemFailures").size(), answer.toString());
            assertEquals(1, callLogs(), "the drain retried the entry the message names: the log is posted");
            assertEquals(0, wiring.outbox().backlog().outbox());

            JsonNode again = invoke(event); // SQS delivers at least once
            assertEquals(0, again.path("batchItemFailures").size());
            assertEquals(1, callLogs(), "a message for a settled entry posts nothing");
        }
    }

    @Test
    void theLocalQueueGetsTheDelayRoundedUpAndAFailedSendIsAWarningOnly() {
        List<String> sent = new CopyOnWriteArrayList<>();
        DelayedRecords.receiveLocally((body, delay, within) -> sent.add(delay + " " + body));
        start(Map.of(DelayedRecords.VARIABLE, DelayedRecords.LOCAL));
        clock.set(clock.instant().plusMillis(400));
        hangUpWithoutAnswer();
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).startsWith("3 {\"call_control_id\":"), sent.get(0));

        List<String> tried = new CopyOnWriteArrayList<>();
        DelayedRecords.receiveLocally((body, delay, within) -> {
            tried.add(body);
            throw new IllegalStateException("queue down");
        });
        TestRedis.flush(DB);
        hangUpWithoutAnswer();
        assertTrue(log.text().contains("delayed record trigger not sent"), log.text());
        assertTrue(log.text().contains("queue down"), log.text());
        assertEquals(1, wiring.outbox().backlog().outbox(), "the record is in the outbox: the drain delivers it");

        TestRedis.flush(DB);
        clock.advance(Duration.ofSeconds(29));
        hangUpWithoutAnswer();
        assertEquals(1, tried.size(), "no send tried for 30 s after a failed one");
        TestRedis.flush(DB);
        clock.advance(Duration.ofSeconds(2));
        hangUpWithoutAnswer();
        assertEquals(2, tried.size(), "then tried again");
    }

    @Test
    void aWebBackendFailuresRetryIsTriggeredAtItsBackoffNotAtTheNextMinute() {
        List<String> sent = new CopyOnWriteArrayList<>();
        DelayedRecords.receiveLocally((body, delay, within) -> sent.add(delay + " " + body));
        start(Map.of(DelayedRecords.VARIABLE, DelayedRecords.LOCAL));
        backend.stubFor(post("/api/v1/recordings").willReturn(aResponse().withStatus(500)));
        assertEquals("recording_queued", wiring.callEvents().apply(WebhookEvent.parse(
                Fixtures.body(Fixtures.event("recording/call-recording-saved.json")))).wire());
        assertEquals(1, sent.size(), sent.toString());
        int delay = Integer.parseInt(sent.get(0).substring(0, sent.get(0).indexOf(' ')));
        assertTrue(delay >= 5 && delay <= 10, "the first retry's backoff, 10 s less up to half: " + delay);
        assertTrue(sent.get(0).contains("\"record\":\"recording:"), sent.get(0));
    }

    @Test
    void anUnreachableQueueIsAWarningAndTheRecordStaysInTheOutbox() {
        start(aws("http://127.0.0.1:9/000000000000/delayed-records", "http://127.0.0.1:9"));
        hangUpWithoutAnswer();
        assertTrue(log.text().contains("delayed record trigger not sent"), log.text());
        assertFalse(log.text().contains("\"test\""), "no key in the log");
        assertEquals(1, wiring.outbox().backlog().outbox());
    }

    @Test
    void aMessageThatNamesNoEntryIsDroppedAndAnEntryNotYetDueWaitsForItsTime() throws Exception {
        start(Map.of());
        hangUpWithoutAnswer();
        ObjectNode event = Json.mapper().createObjectNode();
        ArrayNode records = event.putArray("Records");
        records.addObject().put("messageId", "m-1").put("body", "{\"call_control_id\":\"nope\"}")
                .put("eventSource", "aws:sqs");
        String body = DelayedRecords.body(wiring.outbox().due(null, 10).get(0));
        records.addObject().put("messageId", "m-2").put("body", body).put("eventSource", "aws:sqs");
        records.addObject().put("messageId", "m-3").put("eventSource", "aws:sqs")
                .put("body", "{\"call_control_id\":\"v3:not-in-the-outbox\",\"record\":\"call_log\"}");
        JsonNode answer = invoke(Json.mapper().writeValueAsBytes(event));
        assertEquals(0, answer.path("batchItemFailures").size());
        assertTrue(log.text().contains("delayed record message dropped"), log.text());
        assertEquals(0, callLogs(), "an early message posts nothing before the answer wait is over");
        assertEquals(1, wiring.outbox().backlog().outbox());
        assertEquals(0, wiring.outbox().backlog().deadLetters(), "a call the outbox does not hold is left alone");
        assertTrue(log.text().contains("\"not_in_outbox\":1"), log.text());
    }
}
