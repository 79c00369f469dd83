package com.aicallgo.coldcall.core.telnyx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Telnyx's call_quality_stats read leniently: no I/O. */
class CallQualityStatsTest {
    private static CallQualityStats parse(String json) throws Exception {
        return CallQualityStats.parse(json == null ? null : Json.mapper().readTree(json));
    }

    @Test
    void theSpecsStringsAreNumbersAndLossIsSkippedOverDue() throws Exception {
        CallQualityStats stats = parse("""
                {"inbound": {"mos": "4.49", "jitter_max_variance": "185.33", "jitter_packet_count": "0",
                             "packet_count": "1334", "skip_packet_count": "54"},
                 "outbound": {"packet_count": "538", "skip_packet_count": "0"}}""");
        assertEquals(4.49, stats.inboundMos());
        assertEquals(185.33, stats.inboundJitterMaxVariance());
        assertEquals(100.0 * 54 / 1388, stats.inboundLossPercent(), 1e-9);
        assertEquals(0.0, stats.outboundLossPercent());
        assertEquals(List.of(), stats.rejected());
        assertTrue(stats.present());
    }

    @Test
    void jsonNumbersAreTakenToo() throws Exception {
        CallQualityStats stats = parse("{\"inbound\": {\"mos\": 3.2, \"packet_count\": 90, \"skip_packet_count\": 10}}");
        assertEquals(3.2, stats.inboundMos());
        assertEquals(10.0, stats.inboundLossPercent(), 1e-9);
        assertNull(stats.outboundLossPercent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "{}", "{\"inbound\": null, \"outbound\": null}", "{\"inbound\": {}}"})
    void nothingToReadIsAbsentAndNotAnError(String json) throws Exception {
        CallQualityStats stats = parse(json);
        assertFalse(stats.present());
        assertEquals(List.of(), stats.rejected());
    }

    @Test
    void aMissingObjectIsAbsent() throws Exception {
        assertFalse(parse(null).present());
    }

    @Test
    void onlyWhatIsThereIsRead() throws Exception {
        CallQualityStats stats = parse("{\"inbound\": {\"packet_count\": \"100\"}, \"outbound\": {\"skip_packet_count\": \"3\"}}");
        assertFalse(stats.present(), "a packet count alone is no loss figure");
        assertNull(stats.inboundLossPercent());
        assertEquals(List.of(), stats.rejected());
    }

    @Test
    void noPacketsAtAllIsNoLossFigureButOnlySkippedIsAllLost() throws Exception {
        assertNull(parse("{\"inbound\": {\"packet_count\": \"0\", \"skip_packet_count\": \"0\"}}").inboundLossPercent());
        assertEquals(100.0, parse("{\"inbound\": {\"packet_count\": \"0\", \"skip_packet_count\": \"4561\"}}")
                .inboundLossPercent());
    }

    @Test
    void malformedAndAbsurdValuesAreDroppedAndNamedTheRestKept() throws Exception {
        CallQualityStats stats = parse("""
                {"inbound": {"mos": "excellent", "jitter_max_variance": "-1", "packet_count": "12.5",
                             "skip_packet_count": "99999999999999"},
                 "outbound": {"packet_count": "500", "skip_packet_count": "5"}}""");
        assertNull(stats.inboundMos());
        assertNull(stats.inboundJitterMaxVariance());
        assertNull(stats.inboundLossPercent());
        assertEquals(100.0 * 5 / 505, stats.outboundLossPercent(), 1e-9);
        assertEquals(List.of("inbound.mos", "inbound.jitter_max_variance", "inbound.packet_count",
                "inbound.skip_packet_count"), stats.rejected());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"0.5\"", "\"5.01\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e999999\"", "1e999",
        "\"4.2.1\"", "\" \"", "true", "[4.2]", "{\"value\": 4.2}", "\"0x4\"",
        "\"4.200000000000000000000000000000000000000000001\""})
    void aMosThatNoCallHasIsDropped(String mos) throws Exception {
        CallQualityStats stats = parse("{\"inbound\": {\"mos\": " + mos + "}}");
        assertNull(stats.inboundMos(), mos);
        assertFalse(stats.present());
    }

    @Test
    void aMosAtTheScaleEdgesIsKept() throws Exception {
        assertEquals(1.0, parse("{\"inbound\": {\"mos\": \"1\"}}").inboundMos());
        assertEquals(4.5, parse("{\"inbound\": {\"mos\": \" 4.50 \"}}").inboundMos());
        assertEquals(5.0, parse("{\"inbound\": {\"mos\": \"5.0\"}}").inboundMos());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"stats\"", "42", "[]", "true"})
    void statsThatAreNotAnObjectAreNamedAndIgnored(String json) throws Exception {
        CallQualityStats stats = parse(json);
        assertFalse(stats.present());
        assertEquals(List.of("call_quality_stats"), stats.rejected());
    }

    @Test
    void aSectionThatIsNotAnObjectIsNamedAndIgnored() throws Exception {
        CallQualityStats stats = parse("{\"inbound\": \"4.4\", \"outbound\": {\"packet_count\": \"10\", \"skip_packet_count\": \"0\"}}");
        assertEquals(List.of("inbound"), stats.rejected());
        assertEquals(0.0, stats.outboundLossPercent());
    }

    @Test
    void wholeCountsWrittenWithADecimalPointOrExponentAreCounts() throws Exception {
        CallQualityStats stats = parse("{\"inbound\": {\"packet_count\": \"1e3\", \"skip_packet_count\": \"0.0\"}}");
        assertEquals(1000L, stats.inboundPackets());
        assertEquals(0L, stats.inboundSkippedPackets());
    }

    static JsonNode node(String json) throws Exception {
        return Json.mapper().readTree(json);
    }
}
