package com.aicallgo.coldcall.core.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallState;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What one hang-up's quality figures publish: the EMF lines, read back as CloudWatch would. No I/O. */
class CallQualityTest {
    private static final String FULL = """
            {"inbound": {"mos": "4.49", "jitter_max_variance": "185.33", "jitter_packet_count": "0",
                         "packet_count": "1334", "skip_packet_count": "54"},
             "outbound": {"packet_count": "538", "skip_packet_count": "0"}}""";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CallQuality quality = new CallQuality(
            new JsonLog("CallStatusWebhookFunction", "prod", new PrintStream(out, true, StandardCharsets.UTF_8)));

    private static CallState answered() {
        return CallLogBuilderTest.call(5, 125, "normal_clearing", null, null);
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            lines.add(Json.mapper().readTree(line));
        }
        return lines;
    }

    /** Each metric line's value by metric name, every line checked to be the EMF CloudWatch accepts. */
    private Map<String, JsonNode> metrics() throws Exception {
        Map<String, JsonNode> metrics = new LinkedHashMap<>();
        for (JsonNode line : lines()) {
            if (!line.has("_aws")) {
                continue;
            }
            JsonNode directive = line.get("_aws").get("CloudWatchMetrics").get(0);
            assertEquals("ColdCallDialer", directive.get("Namespace").asText());
            assertEquals("Stage", directive.get("Dimensions").get(0).get(0).asText());
            assertEquals("prod", line.get("Stage").asText());
            assertEquals(1, directive.get("Metrics").size());
            String name = directive.get("Metrics").get(0).get("Name").asText();
            assertTrue(line.get(name).isNumber(), name);
            metrics.put(name, line);
        }
        return metrics;
    }

    @Test
    void eachLineNamesTheCallsRepAsAFieldNotADimension() throws Exception {
        CallState plain = answered();
        CallState alices = new CallState(plain.callControlId(), plain.facts().withRep("alice"), plain.recording(),
                plain.recordingStartedAt(), plain.recordingChecked(), plain.empty(), plain.sendings(),
                plain.handledEvents(), plain.answered());
        quality.publish(new CallControlId("v3:q1"), alices, Json.mapper().readTree(FULL));
        for (JsonNode line : metrics().values()) {
            assertEquals("alice", line.get("rep").asText());
            assertEquals(1, line.at("/_aws/CloudWatchMetrics/0/Dimensions/0").size(), "one metric per stage, not per rep");
        }
        out.reset();
        quality.publish(new CallControlId("v3:q2"), plain, Json.mapper().readTree(FULL));
        assertTrue(metrics().values().stream().noneMatch(line -> line.has("rep")));
    }

    @Test
    void anAnsweredCallPublishesMosLossBothWaysAndJitter() throws Exception {
        quality.publish(new CallControlId("v3:q1"), answered(), Json.mapper().readTree(FULL));
        Map<String, JsonNode> metrics = metrics();
        assertEquals(List.of(CallQuality.MOS, CallQuality.INBOUND_LOSS, CallQuality.OUTBOUND_LOSS, CallQuality.JITTER),
                List.copyOf(metrics.keySet()));
        assertEquals(4.49, metrics.get(CallQuality.MOS).get(CallQuality.MOS).asDouble());
        assertEquals("None", metrics.get(CallQuality.MOS).at("/_aws/CloudWatchMetrics/0/Metrics/0/Unit").asText());
        assertEquals(3.89, metrics.get(CallQuality.INBOUND_LOSS).get(CallQuality.INBOUND_LOSS).asDouble());
        assertEquals("Percent", metrics.get(CallQuality.INBOUND_LOSS).at("/_aws/CloudWatchMetrics/0/Metrics/0/Unit").asText());
        assertEquals(0.0, metrics.get(CallQuality.OUTBOUND_LOSS).get(CallQuality.OUTBOUND_LOSS).asDouble());
        assertEquals(185.33, metrics.get(CallQuality.JITTER).get(CallQuality.JITTER).asDouble());
        for (JsonNode line : metrics.values()) {
            assertEquals("v3:q1", line.get("call_control_id").asText());
            assertEquals("good", line.get("quality").asText());
        }
    }

    @Test
    void aCallThatNeverTalkedPublishesNothing() throws Exception {
        quality.publish(new CallControlId("v3:q2"), CallLogBuilderTest.call(null, 30, "user_busy", null, null), Json.mapper().readTree(FULL));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aHangupWhoseCauseSaysItTalkedPublishesBeforeItsAnswerArrives() throws Exception {
        // normal_clearing with a recording Telnyx made of the call: it talked (CallEnding's rule)
        quality.publish(new CallControlId("v3:q3"), CallLogBuilderTest.call(null, 125, "normal_clearing", 3, null),
                Json.mapper().readTree(FULL));
        assertEquals(4, metrics().size());
        out.reset();
        quality.publish(new CallControlId("v3:q3b"), CallLogBuilderTest.call(null, 125, "normal_clearing", null, null),
                Json.mapper().readTree(FULL));
        assertEquals(0, metrics().size(), "normal_clearing alone does not say the call talked");
    }

    @Test
    void absentStatsPublishNoMetricAndSaySo() throws Exception {
        quality.publish(new CallControlId("v3:q4"), answered(), null);
        quality.publish(new CallControlId("v3:q4"), answered(), Json.mapper().readTree("null"));
        assertEquals(Map.of(), metrics());
        List<JsonNode> lines = lines();
        assertEquals(2, lines.size());
        for (JsonNode line : lines) {
            assertEquals("call quality not reported", line.get("message").asText());
            assertEquals("absent", line.get("call_quality_stats").asText());
        }
    }

    @Test
    void partialStatsPublishWhatTheyCarry() throws Exception {
        quality.publish(new CallControlId("v3:q5"), answered(), Json.mapper().readTree("{\"inbound\": {\"mos\": \"3.3\"}}"));
        Map<String, JsonNode> metrics = metrics();
        assertEquals(List.of(CallQuality.MOS), List.copyOf(metrics.keySet()));
        assertEquals("fair", metrics.get(CallQuality.MOS).get("quality").asText());
    }

    @Test
    void unusableValuesAreNamedInAWarnAndTheRestPublished() throws Exception {
        quality.publish(new CallControlId("v3:q6"), answered(), Json.mapper().readTree("""
                {"inbound": {"mos": "NaN", "packet_count": "-4", "skip_packet_count": "2"},
                 "outbound": {"packet_count": "98", "skip_packet_count": "2"}}"""));
        assertEquals(List.of(CallQuality.OUTBOUND_LOSS), List.copyOf(metrics().keySet()));
        JsonNode warn = lines().get(0);
        assertEquals("WARN", warn.get("level").asText());
        assertEquals("call quality values unusable", warn.get("message").asText());
        assertEquals("[\"inbound.mos\",\"inbound.packet_count\"]", warn.get("fields").toString());
    }

    @Test
    void statsOfTheWrongShapeAreUnusableNotAnError() throws Exception {
        quality.publish(new CallControlId("v3:q7"), answered(), Json.mapper().readTree("\"4.4\""));
        assertEquals(Map.of(), metrics());
        assertEquals("unusable", lines().get(1).get("call_quality_stats").asText());
    }

    @ParameterizedTest
    @CsvSource({"4.5, good", "3.6, good", "3.59, fair", "3.1, fair", "3.09, poor", "1.0, poor"})
    void theBandsAreG107sRatingsSeventyAndSixty(double mos, String band) {
        assertEquals(band, CallQuality.band(mos));
    }

    @Test
    void theThresholdsAreG107AnnexBsMosForRatingsSeventyAndSixty() {
        // G.107 Annex B: MOS = 1 + 0.035 R + R (R - 60) (100 - R) 7e-6
        assertEquals(CallQuality.MOS_ACCEPTABLE, Math.round(mos(70) * 10) / 10.0);
        assertEquals(CallQuality.MOS_POOR, Math.round(mos(60) * 10) / 10.0);
    }

    private static double mos(double r) {
        return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
    }
}
