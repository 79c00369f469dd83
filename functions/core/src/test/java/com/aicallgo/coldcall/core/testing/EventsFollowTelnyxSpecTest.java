package com.aicallgo.coldcall.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every {@code events/} file that carries a Telnyx webhook carries one Telnyx's spec allows. */
class EventsFollowTelnyxSpecTest {
    /** An API Gateway event on one of our Telnyx webhook routes. */
    private static boolean isTelnyxWebhook(APIGatewayV2HTTPEvent event) {
        return event.getRawPath() != null && event.getRawPath().contains("/webhook/telnyx/");
    }

    @Test
    void everyTelnyxWebhookFileMatchesTheSpec() throws IOException {
        List<String> checked = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Fixtures.root().resolve("events"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String relative = Fixtures.root().resolve("events").relativize(file).toString();
                APIGatewayV2HTTPEvent event;
                try {
                    event = Fixtures.event(relative);
                } catch (RuntimeException notAnApiGatewayEvent) {
                    continue; // env.json and the like
                }
                if (event == null || !isTelnyxWebhook(event)) {
                    continue;
                }
                checked.add(relative);
                for (String violation : TelnyxSpec.webhookViolations(Fixtures.bodyText(event))) {
                    failures.add("events/" + relative + " " + violation);
                }
            }
        }
        assertEquals(List.of(), failures, "events/ files that Telnyx's spec does not allow");
        // the files this test exists for: it must not pass by finding none
        assertTrue(checked.containsAll(List.of("call-status/call-initiated.json", "call-status/call-answered.json",
                "call-status/call-hangup-completed.json", "call-status/call-hangup-busy.json",
                "recording/call-recording-saved.json", "recording/call-recording-error.json")), checked.toString());
    }
}
