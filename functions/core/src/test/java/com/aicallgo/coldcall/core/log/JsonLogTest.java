package com.aicallgo.coldcall.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.aicallgo.coldcall.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode metricLine(JsonLog log, Fixtures.Log out) throws Exception {
        log.metric("DeadLetters", "Count", 1, Map.of("record", "call_log"));
        return JSON.readTree(out.text().strip());
    }

    @Test
    void onLambdaAMetricCarriesTheDeployedFunctionNameAsASecondDimensionSet() throws Exception {
        Fixtures.Log out = new Fixtures.Log();
        JsonNode line = metricLine(new JsonLog("OutboxDrainFunction", "coldcall-prod-OutboxDrainFunction-Ab12", out.stream()), out);
        JsonNode metrics = line.get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals("ColdCallDialer", metrics.get("Namespace").asText());
        assertEquals("[[\"function\"],[\"function_name\"]]", metrics.get("Dimensions").toString());
        assertEquals("OutboxDrainFunction", line.get("function").asText());
        assertEquals("coldcall-prod-OutboxDrainFunction-Ab12", line.get("function_name").asText());
        assertEquals(1, line.get("DeadLetters").asInt());
        assertEquals("call_log", line.get("record").asText());
    }

    @Test
    void withoutAFunctionNameOnlyTheLogicalIdIsADimension() throws Exception {
        Fixtures.Log out = new Fixtures.Log();
        JsonNode line = metricLine(new JsonLog("OutboxDrainFunction", null, out.stream()), out);
        assertEquals("[[\"function\"]]", line.get("_aws").get("CloudWatchMetrics").get(0).get("Dimensions").toString());
        assertFalse(line.has("function_name"), "an EMF dimension must name a field the line has");
    }
}
