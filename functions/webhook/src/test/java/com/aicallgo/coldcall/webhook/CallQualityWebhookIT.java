package com.aicallgo.coldcall.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.calls.CallQuality;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A hang-up's {@code call_quality_stats} through the whole webhook: real Redis, the Web Backend on WireMock, the
 * metric lines read back as CloudWatch reads Embedded Metric Format. Whatever the stats hold, Telnyx gets a 200 and
 * the Web Backend the same call log.
 */
class CallQualityWebhookIT {
    static final int DB = 13;
    static final String CALL_LOGS = "/api/v1/call-logs";
    static final String FIXTURE_STATS = """
            "call_quality_stats":{"inbound":{"mos":"4.42","jitter_max_variance":"37.10","jitter_packet_count":"0",\
            "packet_count":"5241","skip_packet_count":"12"},"outbound":{"packet_count":"5250","skip_packet_count":"0"}}""";
    static final String CALL_LOG = """
            {"business_id": "dev-business-0001", "caller_phone_number": "+15550000001",
             "to_phone_number": "+18005551234", "call_direction": "OUTBOUND",
             "call_start_time": "2025-11-15T10:30:08Z", "call_end_time": "2025-11-15T10:31:53.400Z",
             "call_duration_seconds": 105, "call_status": "completed", "twilio_call_sid": "v3:dev-call-0001"}""";

    private final WireMockServer stubs = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = MutableClock.now();
    private Wiring wiring;
    private WebhookHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        stubs.start();
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201).withBody("{\"id\":1}")));
        stubs.stubFor(post(urlPathMatching("/v2/calls/.*/actions/record_start")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"data\":{\"result\":\"ok\"}}")));
        wiring = Fixtures.wiring("CallStatusWebhookFunction",
                Fixtures.environment(TestRedis.url(DB), stubs.baseUrl(), stubs.baseUrl()), clock, log);
        handler = new WebhookHandler(wiring);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        stubs.stop();
        assertTrue(log.text().lines().allMatch(line -> line.startsWith("{") && line.endsWith("}")), "JSON lines only");
    }

    private APIGatewayV2HTTPResponse deliver(String file) {
        return handler.handleRequest(Fixtures.signed(Fixtures.event(file), clock.instant()), null);
    }

    /**
     * The completed hang-up with its {@code call_quality_stats} member replaced ({@code ""}: left out); unchecked
     * against TelnyxSpec on purpose: a peer that breaks the spec's types must still get its 200.
     */
    private APIGatewayV2HTTPResponse hangupWith(String stats) {
        APIGatewayV2HTTPEvent event = Fixtures.event("call-status/call-hangup-completed.json");
        String body = Fixtures.bodyText(event);
        assertTrue(body.contains(FIXTURE_STATS), "the fixture carries the stats this test replaces");
        String replaced = stats.isEmpty() ? body.replace("," + FIXTURE_STATS, "")
                : body.replace(FIXTURE_STATS, "\"call_quality_stats\":" + stats);
        return handler.handleRequest(Fixtures.withBodyUnchecked(event, replaced, clock.instant()), null);
    }

    private static String outcome(APIGatewayV2HTTPResponse response) throws Exception {
        return Json.mapper().readTree(response.getBody()).get("outcome").asText();
    }

    /** Every quality metric line, by metric name, each checked to be the EMF CloudWatch turns into a metric. */
    private Map<String, List<JsonNode>> qualityMetrics() throws Exception {
        Map<String, List<JsonNode>> metrics = new LinkedHashMap<>();
        for (String text : log.text().lines().toList()) {
            JsonNode line = Json.mapper().readTree(text);
            if (!line.has("_aws")) {
                continue;
            }
            JsonNode directive = line.get("_aws").get("CloudWatchMetrics").get(0);
            String name = directive.get("Metrics").get(0).get("Name").asText();
            if (!name.startsWith("Call")) {
                continue;
            }
            assertEquals("ColdCallDialer", directive.get("Namespace").asText(), text);
            assertEquals(List.of("Stage"), List.of(directive.get("Dimensions").get(0).get(0).asText()), text);
            assertTrue(line.get("Stage").isTextual(), text);
            assertTrue(line.get("_aws").get("Timestamp").isNumber(), text);
            assertTrue(line.get(name).isNumber(), text);
            assertEquals("v3:dev-call-0001", line.get("call_control_id").asText(), text);
            metrics.computeIfAbsent(name, k -> new ArrayList<>()).add(line);
        }
        return metrics;
    }

    private double value(String name) throws Exception {
        List<JsonNode> lines = qualityMetrics().get(name);
        assertEquals(1, lines == null ? 0 : lines.size(), name + " lines: " + log.text());
        return lines.get(0).get(name).asDouble();
    }

    private void callLogUnchanged() {
        stubs.verify(1, postRequestedFor(urlEqualTo(CALL_LOGS)).withRequestBody(equalToJson(CALL_LOG)));
    }

    @Test
    void anAnsweredCallsHangupPublishesTelnyxsQualityOnceAndTheCallLogIsUnchanged() throws Exception {
        assertEquals(200, deliver("call-status/call-answered.json").getStatusCode());
        APIGatewayV2HTTPResponse response = deliver("call-status/call-hangup-completed.json");
        assertEquals(200, response.getStatusCode());
        assertEquals("call_log_posted", outcome(response));
        assertEquals(4.42, value(CallQuality.MOS));
        assertEquals(0.228, value(CallQuality.INBOUND_LOSS)); // 12 skipped of 5,253 due
        assertEquals(0.0, value(CallQuality.OUTBOUND_LOSS));
        assertEquals(37.1, value(CallQuality.JITTER));
        assertEquals("good", qualityMetrics().get(CallQuality.MOS).get(0).get("quality").asText());
        callLogUnchanged();

        assertEquals("duplicate", outcome(deliver("call-status/call-hangup-completed.json")));
        assertEquals(1, qualityMetrics().get(CallQuality.MOS).size(), "a redelivered hang-up publishes nothing more");
    }

    @Test
    void aHangupBeforeItsAnswerPublishesWhenItsCauseSaysTheCallTalked() throws Exception {
        assertEquals(200, deliver("call-status/call-hangup-completed.json").getStatusCode());
        assertEquals(4.42, value(CallQuality.MOS));
        assertEquals(200, deliver("call-status/call-answered.json").getStatusCode());
        assertEquals(1, qualityMetrics().get(CallQuality.MOS).size(), "the late answer publishes nothing more");
    }

    @Test
    void anUnansweredCallPublishesNoQualityEvenWhenTelnyxSendsSome() throws Exception {
        APIGatewayV2HTTPEvent busy = Fixtures.event("call-status/call-hangup-busy.json");
        String body = Fixtures.bodyText(busy).replace("\"call_quality_stats\":null",
                "\"call_quality_stats\":{\"inbound\":{\"mos\":\"1.0\",\"packet_count\":\"0\",\"skip_packet_count\":\"40\"}}");
        APIGatewayV2HTTPResponse response = handler.handleRequest(Fixtures.withBody(busy, body, clock.instant()), null);
        assertEquals(200, response.getStatusCode());
        assertEquals("call_log_posted", outcome(response));
        assertEquals(Map.of(), qualityMetrics());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // what: the call_quality_stats value ("" leaves the member out) | metrics published, name=value
        "present as numbers | {\"inbound\":{\"mos\":3.35,\"packet_count\":950,\"skip_packet_count\":50},\"outbound\":{\"packet_count\":100,\"skip_packet_count\":0}} | CallInboundMos=3.35 CallInboundPacketLossPercent=5.0 CallOutboundPacketLossPercent=0.0",
        "partial: MOS only | {\"inbound\":{\"mos\":\"2.9\"}} | CallInboundMos=2.9",
        "partial: outbound only | {\"outbound\":{\"packet_count\":\"990\",\"skip_packet_count\":\"10\"}} | CallOutboundPacketLossPercent=1.0",
        "null | null | ''",
        "left out | '' | ''",
        "empty object | {} | ''",
        "null sections | {\"inbound\":null,\"outbound\":null} | ''",
        "malformed strings | {\"inbound\":{\"mos\":\"n/a\",\"jitter_max_variance\":\"high\",\"packet_count\":\"lots\",\"skip_packet_count\":\"1\"},\"outbound\":{\"packet_count\":\"\",\"skip_packet_count\":\"x\"}} | ''",
        "absurd numbers | {\"inbound\":{\"mos\":\"97\",\"jitter_max_variance\":\"1e400\",\"packet_count\":\"-5\",\"skip_packet_count\":\"99999999999999999999\"},\"outbound\":{\"packet_count\":\"NaN\",\"skip_packet_count\":\"Infinity\"}} | ''",
        "absurd JSON numbers | {\"inbound\":{\"mos\":1e999,\"jitter_max_variance\":-0.5,\"packet_count\":1.5,\"skip_packet_count\":0}} | ''",
        "one bad value among good ones | {\"inbound\":{\"mos\":\"4.1\",\"jitter_max_variance\":\"oops\"},\"outbound\":{\"packet_count\":\"95\",\"skip_packet_count\":\"5\"}} | CallInboundMos=4.1 CallOutboundPacketLossPercent=5.0",
        "a string | \"4.4\" | ''",
        "an array | [4.4, 1] | ''",
        "sections of the wrong shape | {\"inbound\":\"4.4\",\"outbound\":[1]} | ''",
        "values of the wrong shape | {\"inbound\":{\"mos\":{\"value\":\"4.4\"},\"packet_count\":[1],\"skip_packet_count\":true}} | ''",
    })
    void whateverTheStatsHoldTelnyxGets200AndTheWebBackendTheSameLog(String what, String stats, String expected)
            throws Exception {
        assertEquals(200, deliver("call-status/call-answered.json").getStatusCode());
        APIGatewayV2HTTPResponse response = hangupWith(stats);
        assertEquals(200, response.getStatusCode(), what + ": " + response.getBody());
        assertEquals("call_log_posted", outcome(response), what);
        callLogUnchanged();
        Map<String, Double> published = new LinkedHashMap<>();
        qualityMetrics().forEach((name, lines) -> {
            assertEquals(1, lines.size(), name);
            published.put(name, lines.get(0).get(name).asDouble());
        });
        Map<String, Double> wanted = new LinkedHashMap<>();
        for (String pair : expected.split(" ")) {
            if (!pair.isEmpty()) {
                wanted.put(pair.substring(0, pair.indexOf('=')), Double.parseDouble(pair.substring(pair.indexOf('=') + 1)));
            }
        }
        assertEquals(wanted, published, what);
        if (wanted.isEmpty()) {
            assertTrue(log.text().contains("\"message\":\"call quality not reported\""), what + ": " + log.text());
        }
        assertFalse(log.text().contains("\"level\":\"ERROR\""), what + ": " + log.text());
    }
}
