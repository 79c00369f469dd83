package com.aicallgo.coldcall.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PhoneNumberTest {
    @ParameterizedTest
    @CsvSource({
        "+18005551234, +18005551234",
        "+12345678, +12345678",
        "+123456789012345, +123456789012345",
        "+1234567, ",
        "+1234567890123456, ",
        "18005551234, ",
        "+1 800 555 1234, ",
        "sip:alice@example.com, ",
        "'', ",
    })
    void onlyE164Parses(String text, String e164) {
        assertEquals(e164, PhoneNumber.text(PhoneNumber.parse(text)));
        if (e164 == null) {
            assertThrows(IllegalArgumentException.class, () -> new PhoneNumber(text));
        }
    }
}
