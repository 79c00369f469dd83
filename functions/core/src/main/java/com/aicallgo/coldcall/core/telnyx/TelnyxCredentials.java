package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.json.Json;
import com.aicallgo.coldcall.core.net.HttpCaller;
import com.aicallgo.coldcall.core.secrets.SecretsProvider;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Telnyx's telephony credentials API (OpenAPI {@code FindTelephonyCredentials}, {@code CreateTelephonyCredential}):
 * one SIP user per rep on our credential connection, found again by its name. The credential's password is never
 * read: the page logs in with a token minted for the credential ({@link TelnyxLoginTokens}).
 */
public final class TelnyxCredentials {
    /** A rep's credential: its id (to mint tokens) and its SIP username (what Telnyx's webhooks name). */
    public record Credential(String id, String sipUsername) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Described(String id, String name, String sipUsername, String resourceId, Boolean expired) {
        boolean usable(String wantedName, String connectionId) {
            return id != null && !id.isBlank() && sipUsername != null && !sipUsername.isBlank()
                    && wantedName.equals(name) && ("connection:" + connectionId).equals(resourceId)
                    && !Boolean.TRUE.equals(expired);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Page(List<Described> data) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record One(Described data) {
    }

    /** A tag on every credential we create, so the portal can list the dialer's. */
    static final String TAG = "cold-call-dialer";

    private final String apiBase;
    private final SecretsProvider secrets;
    private final HttpCaller http;

    public TelnyxCredentials(String apiBase, SecretsProvider secrets, HttpCaller http) {
        this.apiBase = apiBase;
        this.secrets = secrets;
        this.http = http;
    }

    /**
     * The credential named {@code name} on connection {@code connectionId}: found by name, else created. An expired
     * one, or one of that name on another connection, is never used.
     *
     * @throws TelnyxFailure {@code telnyx_unavailable} when Telnyx does not answer, or not as documented
     */
    public Credential findOrCreate(String name, String connectionId) {
        Credential found = find(name, connectionId);
        return found != null ? found : create(name, connectionId);
    }

    private Credential find(String name, String connectionId) {
        URI uri = URI.create(apiBase + "/v2/telephony_credentials?filter%5Bname%5D=" + HttpCaller.segment(name)
                + "&page%5Bsize%5D=250");
        HttpCaller.Response response = call(() -> http.get(uri, headers()), "list");
        Page page = parse(response, Page.class, "list");
        if (page.data() == null) {
            return null;
        }
        // the filter's matching rule is not documented: only an exact, live credential of ours counts
        return page.data().stream().filter(c -> c.usable(name, connectionId)).findFirst()
                .map(c -> new Credential(c.id(), c.sipUsername())).orElse(null);
    }

    private Credential create(String name, String connectionId) {
        URI uri = URI.create(apiBase + "/v2/telephony_credentials");
        Map<String, String> body = new LinkedHashMap<>();
        body.put("connection_id", connectionId);
        body.put("name", name);
        body.put("tag", TAG);
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
        Map<String, String> headers = new LinkedHashMap<>(headers());
        headers.put("Content-Type", "application/json");
        HttpCaller.Response response = call(() -> http.post(uri, headers, bytes), "create");
        Described created = parse(response, One.class, "create").data();
        if (created == null || created.id() == null || created.sipUsername() == null) {
            throw TelnyxFailure.unavailable("Telnyx did not create a telephony credential",
                    "credential create answered without an id or sip_username");
        }
        return new Credential(created.id(), created.sipUsername());
    }

    private Map<String, String> headers() {
        return Map.of("Authorization", "Bearer " + secrets.current().requireTelnyxApiKey(), "Accept", "application/json");
    }

    private interface Call {
        HttpCaller.Response send() throws IOException;
    }

    private static HttpCaller.Response call(Call call, String what) {
        try {
            return call.send();
        } catch (IOException e) {
            throw TelnyxFailure.unavailable("Telnyx did not hand out a telephony credential",
                    "credential " + what + " did not answer: " + e.getClass().getSimpleName());
        }
    }

    private static <T> T parse(HttpCaller.Response response, Class<T> type, String what) {
        if (!response.ok()) {
            throw TelnyxFailure.unavailable("Telnyx did not hand out a telephony credential",
                    "credential " + what + " answered " + response.status());
        }
        try {
            return Json.mapper().readValue(response.body(), type);
        } catch (IOException e) {
            // the answer carries a SIP password: never quote it
            throw TelnyxFailure.unavailable("Telnyx did not hand out a telephony credential",
                    "credential " + what + " answer is not the documented JSON");
        }
    }
}
