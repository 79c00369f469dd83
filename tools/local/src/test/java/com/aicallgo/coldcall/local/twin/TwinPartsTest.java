package com.aicallgo.coldcall.local.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TwinPartsTest {
    @Test
    void testNumbersChooseTheOutcomeInAnyAreaCode() {
        assertEquals(TestNumber.BUSY, TestNumber.of("+12025550101"));
        assertEquals(TestNumber.WEBHOOKS_TWICE_OUT_OF_ORDER, TestNumber.of("+14155550107"));
        assertEquals(TestNumber.ANSWERED, TestNumber.of("+18005551234"), "any other number is answered");
        assertEquals(TestNumber.ANSWERED, TestNumber.of("+12025560101"), "only the 555 exchange is a test number");
        assertFalse(TestNumber.REJECTED.answers());
        assertEquals(TestNumber.INVALID_NUMBER, TestNumber.of("+12025550108"));
        assertFalse(TestNumber.INVALID_NUMBER.answers());
        assertEquals(TestNumber.RECORDING_SAVED_MINIMAL, TestNumber.of("+12025550109"));
        assertEquals(TestNumber.HANGUP_BEFORE_ANSWER, TestNumber.of("+12025550110"));
        assertTrue(TestNumber.HANGUP_BEFORE_ANSWER.answers());
        assertEquals(11, TestNumber.listing().size(), "the page lists every test number");
    }

    @Test
    void callFlowIsDirectUnlessSetToParked() {
        assertEquals(Twin.Flow.DIRECT, Twin.Flow.of(null));
        assertEquals(Twin.Flow.DIRECT, Twin.Flow.of("direct"));
        assertEquals(Twin.Flow.PARKED, Twin.Flow.of(" Parked "));
        IllegalArgumentException wrong = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Twin.Flow.of("bridged"));
        assertTrue(wrong.getMessage().contains("CALL_FLOW"), wrong.getMessage());
    }

    @Test
    void switchesDefaultToTelnyxAndChangeOnlyByKnownNamesAndValues() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(Switches.TELNYX, Switches.of(java.util.Map.of()));
        Switches set = Switches.of(java.util.Map.of("TWIN_EARLY_CALL_ID", "true", "TWIN_SIGNALLING_LOSS", "ends",
                "TWIN_SIGNALLING_GAP_MS", "1500", "TWIN_TRANSFER_REFUSED", "until_answered"));
        assertEquals(new Switches(true, Switches.SignallingLoss.ENDS, java.time.Duration.ofMillis(1500),
                Switches.TransferRefused.UNTIL_ANSWERED), set);
        assertEquals(java.util.Map.of("early_call_id", true, "signalling_loss", "ends", "signalling_gap_ms", 1500L,
                "transfer_refused", "until_answered"), set.describe());
        Switches patched = Switches.TELNYX.patched(json.readTree("{\"transfer_refused\": \"always\", \"early_call_id\": true}"));
        assertEquals(Switches.TransferRefused.ALWAYS, patched.transferRefused());
        assertTrue(patched.earlyCallId());
        for (String bad : java.util.List.of("{\"signalling_loss\": \"maybe\"}", "{\"early_call_id\": \"yes\"}",
                "{\"signalling_gap_ms\": 0}", "{\"colour\": 1}", "[]")) {
            IllegalArgumentException wrong = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Switches.TELNYX.patched(json.readTree(bad)), bad);
            assertFalse(wrong.getMessage().isBlank());
        }
        IllegalArgumentException env = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Switches.of(java.util.Map.of("TWIN_TRANSFER_REFUSED", "sometimes")));
        assertTrue(env.getMessage().contains("TWIN_TRANSFER_REFUSED"), env.getMessage());
    }

    @Test
    void theHandshakeAnswerIsRfc6455s() {
        // the example key and answer of RFC 6455, section 1.3
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketServer.accept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void theSdpAnswerAcceptsTheOfferedOpusOnTheOfferedMid() {
        String offer = String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111 0", "c=IN IP4 0.0.0.0", "a=mid:0", "a=sendrecv",
                "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:0 PCMU/8000", "");
        String answer = Sdp.answer(offer);
        assertTrue(answer.contains("a=group:BUNDLE 0\r\n"), answer);
        assertTrue(answer.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"), answer);
        assertTrue(answer.contains("a=mid:0\r\na=recvonly\r\n"), answer);
        assertTrue(answer.contains("a=fmtp:111 minptime=10;useinbandfec=1"), answer);
        assertFalse(answer.contains("a=candidate"), "the twin sends no media");
    }

    @Test
    void theRecordingIsWholeMp3FramesForItsLength() {
        byte[] file = Mp3.silence(2.0);
        assertEquals(0, file.length % 417);
        assertEquals(77, file.length / 417); // 2 s at 38.28 frames a second, rounded up
        assertEquals((byte) 0xFF, file[417]);
        assertEquals((byte) 0xFB, file[418]);
    }
}
