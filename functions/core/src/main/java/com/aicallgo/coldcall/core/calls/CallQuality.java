package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.log.JsonLog;
import com.aicallgo.coldcall.core.store.CallState;
import com.aicallgo.coldcall.core.telnyx.CallQualityStats;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publishes the audio quality Telnyx measured on an answered call, from its hang-up's {@code call_quality_stats}, as
 * Embedded Metric Format lines: {@value #MOS} (the alarm's metric), {@value #INBOUND_LOSS}, {@value #OUTBOUND_LOSS}
 * and {@value #JITTER}, each only when Telnyx sent what it needs. Unanswered calls carry no conversation and publish
 * nothing. Whatever Telnyx sends, this never throws: unusable values are dropped and named in a WARN line.
 *
 * <p>The MOS bands are ITU-T G.107 (the E-model) Annex B's mapping of its rating R to MOS, read with ITU-T G.109's
 * categories of speech transmission quality: R 70 (MOS {@value #MOS_ACCEPTABLE}) is the lower edge of "medium"
 * ("some users dissatisfied"); below it "many" (R 60, MOS {@value #MOS_POOR}) and then "nearly all" users are
 * dissatisfied. The template's alarm fires when the hourly 10th percentile of {@value #MOS} falls below
 * {@value #MOS_ACCEPTABLE} (its parameter {@code CallQualityMosThreshold}); the page uses the same bands.
 */
public final class CallQuality {
    public static final String MOS = "CallInboundMos";
    public static final String INBOUND_LOSS = "CallInboundPacketLossPercent";
    public static final String OUTBOUND_LOSS = "CallOutboundPacketLossPercent";
    public static final String JITTER = "CallInboundJitterMaxVariance";

    /** G.107 R = 70, G.109 "medium" quality's lower edge: the alarm's default threshold. */
    public static final double MOS_ACCEPTABLE = 3.6;
    /** G.107 R = 60, G.109 "low" quality's lower edge: below it nearly all users are dissatisfied. */
    public static final double MOS_POOR = 3.1;

    private final JsonLog log;

    public CallQuality(JsonLog log) {
        this.log = log;
    }

    /** Publishes the quality of a call that has hung up, if it was answered ({@link CallState#answered}). */
    public void publish(CallControlId callControlId, CallState call, JsonNode callQualityStats) {
        if (!call.answered()) {
            return;
        }
        CallQualityStats stats = CallQualityStats.parse(callQualityStats);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("call_control_id", callControlId);
        if (call.facts() != null && call.facts().rep() != null) {
            // a field, not a dimension: Logs Insights groups the calls by rep at no cost per rep
            fields.put("rep", call.facts().rep());
        }
        if (!stats.rejected().isEmpty()) {
            log.warn("call quality values unusable", Map.of("call_control_id", callControlId,
                    "fields", stats.rejected()));
        }
        if (!stats.present()) {
            log.info("call quality not reported", Map.of("call_control_id", callControlId,
                    "call_quality_stats", callQualityStats == null || callQualityStats.isNull() ? "absent" : "unusable"));
            return;
        }
        if (stats.inboundMos() != null) {
            fields.put("quality", band(stats.inboundMos()));
        }
        publish(MOS, "None", stats.inboundMos(), fields);
        publish(INBOUND_LOSS, "Percent", stats.inboundLossPercent(), fields);
        publish(OUTBOUND_LOSS, "Percent", stats.outboundLossPercent(), fields);
        publish(JITTER, "None", stats.inboundJitterMaxVariance(), fields);
    }

    /** The G.109 band of a MOS: {@code good} (R ≥ 70), {@code fair} (60 ≤ R < 70) or {@code poor}. */
    public static String band(double mos) {
        return mos >= MOS_ACCEPTABLE ? "good" : mos >= MOS_POOR ? "fair" : "poor";
    }

    private void publish(String name, String unit, Double value, Map<String, Object> fields) {
        if (value != null) {
            log.metric(name, unit, Math.round(value * 1000) / 1000.0, fields);
        }
    }
}
