package com.aicallgo.coldcall.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DestinationsTest {
    private static Destinations.Verdict check(String country, String... allowed) {
        return Destinations.check(country, List.of(allowed));
    }

    @Test
    void theDefaultIsTheCallerIdsCountryCode() {
        assertEquals(List.of("+1"), Destinations.allowed("", "+18765550100"), "any NANP number gives +1, as the backend's");
        assertEquals(List.of("+44"), Destinations.allowed(null, "+442079460000"));
        assertEquals(List.of("+353"), Destinations.allowed(" ", "+35312345678"));
        assertEquals(List.of("+1"), Destinations.allowed(null, null));
        assertEquals(List.of("+1", "+44", "+1XXX555"), Destinations.allowed(" +1, +4 4,+1xxx555 ,", null));
        assertThrows(IllegalArgumentException.class, () -> Destinations.allowed("+1,44", null));
        assertThrows(IllegalArgumentException.class, () -> Destinations.allowed(",", null));
    }

    @Test
    void aCountryIsWithinWhenAPrefixReachesIt() {
        assertInstanceOf(Destinations.Verdict.Within.class, check("US", "+1"));
        assertInstanceOf(Destinations.Verdict.Within.class, check("CA", "+1"));
        assertInstanceOf(Destinations.Verdict.Within.class, check("US", "+1415"), "a narrower prefix needs the country");
        assertInstanceOf(Destinations.Verdict.Within.class, check("GB", "+1", "+4420"));
        assertInstanceOf(Destinations.Verdict.Within.class, check("DE", "+4X"));
        assertInstanceOf(Destinations.Verdict.Within.class, check("PR", "+1"));
        assertInstanceOf(Destinations.Verdict.Outside.class, check("GB", "+1"));
        assertInstanceOf(Destinations.Verdict.Outside.class, check("IE", "+44"), "+353 is not +44");
        assertInstanceOf(Destinations.Verdict.Outside.class, check("ZZ", "+1"), "an unknown code");
    }

    @Test
    void tollFraudTargetsInsideTheNanpNeedTheirOwnPrefix() {
        for (String country : List.of("JM", "DO", "AG", "VG", "GD", "TC", "MS", "DM")) {
            assertInstanceOf(Destinations.Verdict.Outside.class, check(country, "+1"), country);
            assertInstanceOf(Destinations.Verdict.Outside.class, check(country, "+1X"), country);
        }
        assertInstanceOf(Destinations.Verdict.Within.class, check("JM", "+1876"));
        assertInstanceOf(Destinations.Verdict.Within.class, check("DO", "+1809"));
        assertInstanceOf(Destinations.Verdict.Outside.class, check("DO", "+1876"));
    }

    @Test
    void aPrefixReachesTheCountriesOfItsCode() {
        org.junit.jupiter.api.Assertions.assertTrue(Destinations.reaches("+1", List.of("CA")));
        org.junit.jupiter.api.Assertions.assertTrue(Destinations.reaches("+4420", List.of("US", "GB")));
        org.junit.jupiter.api.Assertions.assertFalse(Destinations.reaches("+44", List.of("US", "CA")));
        org.junit.jupiter.api.Assertions.assertFalse(Destinations.reaches("+1", List.of("ZZ")));
    }
}
