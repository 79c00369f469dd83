package com.aicallgo.coldcall.local;

import static com.aicallgo.coldcall.local.RunnerFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.http.Endpoint;
import com.aicallgo.coldcall.core.testing.Fixtures;
import com.aicallgo.coldcall.core.testing.TestRedis;
import com.aicallgo.coldcall.local.RunnerFixture.Response;
import com.aicallgo.coldcall.local.twin.Twin;
import com.aicallgo.coldcall.local.twin.VertoClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two reps through the runner and its Telnyx twin, as their pages would go: each key fetches its own credential and
 * token from the credentials function, logs in to the twin's signalling with it, places a call and asks for its
 * recording; each call's hash then names its rep, and Redis knows whose SIP user each login was.
 */
class RepsThroughTheRunnerIT {
    static final int DB = 15;
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    final RunnerFixture.EnvFile envFile = new RunnerFixture.EnvFile(DB);
    private final List<VertoClient> pages = new ArrayList<>();

    @AfterEach
    void clean() throws IOException {
        pages.forEach(page -> page.socket().abort());
    }

    @Test
    void twoRepsLogInWithTheirOwnCredentialsAndEachCallKeepsItsRep() throws Exception {
        JsonNode parameters = JSON.readTree(envFile.path().toFile()).get("Parameters");
        JsonNode keyring = JSON.readTree(parameters.get("INTERNAL_API_KEYS").asText());
        LocalFunctions functions = RunnerFixture.functions(envFile.path(), Map.of(), false);
        try (ApiServer server = RunnerFixture.server(functions)) {
            try (Twin twin = RunnerFixture.twin(functions, server)) {
                assertTrue(twin != null, "events/env.json turns the twin on");
                server.start();
                String alice = call(server.base(), twin, "alice", keyring.get("alice").asText(), "+12025550100");
                String bob = call(server.base(), twin, "bob", keyring.get("bob").asText(), "+13035550100");
                assertNotEquals(alice, bob);
                assertEquals("alice", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + alice + "}", "rep")));
                assertEquals("bob", TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + bob + "}", "rep")));

                // the README's key still works: the rep "shared", with a credential of its own
                JsonNode shared = credentials(server.base(), parameters.get("INTERNAL_API_KEY").asText());
                assertTrue(shared.get("sip_username").asText().startsWith("gencred"));
                assertEquals(401, request("GET", server.base() + Endpoint.CREDENTIALS.path(), null,
                        Map.of("X-API-Key", "dev-carol-key-NOT-REAL")).status());
            }
        }
    }

    /** One rep's page: credentials, token login, a call with the rep tag, start-recording. The call control id. */
    private String call(String base, Twin twin, String rep, String key, String number) throws Exception {
        JsonNode credentials = credentials(base, key);
        String sipUser = credentials.get("sip_username").asText();
        assertTrue(sipUser.startsWith("gencred"), "a telephony credential of the rep's own: " + credentials);
        assertFalse(credentials.has("sip_password"), "the default mode hands out no password");
        String token = credentials.get("login_token").asText();
        assertEquals(rep, TestRedis.with(DB, redis -> redis.get("cold_call_rep_of_sip:{" + sipUser + "}")));

        VertoClient page = VertoClient.login(twin.signallingUrl(), Map.of("login_token", token));
        pages.add(page);
        // as the page places it: from our caller ID, with the rep tag of its credentials as a custom SIP header
        String tag = credentials.get("rep_tag").asText();
        assertEquals(rep, TestRedis.with(DB, redis -> redis.get("cold_call_rep_of_tag:{" + tag + "}")));
        page.send("telnyx_rtc.invite", Map.of("sdp", VertoClient.OFFER, "dialogParams", Map.of("callID",
                UUID.randomUUID().toString(), "destination_number", number, "caller_id_number",
                credentials.get("caller_number").asText(), "custom_headers",
                List.of(Map.of("name", "X-Cold-Call-Rep", "value", tag)))));
        // as Telnyx: the page learns the call control id with the answer
        String callControlId = page.await(m -> m.path("method").asText().equals("telnyx_rtc.answer"))
                .path("params").path("telnyx_call_control_id").asText();
        assertFalse(callControlId.isEmpty());
        // the webhook's call.initiated names the rep by the tag alone (Telnyx's from is the caller ID)
        String known = null;
        for (long end = System.nanoTime() + 5_000_000_000L; known == null && System.nanoTime() < end; Thread.sleep(50)) {
            known = TestRedis.with(DB, redis -> redis.hget("cold_call_status:{" + callControlId + "}", "rep"));
        }
        assertEquals(rep, known, "the call.initiated webhook named the rep before any start-recording");

        Response started = request("POST", base + Endpoint.START_RECORDING.path(), JSON.writeValueAsBytes(Map.of(
                "call_control_id", callControlId, "to_phone", number)), Map.of("X-API-Key", key,
                "Content-Type", "application/json"));
        assertTrue(started.status() == 200 || started.status() == 202, started.body());
        return callControlId;
    }

    private static JsonNode credentials(String base, String key) throws IOException {
        Response response = request("GET", base + Endpoint.CREDENTIALS.path(), null, Map.of("X-API-Key", key));
        assertEquals(200, response.status(), response.body());
        return JSON.readTree(response.body());
    }
}
