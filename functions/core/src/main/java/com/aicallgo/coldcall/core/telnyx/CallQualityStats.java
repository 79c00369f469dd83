package com.aicallgo.coldcall.core.telnyx;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Telnyx's {@code call_quality_stats} of a {@code call.hangup} (OpenAPI spec, {@code CallHangup}), read leniently: the
 * object may be absent or {@code null}, any value absent, and every value is a string ({@code "4.49"}, {@code "1234"})
 * though a number is taken too. A value that is not a number, or lies outside what a call can produce, is dropped
 * and named in {@link #rejected}; it never fails the webhook. The figures are of the leg the webhook is about (the
 * browser's): {@code inbound} is the audio Telnyx received from it, {@code outbound} what Telnyx sent to it.
 *
 * <p>Telnyx documents {@code skip_packet_count} as "packet loss" and says the figures are aggregated from the media
 * server's hang-up record (FreeSWITCH's {@code CHANNEL_HANGUP_COMPLETE}); there {@code jitter_max_variance} is the
 * largest variance of the packets' inter-arrival time, in ms².
 *
 * @param inboundMos Telnyx's estimate of the inbound audio's Mean Opinion Score, 1..5
 * @param inboundJitterMaxVariance the largest inter-arrival variance of the inbound audio (ms²)
 * @param rejected the fields that were present but unusable, by their JSON path
 */
public record CallQualityStats(
        Double inboundMos,
        Double inboundJitterMaxVariance,
        Long inboundPackets,
        Long inboundSkippedPackets,
        Long outboundPackets,
        Long outboundSkippedPackets,
        List<String> rejected) {

    /** MOS is on a 1..5 scale (ITU-T P.800; the E-model's own range is 1..4.5). */
    static final double MOS_MIN = 1.0;
    static final double MOS_MAX = 5.0;
    /** More packets than a day-long call at 50 packets a second carries, many times over: not a real count. */
    static final long PACKETS_MAX = 1_000_000_000L;
    /** A variance of 10^9 ms² is a standard deviation of over 8 hours: not a real call's. */
    static final double VARIANCE_MAX = 1e9;

    private static final CallQualityStats NONE = unusable(List.of());

    public CallQualityStats {
        rejected = List.copyOf(rejected);
    }

    /** No figure at all: none sent, or none usable ({@code rejected} names what was sent). */
    private static CallQualityStats unusable(List<String> rejected) {
        Double noMos = null;
        Double noVariance = null;
        Long noCount = null;
        return new CallQualityStats(noMos, noVariance, noCount, noCount, noCount, noCount, rejected);
    }

    /** The stats of a hang-up payload's {@code call_quality_stats}; every figure absent when it is absent or not an object. */
    public static CallQualityStats parse(JsonNode stats) {
        if (stats == null || stats.isNull() || stats.isMissingNode()) {
            return NONE;
        }
        List<String> rejected = new ArrayList<>();
        if (!stats.isObject()) {
            rejected.add("call_quality_stats");
            return unusable(rejected);
        }
        JsonNode inbound = section(stats, "inbound", rejected);
        JsonNode outbound = section(stats, "outbound", rejected);
        return new CallQualityStats(
                decimal(inbound, "inbound.mos", MOS_MIN, MOS_MAX, rejected),
                decimal(inbound, "inbound.jitter_max_variance", 0, VARIANCE_MAX, rejected),
                count(inbound, "inbound.packet_count", rejected),
                count(inbound, "inbound.skip_packet_count", rejected),
                count(outbound, "outbound.packet_count", rejected),
                count(outbound, "outbound.skip_packet_count", rejected),
                rejected);
    }

    /** Whether any figure is usable. */
    public boolean present() {
        return inboundMos != null || inboundJitterMaxVariance != null || inboundLossPercent() != null
                || outboundLossPercent() != null;
    }

    /** Skipped inbound packets as a share of the packets due (received plus skipped), 0..100; absent without both counts. */
    public Double inboundLossPercent() {
        return lossPercent(inboundPackets, inboundSkippedPackets);
    }

    /** Skipped outbound packets as a share of the packets due, 0..100; absent without both counts. */
    public Double outboundLossPercent() {
        return lossPercent(outboundPackets, outboundSkippedPackets);
    }

    private static Double lossPercent(Long packets, Long skipped) {
        if (packets == null || skipped == null || packets + skipped == 0) {
            return null;
        }
        return 100.0 * skipped / (packets + skipped);
    }

    private static JsonNode section(JsonNode stats, String name, List<String> rejected) {
        JsonNode section = stats.get(name);
        if (section == null || section.isNull()) {
            return null;
        }
        if (!section.isObject()) {
            rejected.add(name);
            return null;
        }
        return section;
    }

    private static Double decimal(JsonNode section, String path, double min, double max, List<String> rejected) {
        BigDecimal value = number(section, path, rejected);
        if (value == null) {
            return null;
        }
        double result = value.doubleValue();
        if (result < min || result > max) {
            rejected.add(path);
            return null;
        }
        return result;
    }

    private static Long count(JsonNode section, String path, List<String> rejected) {
        BigDecimal value = number(section, path, rejected);
        if (value == null) {
            return null;
        }
        if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(PACKETS_MAX)) > 0
                || value.stripTrailingZeros().scale() > 0) {
            rejected.add(path);
            return null;
        }
        return value.longValueExact();
    }

    /** The value as a number: a numeric string or a JSON number; {@code null} when absent, blank or not a number. */
    private static BigDecimal number(JsonNode section, String path, List<String> rejected) {
        JsonNode node = section == null ? null : section.get(path.substring(path.indexOf('.') + 1));
        if (node == null || node.isNull() || (node.isTextual() && node.asText().isBlank())) {
            return null;
        }
        String text = node.isNumber() || node.isTextual() ? node.asText().trim() : null;
        // BigDecimal takes no NaN or Infinity, and a bounded length keeps "1e999999999" from costing anything
        if (text == null || text.length() > 40) {
            rejected.add(path);
            return null;
        }
        try {
            BigDecimal value = new BigDecimal(text);
            if (Math.abs(value.scale()) > 40) {
                rejected.add(path);
                return null;
            }
            return value;
        } catch (NumberFormatException e) {
            rejected.add(path);
            return null;
        }
    }
}
