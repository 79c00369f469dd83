package com.aicallgo.coldcall.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.CallControlId;
import com.aicallgo.coldcall.core.Wiring;
import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.telnyx.ClientState;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.MutableClock;
import com.aicallgo.coldcall.core.testing.TelnyxExamples;
import com.aicallgo.coldcall.core.testing.TelnyxExamples.Leg;
import com.aicallgo.coldcall.core.testing.TelnyxWireMock;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attribution from an attacker's side (the direct flow): another call's events, whatever {@code client_state}, leg or
 * session id they carry, never end, hang up or log a victim's call; each is logged as its own.
 */
class AttributionIT {
    static final int DB = 13;
    static final String CALL_LOGS = "/api/v1/call-logs";
    static final String COMMANDS = "/v2/calls/.*/actions/.*";
    static final Instant T = Instant.parse("2025-11-15T10:30:00Z");

    private final WireMockServer stubs = new WireMockServer(options().dynamicPort());
    private final Fixtures.Log log = new Fixtures.Log();
    private final MutableClock clock = new MutableClock(T.plusSeconds(1));
    private final Leg victim = Leg.of("v3:victim-0001");
    private final Leg attacker = Leg.of("v3:attacker-0001");
    private Map<String, String> env;
    private ClientState states;
    private Wiring wiring;
    private WebhookHandler handler;

    @BeforeEach
    void start() {
        TestRedis.flush(DB);
        stubs.start();
        stubs.stubFor(post(CALL_LOGS).willReturn(aResponse().withStatus(201)));
        stubs.stubFor(post(urlPathMatching(COMMANDS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"data\":{\"result\":\"ok\"}}")));
        env = Fixtures.environment(TestRedis.url(DB), stubs.baseUrl(), stubs.baseUrl());
        states = Fixtures.clientStates(env);
        wiring = Fixtures.wiring("CallStatusWebhookFunction", env, clock, log);
        handler = new WebhookHandler(wiring);
    }

    @AfterEach
    void stop() {
        wiring.redis().close();
        TelnyxWireMock.checkCommands(stubs);
        stubs.stop();
        assertFalse(log.text().contains(env.get("CLIENT_STATE_KEY")), "the key never reaches the log");
    }

    private String deliver(String body) throws Exception {
        APIGatewayV2HTTPResponse response = handler.handleRequest(Fixtures.withBody(
                Fixtures.event("call-status/call-initiated.json"), body, clock.instant()), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        return Json.mapper().readTree(response.getBody()).get("outcome").asText();
    }

    private List<JsonNode> callLogs() throws Exception {
        List<JsonNode> logs = new ArrayList<>();
        for (var request : stubs.findAll(postRequestedFor(urlEqualTo(CALL_LOGS)))) {
            logs.add(Json.mapper().readTree(request.getBodyAsString()));
        }
        return logs;
    }

    private String victimField(String field) {
        return TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + victim.callControlId() + "}", field));
    }

    /** The victim's call is up, named by its webhook; then the attacker's call starts. */
    private void bothCallsUp() throws Exception {
        assertEquals("recorded", deliver(TelnyxExamples.specInitiated(victim, "bridging", T)));
        assertEquals("recorded", deliver(TelnyxExamples.specInitiated(attacker, "bridging", T)));
    }

    /** The attacker's hang-up, carrying {@code hostile}'s ids and state: only the attacker's own call is logged. */
    private void onlyTheAttackersCallEnds(Leg hostile) throws Exception {
        clock.set(T.plusSeconds(30));
        assertEquals("call_log_posted", deliver(TelnyxExamples.specHangup(hostile, "originator_cancel", "caller", "487",
                T, T.plusSeconds(29))));
        List<JsonNode> logs = callLogs();
        assertEquals(1, logs.size());
        assertEquals(attacker.callControlId(), logs.get(0).get("twilio_call_sid").asText(), "the event's own call");
        assertEquals(0, stubs.findAll(postRequestedFor(urlPathMatching(COMMANDS))).size(), "nobody is hung up");
        assertNull(victimField("ended_at"), "the victim's call is untouched");
        assertNull(victimField("destination_hangup_cause"));
    }

    private static String base64(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unsigned (the old format)", "a MAC that does not verify", "a MAC for another call"})
    void aForgedClientStateNamingAVictimIsIgnoredAndLogged(String how) throws Exception {
        bothCallsUp();
        String forged = switch (how) {
            case "unsigned (the old format)" -> base64("{\"cold_call\":\"" + victim.callControlId() + "\"}");
            case "a MAC that does not verify" -> base64("{\"cold_call\":\"" + victim.callControlId() + "\",\"session\":\""
                    + attacker.callSessionId() + "\",\"mac\":\"" + "A".repeat(43) + "\"}");
            default -> {
                // a genuine MAC, lifted from a state of the attacker's own, pasted beside the victim's id
                JsonNode own = Json.mapper().readTree(Base64.getDecoder().decode(states.of(
                        new CallControlId(attacker.callControlId()), attacker.callSessionId())));
                yield base64("{\"cold_call\":\"" + victim.callControlId() + "\",\"session\":\""
                        + attacker.callSessionId() + "\",\"mac\":\"" + own.get("mac").asText() + "\"}");
            }
        };
        onlyTheAttackersCallEnds(attacker.withClientState(forged));
        assertTrue(log.text().contains("client_state does not verify"), "the forged state is logged");
    }

    @Test
    void aForgedStateOnTheFirstEventOfAnUnseenCallDoesNotTakeItEither() throws Exception {
        assertEquals("recorded", deliver(TelnyxExamples.specInitiated(victim, "bridging", T)));
        // the attacker's call was never seen: its own id is unknown, so the state is all there is to go by
        Leg hostile = attacker.withClientState(base64("{\"cold_call\":\"" + victim.callControlId() + "\"}"));
        onlyTheAttackersCallEnds(hostile);
    }

    @Test
    void aValidStateReplayedFromAnotherCallDoesNotRedirectItsEvents() throws Exception {
        bothCallsUp();
        // a state we signed for the victim's call (bound to its session), copied onto the attacker's events
        onlyTheAttackersCallEnds(attacker.withClientState(states.of(new CallControlId(victim.callControlId()),
                victim.callSessionId())));
        assertTrue(log.text().contains("client_state names a call of another session"), "the replay is logged");
    }

    @Test
    void aValidOwnLegStateReplayedOntoAnUnseenCallDoesNotRedirectIt() throws Exception {
        assertEquals("recorded", deliver(TelnyxExamples.specInitiated(victim, "bridging", T)));
        // the state of a command on the victim's own leg (record_start, hang-up): binds only to that leg
        onlyTheAttackersCallEnds(attacker.withClientState(states.of(new CallControlId(victim.callControlId()))));
    }

    @Test
    void anotherCallsLegAndSessionIdsNeverTakeAnEventFromItsOwnKnownCall() throws Exception {
        bothCallsUp();
        Leg colliding = new Leg(attacker.callControlId(), victim.callLegId(), victim.callSessionId(),
                attacker.connectionId(), attacker.from(), attacker.to(), null);
        onlyTheAttackersCallEnds(colliding);
    }

    @Test
    void aWebhookWithoutAClientStateKeyFailsAtStartNamingIt() {
        Map<String, String> without = new java.util.HashMap<>(env);
        without.remove("CLIENT_STATE_KEY");
        Wiring unkeyed = Fixtures.wiring("CallStatusWebhookFunction", without, clock, log);
        try {
            var missing = org.junit.jupiter.api.Assertions.assertThrows(
                    com.aicallgo.coldcall.core.config.ConfigException.class, () -> new WebhookHandler(unkeyed));
            assertTrue(missing.detail().contains("CLIENT_STATE_KEY"), missing.detail());
        } finally {
            unkeyed.redis().close();
        }
    }
}
