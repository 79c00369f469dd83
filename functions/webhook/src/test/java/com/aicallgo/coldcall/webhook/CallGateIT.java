package com.aicallgo.coldcall.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.calls.StartOutcome;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TelnyxExamples;
import com.aicallgo.coldcall.core.testing.TelnyxExamples.Leg;
import com.aicallgo.coldcall.core.testing.TelnyxWireMock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The call gate from the webhooks' side (docs/call-policy.md), in both flows: a destination outside the policy is
 * never connected (parked) or is hung up on its {@code call.initiated} (direct), is never recorded, and gets one
 * {@code failed} call log; calls that are not ours (inbound, another connection) are acknowledged and left alone;
 * the limits hold under a burst and count a redelivered {@code call.initiated} once.
 */
class CallGateIT {
    static final int DB = 15;
    static final String CALL_LOGS = "/api/v1/call-logs";
    static final String TRANSFER = "/v2/calls/.*/actions/transfer";
    static final String HANGUP = "/v2/calls/.*/actions/hangup";
    static final String RECORD_START = "/v2/calls/.*/actions/record_start";
    static final Instant T = Instant.parse("2025-11-15T10:30:00Z");
    static final String CALLER_ID = "+15550000001";
    static final String REP_LOGIN = "sip:gencred-ana@sip.telnyx.com";

    private final WireMockServer stubs = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = new MutableClock(T.plusSeconds(1));
    private Map<String, String> env;
    private Wiring wiring;
    private WebhookHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        stubs.start();
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201)));
        stubs.stubFor(post(urlPathMatching(TRANSFER)).willReturn(ok()));
        stubs.stubFor(post(urlPathMatching(HANGUP)).willReturn(ok()));
        stubs.stubFor(post(urlPathMatching(RECORD_START)).willReturn(ok()));
        env = Fixtures.environment(TestRedis.url(DB), stubs.baseUrl(), stubs.baseUrl());
        warmUp();
        build();
    }

    private static boolean warm;

    /**
     * Once per JVM, one parked call through a throwaway handler: the first request of a JVM pays its class loading
     * and a loaded machine can push that past the webhook's 1.5 s budget. These tests are about the gate; cold
     * starts are the bench's. Nothing of it stays: Redis is flushed and the stubs forget the requests.
     */
    private void warmUp() {
        if (warm) {
            return;
        }
        warm = true;
        Map<String, String> parked = new java.util.HashMap<>(env);
        parked.put("CALL_FLOW", "parked");
        Wiring throwaway = Fixtures.wiring("CallStatusWebhookFunction", parked, clock, new Fixtures.Log());
        try {
            new WebhookHandler(throwaway).handleRequest(Fixtures.withBody(Fixtures.event("call-status/call-initiated.json"),
                    TelnyxExamples.specInitiated(browser("v3:gate-warm-up", "+12025550100"), "parked", T),
                    clock.instant()), null);
        } finally {
            throwaway.redis().close();
            TestRedis.flush(DB);
            stubs.resetRequests();
        }
    }

    private void build() {
        if (wiring != null) {
            wiring.redis().close();
        }
        wiring = Fixtures.wiring("CallStatusWebhookFunction", env, clock, log);
        handler = new WebhookHandler(wiring);
        wiring.reps().remember("gencred-ana", "ana@example.com", Duration.ofHours(1));
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        TelnyxWireMock.checkCommands(stubs);
        stubs.stop();
        assertFalse(log.text().contains(env.get("TELNYX_SIP_API_KEY")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"data\":{\"result\":\"ok\"}}");
    }

    private String deliver(String body) throws Exception {
        APIGatewayV2HTTPResponse response = handler.handleRequest(Fixtures.withBody(
                Fixtures.event("call-status/call-initiated.json"), body, clock.instant()), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        return Json.mapper().readTree(response.getBody()).get("outcome").asText();
    }

    /** The browser leg's call.initiated as Telnyx sends it, with the rep's SIP login in from_sip_uri. */
    private static String initiated(Leg leg, String state, Instant at) throws Exception {
        ObjectNode body = (ObjectNode) Json.mapper().readTree(TelnyxExamples.specInitiated(leg, state, at));
        ((ObjectNode) body.path("data").path("payload")).put("from_sip_uri", REP_LOGIN);
        return Json.mapper().writeValueAsString(body);
    }

    private static String withPayload(String json, String field, String value) throws Exception {
        ObjectNode body = (ObjectNode) Json.mapper().readTree(json);
        ((ObjectNode) body.path("data").path("payload")).put(field, value);
        return Json.mapper().writeValueAsString(body);
    }

    private static Leg browser(String id, String to) {
        return Leg.of(id).withNumbers(CALLER_ID, to);
    }

    private List<JsonNode> commands(String path) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (var request : stubs.findAll(postRequestedFor(urlPathMatching(path)))) {
            if (!request.getUrl().contains("gate-warm-up")) {
                found.add(Json.mapper().readTree(request.getBodyAsString()));
            }
        }
        return found;
    }

    private List<JsonNode> callLogs() throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (var request : stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS)))) {
            found.add(Json.mapper().readTree(request.getBodyAsString()));
        }
        return found;
    }

    private static String header(JsonNode hangup, String name) {
        for (JsonNode header : hangup.path("custom_headers")) {
            if (header.path("name").asText().equals(name)) {
                return header.path("value").asText();
            }
        }
        return null;
    }

    private List<JsonNode> logLines(String key, String value) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.text().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = Json.mapper().readTree(line);
            if (value.equals(node.path(key).asText())) {
                lines.add(node);
            }
        }
        return lines;
    }

    private void assertBlockedMetric(String rule, String rep) throws Exception {
        List<JsonNode> metrics = logLines("rule", rule).stream().filter(line -> line.has("CallBlocked")).toList();
        assertEquals(1, metrics.size(), log.text());
        JsonNode metric = metrics.get(0);
        assertEquals(rep, metric.path("rep").asText());
        JsonNode dimensions = metric.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions");
        assertEquals("[[\"Stage\"],[\"Stage\",\"rule\",\"rep\"]]", dimensions.toString().replace("\"rep\",\"rule\"",
                "\"rule\",\"rep\"").replace(" ", ""));
        assertTrue(logLines("level", "WARN").stream().anyMatch(line -> rule.equals(line.path("rule").asText())
                && rep.equals(line.path("rep").asText())), "a WARN line names the rule and the rep");
    }

    // ---------------------------------------------------------------- direct flow

    @ParameterizedTest(name = "direct: {0} -> {1}")
    @CsvSource({
        "+19005551234, premium_rate",
        "+8816123456789, satellite",
        "+882161234567, international_network",
        "+97912345678, premium_rate",
        "+18765551234, caribbean_toll_fraud",
        "sip:+12025550100@evil.example.com, sip_uri",
        "+15550000001, own_number"})
    void directABlockedDestinationIsHungUpOnItsInitiatedAndNeverRecorded(String to, String rule) throws Exception {
        Leg call = browser("v3:gate-direct-0001", to);
        assertEquals("call_blocked", deliver(initiated(call, "bridging", T)));
        List<JsonNode> hangups = commands(HANGUP);
        assertEquals(1, hangups.size());
        assertEquals("blocked", header(hangups.get(0), "X-Cold-Call-Outcome"));
        assertTrue(header(hangups.get(0), "X-Cold-Call-Reason").length() > 10);
        assertBlockedMetric(rule, "ana@example.com");

        // the page's start-recording and the answer both find the call refused: no record_start
        assertEquals(StartOutcome.BLOCKED, wiring.recordingStarter().start(new CallControlId(call.callControlId()),
                null, null));
        clock.set(T.plusSeconds(2));
        assertEquals("call_blocked", deliver(TelnyxExamples.specAnswered(call, T.plusSeconds(2))));
        assertEquals(0, commands(RECORD_START).size());

        clock.set(T.plusSeconds(3));
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(call, "normal_clearing", "caller", "200",
                T, T.plusSeconds(3))));
        List<JsonNode> logs = callLogs();
        assertEquals(1, logs.size());
        assertEquals("failed", logs.get(0).get("call_status").asText());
        assertEquals(1, commands(HANGUP).size(), "one hang-up of ours");
    }

    @Test
    void directAnAllowedCallGoesAheadAndIsRecordedOnItsAnswer() throws Exception {
        Leg call = browser("v3:gate-direct-0002", "+12025550100");
        assertEquals("recorded", deliver(initiated(call, "bridging", T)));
        assertEquals(0, commands(HANGUP).size());
        clock.set(T.plusSeconds(5));
        assertEquals("recording_started", deliver(TelnyxExamples.specAnswered(call, T.plusSeconds(4))));
        assertEquals(1, commands(RECORD_START).size());
        assertEquals("ana@example.com", wiring.calls().read(new CallControlId(call.callControlId())).facts().rep());
    }

    // ---------------------------------------------------------------- parked flow

    @Test
    void parkedABlockedDestinationIsNeverConnected() throws Exception {
        env.put("CALL_FLOW", "parked");
        build();
        Leg call = browser("v3:gate-parked-0001", "+8816123456789");
        assertEquals("call_blocked", deliver(initiated(call, "parked", T)));
        assertEquals("duplicate", deliver(initiated(call, "parked", T)), "a redelivery");
        assertEquals(0, commands(TRANSFER).size(), "never connected");
        List<JsonNode> hangups = commands(HANGUP);
        assertEquals(1, hangups.size());
        assertEquals("blocked", header(hangups.get(0), "X-Cold-Call-Outcome"));
        assertEquals("a satellite phone number (charged at satellite rates)",
                header(hangups.get(0), "X-Cold-Call-Reason"));
        assertBlockedMetric("satellite", "ana@example.com");
        clock.set(T.plusSeconds(3));
        deliver(TelnyxExamples.specHangup(call, "normal_clearing", "caller", "200", T, T.plusSeconds(2)));
        deliver(TelnyxExamples.specHangup(call, "normal_clearing", "caller", "200", T, T.plusSeconds(2)));
        List<JsonNode> logs = callLogs();
        assertEquals(1, logs.size(), "one call log");
        assertEquals("failed", logs.get(0).get("call_status").asText());
    }

    @Test
    void parkedAnAllowedCallIsConnected() throws Exception {
        env.put("CALL_FLOW", "parked");
        build();
        assertEquals("connecting", deliver(initiated(browser("v3:gate-parked-0002", "+12025550100"), "parked", T)));
        assertEquals(1, commands(TRANSFER).size());
    }

    @Test
    void aRedeliveryAfterTheHangUpFailedHangsUpAgainWithTheSameWords() throws Exception {
        env.put("CALL_FLOW", "parked");
        build();
        stubs.stubFor(post(urlPathMatching(HANGUP)).willReturn(aResponse().withStatus(503)));
        Leg call = browser("v3:gate-parked-0003", "+19005551234");
        APIGatewayV2HTTPResponse refused = handler.handleRequest(Fixtures.withBody(
                Fixtures.event("call-status/call-initiated.json"), initiated(call, "parked", T), clock.instant()), null);
        assertEquals(503, refused.getStatusCode(), "Telnyx did not take the hang-up: deliver again");
        stubs.stubFor(post(urlPathMatching(HANGUP)).willReturn(ok()));
        clock.advance(Duration.ofSeconds(2));
        assertEquals("call_blocked", deliver(initiated(call, "parked", T)));
        assertEquals(0, commands(TRANSFER).size());
        List<JsonNode> hangups = commands(HANGUP);
        assertEquals("blocked", header(hangups.get(hangups.size() - 1), "X-Cold-Call-Outcome"));
        assertEquals("a premium-rate number (the caller pays a surcharge)",
                header(hangups.get(hangups.size() - 1), "X-Cold-Call-Reason"));
        assertEquals(1, logLines("rule", "premium_rate").stream().filter(l -> l.has("CallBlocked")).count(),
                "counted once");
    }

    // ---------------------------------------------------------------- only our calls

    @ParameterizedTest(name = "{0}")
    @CsvSource({"inbound, direct", "inbound, parked", "another_connection, direct", "another_connection, parked"})
    void aCallThatIsNotOursGetsNoCommandAndNoCallLog(String kind, String flow) throws Exception {
        env.put("CALL_FLOW", flow);
        build();
        // a prospect calling our number back: Telnyx's incoming leg, to our number
        Leg call = kind.equals("inbound")
                ? Leg.of("v3:gate-foreign-0001").withNumbers("+12025550100", CALLER_ID)
                : new Leg("v3:gate-foreign-0001", "leg-foreign-0001", "session-foreign-0001", "someone-elses-conn",
                        CALLER_ID, "+19005551234", null);
        String initiated = TelnyxExamples.specInitiated(call, "parked", T);
        if (kind.equals("inbound")) {
            initiated = withPayload(initiated, "direction", "incoming");
        }
        assertEquals("not_ours", deliver(initiated));
        clock.set(T.plusSeconds(5));
        assertEquals("not_ours", deliver(TelnyxExamples.specAnswered(call, T.plusSeconds(4))));
        clock.set(T.plusSeconds(30));
        assertEquals("not_ours", deliver(TelnyxExamples.specHangup(call, "normal_clearing", "caller", "200", T,
                T.plusSeconds(30))));
        assertEquals(List.of(), commands("/v2/.*"), "no command to Telnyx");
        assertEquals(0, callLogs().size(), "no call log");
        assertTrue(log.text().contains("not our call"), log.text());
        assertTrue(logLines("level", "INFO").stream().anyMatch(line -> kind.equals(line.path("reason").asText())));
    }

    // ---------------------------------------------------------------- limits

    @Test
    void aBurstOverTheRepsLimitIsHungUpAndAHangUpFreesASlot() throws Exception {
        env.put("DIAL_MAX_CONCURRENT_PER_REP", "2");
        build();
        List<String> outcomes = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            outcomes.add(deliver(initiated(browser("v3:gate-burst-000" + i, "+1202555010" + i), "bridging", T)));
        }
        assertEquals(List.of("recorded", "recorded", "call_blocked", "call_blocked"), outcomes);
        List<JsonNode> hangups = commands(HANGUP);
        assertEquals(2, hangups.size());
        assertEquals("limited", header(hangups.get(0), "X-Cold-Call-Outcome"));
        assertTrue(header(hangups.get(0), "X-Cold-Call-Reason").contains("2 call(s) up"));
        assertEquals(2, logLines("rule", "per_rep_concurrent").stream().filter(l -> l.has("CallBlocked")).count());

        clock.set(T.plusSeconds(20));
        Leg first = browser("v3:gate-burst-0001", "+12025550101");
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(first, "user_busy", "callee", "486", T,
                T.plusSeconds(20))));
        assertEquals("recorded", deliver(initiated(browser("v3:gate-burst-0005", "+12025550105"), "bridging",
                T.plusSeconds(21))), "the ended call's slot is free again");
    }

    @Test
    void aRedeliveredInitiatedIsCountedOnce() throws Exception {
        env.put("DIAL_MAX_CONCURRENT_PER_REP", "1");
        env.put("DIAL_MAX_PER_REP_PER_HOUR", "1");
        build();
        Leg call = browser("v3:gate-once-0001", "+12025550100");
        assertEquals("recorded", deliver(initiated(call, "bridging", T)));
        assertEquals("duplicate", deliver(TelnyxExamples.withMeta(initiated(call, "bridging", T), 2, "call-status")));
        // the same call, a delivery Telnyx gave another event id: still the one call
        clock.advance(Duration.ofSeconds(1));
        assertEquals("recorded", deliver(initiated(call, "bridging", T.plusMillis(500))));
        assertEquals(0, commands(HANGUP).size());
        assertEquals("call_blocked", deliver(initiated(browser("v3:gate-once-0002", "+12025550102"), "bridging",
                T.plusSeconds(2))));
    }

    @Test
    void anUnknownRepSharesOneBucket() throws Exception {
        env.put("DIAL_MAX_CONCURRENT_PER_REP", "1");
        build();
        assertEquals("recorded", deliver(TelnyxExamples.specInitiated(browser("v3:gate-unknown-0001",
                "+12025550100"), "bridging", T)));
        assertEquals("call_blocked", deliver(withPayload(TelnyxExamples.specInitiated(browser("v3:gate-unknown-0002",
                "+12025550101"), "bridging", T), "from_sip_uri", "sip:nobody-we-know@sip.telnyx.com")));
        assertBlockedMetric("per_rep_concurrent", "unknown");
        // a login we know has a bucket of its own
        assertEquals("recorded", deliver(initiated(browser("v3:gate-unknown-0003", "+12025550102"), "bridging", T)));
    }

    /** The browser leg's call.initiated with the page's rep tag as Telnyx hands on the INVITE's custom headers. */
    private static String tagged(Leg leg, String tag) throws Exception {
        ObjectNode body = (ObjectNode) Json.mapper().readTree(TelnyxExamples.specInitiated(leg, "bridging", T));
        ObjectNode payload = (ObjectNode) body.path("data").path("payload");
        var headers = payload.putArray("custom_headers");
        headers.addObject().put("name", "X-RTC-CALLID").put("value", "abc");
        headers.addObject().put("name", "x-cold-call-rep").put("value", tag); // header names are case-insensitive
        return Json.mapper().writeValueAsString(body);
    }

    @Test
    void thePagesOwnIdOnTheInviteFindsTheCallEvenWhenTheGateRefusesIt() throws Exception {
        build();
        String pageId = java.util.UUID.randomUUID().toString();
        ObjectNode body = (ObjectNode) Json.mapper().readTree(TelnyxExamples.specInitiated(
                browser("v3:gate-page-0001", "+19005550100"), "bridging", T));
        ((ObjectNode) body.path("data").path("payload")).putArray("custom_headers").addObject()
                .put("name", "x-cold-call-page-id").put("value", pageId);
        assertEquals("call_blocked", deliver(Json.mapper().writeValueAsString(body)));
        assertEquals(new CallControlId("v3:gate-page-0001"), wiring.calls().callOfPage(pageId),
                "refused before it rang, the page still finds its call (Telnyx named it to nobody)");
        assertNull(wiring.calls().callOfPage("not-a-page-id-we-were-given"));
    }

    @Test
    void theRepTagOnTheInviteNamesTheRepAndAForgedOneNamesNobody() throws Exception {
        env.put("DIAL_MAX_CONCURRENT_PER_REP", "1");
        build();
        String tag = com.aicallgo.coldcall.core.store.Reps.newTag();
        wiring.reps().rememberTag(tag, "bea", Duration.ofHours(1));
        // the caller ID in from (as the page sends it), no SIP login anywhere: the tag alone names the rep
        assertEquals("recorded", deliver(tagged(browser("v3:gate-tag-0001", "+12025550100"), tag)));
        assertEquals("bea", wiring.calls().read(new CallControlId("v3:gate-tag-0001")).facts().rep());
        // bea's one slot is taken: her next call is over her limit, whatever else it says
        assertEquals("call_blocked", deliver(tagged(browser("v3:gate-tag-0002", "+12025550101"), tag)));
        assertBlockedMetric("per_rep_concurrent", "bea");
        // a tag we never issued (guessed, or another shape) counts for nobody: the unknown bucket, not bea's
        String forged = com.aicallgo.coldcall.core.store.Reps.newTag();
        assertEquals("recorded", deliver(tagged(browser("v3:gate-tag-0003", "+12025550102"), forged)));
        assertEquals("unknown", wiring.calls().read(new CallControlId("v3:gate-tag-0003")).facts().rep());
        assertEquals("call_blocked", deliver(tagged(browser("v3:gate-tag-0004", "+12025550103"),
                "bea\r\nX-Evil: 1")));
        assertEquals(List.of("bea", "unknown"), logLines("rule", "per_rep_concurrent").stream()
                .filter(line -> line.has("CallBlocked")).map(line -> line.path("rep").asText()).toList());
    }

    @Test
    void aPoisonedRepEntryInRedisNamesNobody() throws Exception {
        env.put("DIAL_MAX_CONCURRENT_PER_REP", "1");
        build();
        String tag = com.aicallgo.coldcall.core.store.Reps.newTag();
        // written behind our back: a rep that is no rep name (a header injection, then a megabyte)
        com.aicallgo.coldcall.core.testing.TestRedis.with(DB, redis -> redis.set("cold_call_rep_of_tag:{" + tag + "}",
                "bea\r\nX-Evil: 1"));
        assertEquals("recorded", deliver(tagged(browser("v3:gate-poison-0001", "+12025550100"), tag)));
        assertEquals("unknown", wiring.calls().read(new CallControlId("v3:gate-poison-0001")).facts().rep());
        com.aicallgo.coldcall.core.testing.TestRedis.with(DB, redis -> redis.set("cold_call_rep_of_tag:{" + tag + "}",
                "a".repeat(1 << 20)));
        assertEquals("call_blocked", deliver(tagged(browser("v3:gate-poison-0002", "+12025550101"), tag)));
        assertBlockedMetric("per_rep_concurrent", "unknown");
        assertFalse(log.text().contains("X-Evil") || log.text().contains("a".repeat(100)), "nothing poisoned is logged");
    }

    @Test
    void aSpecMinimalInitiatedIsGatedAsOurs() throws Exception {
        // only what the spec requires: no direction, connection_id, state, start_time, from_sip_uri or custom_headers
        String premium = """
                {"data":{"record_type":"event","event_type":"call.initiated","id":"6f0c5b1e-3c1a-4a55-9a0e-2b1f9a7c0001",
                "occurred_at":"%s","payload":{"call_control_id":"v3:gate-minimal-0001","to":"+19005550100",
                "from":"+15550000001"}}}""".formatted(T);
        assertEquals("call_blocked", deliver(premium));
        assertBlockedMetric("premium_rate", "unknown");
        assertEquals("premium_rate", wiring.calls().read(new CallControlId("v3:gate-minimal-0001")).facts().blocked());
    }
}
