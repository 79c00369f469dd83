package com.aicallgo.coldcall.core.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.LoggedResponse;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link TelnyxSpec} over what a WireMock stand-in for Telnyx saw. Kept apart from {@code TelnyxSpec} so modules
 * without WireMock on their test classpath can use the facts.
 */
public final class TelnyxWireMock {
    private TelnyxWireMock() {
    }

    /**
     * Checks every Call Control command the server received (dial and {@code /v2/calls/{id}/actions/*}) against its
     * request schema, with {@code Content-Type: application/json}; fails naming each request and JSON path.
     *
     * @return how many commands were checked
     */
    public static int checkCommands(WireMockServer server) {
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (ServeEvent event : server.getAllServeEvents()) {
            LoggedRequest request = event.getRequest();
            String method = request.getMethod().getName();
            String url = request.getUrl();
            if (!TelnyxSpec.isCommand(method, url)) {
                continue;
            }
            checked++;
            String contentType = request.getHeader("Content-Type");
            if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
                violations.add(method + " " + url + ": Content-Type " + contentType + ", Telnyx takes application/json");
            }
            for (String line : TelnyxSpec.commandViolations(method, url, request.getBodyAsString())) {
                violations.add(method + " " + url + ": " + line + "\n      body: " + request.getBodyAsString());
            }
        }
        if (!violations.isEmpty()) {
            throw new AssertionError("commands sent to Telnyx that its spec does not allow:\n  "
                    + String.join("\n  ", violations));
        }
        return checked;
    }

    /**
     * Checks every 200 answer the stand-in gave to a Telnyx read we make ({@code GET /v2/calls/{id}},
     * {@code GET /v2/recordings}, {@code GET /v2/recordings/{id}}) against Telnyx's response schema, so a stub
     * cannot teach the server a shape Telnyx never sends.
     *
     * @return how many answers were checked
     */
    public static int checkReads(WireMockServer server) {
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (ServeEvent event : server.getAllServeEvents()) {
            LoggedRequest request = event.getRequest();
            LoggedResponse response = event.getResponse();
            if (!request.getMethod().getName().equals("GET") || response == null || response.getStatus() != 200
                    || TelnyxSpec.readSchema(request.getUrl()).isEmpty()) {
                continue;
            }
            checked++;
            violations.addAll(TelnyxSpec.readViolations(request.getUrl(), response.getBodyAsString()).stream()
                    .map(line -> "GET " + request.getUrl() + ": " + line).toList());
        }
        if (!violations.isEmpty()) {
            throw new AssertionError("answers a Telnyx stub gave that Telnyx's spec does not describe:\n  "
                    + String.join("\n  ", violations));
        }
        return checked;
    }
}
