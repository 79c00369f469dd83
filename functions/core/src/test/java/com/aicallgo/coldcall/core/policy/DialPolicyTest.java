package com.aicallgo.coldcall.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aicallgo.coldcall.core.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DialPolicyTest {
    private static final String OURS = "+15550000001";

    private static DialPolicy policy(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("TELNYX_SIP_PHONE_NUMBER", OURS));
        env.putAll(extra);
        return new DialPolicy(GateSettings.fromEnv(env, Duration.ofHours(4)));
    }

    private static String rule(DialPolicy policy, String destination) {
        return switch (policy.check(destination)) {
            case Verdict.Allowed allowed -> "allowed";
            case Verdict.Blocked blocked -> blocked.rule();
        };
    }

    @ParameterizedTest
    @CsvSource({
            "+12025550100, allowed",
            "+14155550123, allowed",
            "sip:+12025550100@sip.telnyx.com, allowed",
            "SIP:+12025550100@SIP.TELNYX.COM, allowed",
            "sips:+12025550100@sip.telnyx.com;transport=tls, allowed",
            // satellite, international networks, premium rate (ITU-T E.164 assignments)
            "+8816123456789, satellite",
            "+870773123456, satellite",
            "+882161234567, international_network",
            "+88351000123, international_network",
            "+97912345678, premium_rate",
            "+888123456789, international_network",
            // NANP premium: 900 area code, 976 exchange in any area code
            "+19005551234, premium_rate",
            "+12129761234, premium_rate",
            // NANP Caribbean codes of the FCC's one-ring advisory
            "+18765551234, caribbean_toll_fraud",
            "+18095551234, caribbean_toll_fraud",
            "+18295551234, caribbean_toll_fraud",
            "+18495551234, caribbean_toll_fraud",
            "+12685551234, caribbean_toll_fraud",
            "+12845551234, caribbean_toll_fraud",
            "+14735551234, caribbean_toll_fraud",
            "+16495551234, caribbean_toll_fraud",
            "+16645551234, caribbean_toll_fraud",
            "+17675551234, caribbean_toll_fraud",
            // outside the caller ID's country (+1)
            "+442071234567, outside_allowed",
            "+4930123456, outside_allowed",
            // not a phone number at all: short codes, missing +, letters, too long
            "911, not_a_phone_number",
            "+1911, not_a_phone_number",
            "12025550100, not_a_phone_number",
            "+1202555010O, not_a_phone_number",
            "+1234567890123456, not_a_phone_number",
            "'', not_a_phone_number",
            // a SIP URI on any other domain is a SIP call, whatever its user part says
            "sip:+12025550100@evil.example.com, sip_uri",
            "sip:+12025550100@sip.telnyx.com.evil.example, sip_uri",
            "sip:+12025550100@evil.example?h=sip.telnyx.com, sip_uri",
            "sip:+12025550100@example.sip.telnyx.com, sip_uri",
            "sip:alice@sip.telnyx.com, not_a_phone_number",
            // our own caller ID: a loop
            "+15550000001, own_number",
            "sip:+15550000001@sip.telnyx.com, own_number"})
    void eachDestinationGetsItsRule(String destination, String expected) {
        assertEquals(expected, rule(policy(Map.of()), destination));
    }

    @Test
    void aNullDestinationIsNotAPhoneNumber() {
        assertEquals("not_a_phone_number", rule(policy(Map.of()), null));
    }

    @Test
    void theDenyListWinsOverAnAllowedPrefix() {
        DialPolicy everywhere = policy(Map.of("DIAL_ALLOWED_PREFIXES", "+1, +44, +881, +979"));
        assertEquals("allowed", rule(everywhere, "+442071234567"));
        assertEquals("satellite", rule(everywhere, "+8816123456789"));
        assertEquals("premium_rate", rule(everywhere, "+97912345678"));
        assertEquals("premium_rate", rule(everywhere, "+449012345678"));
        assertEquals("personal_number", rule(everywhere, "+447012345678"));
    }

    @Test
    void allowedPrefixesNarrowTheDestinations() {
        DialPolicy narrow = policy(Map.of("DIAL_ALLOWED_PREFIXES", "+1202, +1415XXX01"));
        assertEquals("allowed", rule(narrow, "+12025550100"));
        assertEquals("allowed", rule(narrow, "+14155550123"));
        assertEquals("outside_allowed", rule(narrow, "+14155561234"));
        Verdict.Blocked blocked = assertInstanceOf(Verdict.Blocked.class, narrow.check("+13125550100"));
        assertTrue(blocked.reason().contains("+1202, +1415XXX01"), blocked.reason());
    }

    @Test
    void theOperatorExtendsTheDenyList() {
        DialPolicy extended = policy(Map.of("DIAL_DENIED_PREFIXES", "+1202555, +1XXX555019x"));
        assertEquals("operator_denied", rule(extended, "+12025550100"));
        assertEquals("operator_denied", rule(extended, "+13125550199"));
        assertEquals("allowed", rule(extended, "+13125550100"));
        // the built-in list still applies
        assertEquals("premium_rate", rule(extended, "+19005551234"));
    }

    @Test
    void withoutACallerIdTheDefaultIsNanp() {
        DialPolicy policy = new DialPolicy(GateSettings.fromEnv(Map.of(), Duration.ofHours(4)));
        assertEquals("allowed", rule(policy, "+12025550100"));
        assertEquals("outside_allowed", rule(policy, "+442071234567"));
    }

    @Test
    void theDefaultIsTheCallerIdsCountry() {
        DialPolicy uk = new DialPolicy(GateSettings.fromEnv(Map.of("TELNYX_SIP_PHONE_NUMBER", "+442071234567"),
                Duration.ofHours(4)));
        assertEquals("allowed", rule(uk, "+441612345678"));
        assertEquals("outside_allowed", rule(uk, "+12025550100"));
        assertEquals("premium_rate", rule(uk, "+449098765432"));
    }

    @ParameterizedTest
    @CsvSource({"+12025550100, +1", "+79161234567, +7", "+442071234567, +44", "+4930123456, +49",
            "+35312345678, +353", "+97150123456, +971", "+8816123456789, +881", "+8613912345678, +86",
            "+201001234567, +20", "+2348012345678, +234", "+380441234567, +380", "+3912345678, +39",
            "+420123456789, +420", "+5511912345678, +55", "+5021234567, +502", "+61212345678, +61",
            "+6771234567, +677", "+9876543210, +98", "+9661234567, +966", "+85212345678, +852"})
    void countryCodesFollowE164sStructure(String number, String code) {
        assertEquals(code, DialPolicy.countryCode(number));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "+1-900", "+1 900 abc", "+", "+1234567890123456"})
    void aMalformedPrefixSettingIsRefusedByName(String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> GateSettings.fromEnv(Map.of("DIAL_DENIED_PREFIXES", value), Duration.ofHours(4)));
        assertTrue(e.getMessage().contains("DIAL_DENIED_PREFIXES"), e.getMessage());
    }

    @Test
    void malformedLimitsAreAllNamedAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> GateSettings.fromEnv(Map.of(
                "DIAL_MAX_CONCURRENT_PER_REP", "0", "DIAL_MAX_PER_REP_PER_HOUR", "lots", "DIAL_MAX_PER_MINUTE", "-1",
                "DIAL_ALLOWED_PREFIXES", ","), Duration.ofHours(4)));
        for (String name : GateSettings.VARIABLES) {
            if (!name.equals("DIAL_DENIED_PREFIXES")) {
                assertTrue(e.getMessage().contains(name), name + " in " + e.getMessage());
            }
        }
    }

    @Test
    void theDefaultsAreSane() {
        GateSettings settings = GateSettings.fromEnv(Map.of(), Duration.ofHours(4));
        assertEquals(List.of("+1"), settings.allowed());
        assertEquals(GateSettings.DEFAULT_MAX_CONCURRENT_PER_REP, settings.maxConcurrentPerRep());
        assertEquals(GateSettings.DEFAULT_MAX_PER_REP_PER_HOUR, settings.maxPerRepPerHour());
        assertEquals(GateSettings.DEFAULT_MAX_PER_MINUTE, settings.maxPerMinute());
    }

    @Test
    void onlyTelnyxsDomainGivesADialledNumber() {
        assertEquals("+12025550100", DialPolicy.dialled("sip:+12025550100@sip.telnyx.com").e164());
        assertEquals("+12025550100", DialPolicy.dialled(" +12025550100 ").e164());
        assertNull(DialPolicy.dialled("sip:+12025550100@other.example"));
        assertNull(DialPolicy.dialled("sip:+12025550100"));
    }

    @Test
    void theRuleSetThePageReadsIsTheOneChecked() {
        Map<String, Object> described = policy(Map.of("DIAL_DENIED_PREFIXES", "+1202")).describe();
        assertEquals(List.of("+1"), described.get("allowed_prefixes"));
        assertEquals(OURS, described.get("own_number"));
        assertEquals("sip.telnyx.com", described.get("sip_domain"));
        List<?> denied = (List<?>) described.get("denied");
        assertEquals(DenyList.BUILT_IN.size() + 1, denied.size());
        assertEquals(Map.of("prefix", "+1202", "rule", "operator_denied",
                "reason", "a number the operator does not allow calls to"), denied.get(denied.size() - 1));
    }

    @Test
    void everyBuiltInRangeNamesItsSource() {
        for (DenyList.Range range : DenyList.BUILT_IN) {
            assertTrue(range.source() != null && range.source().length() > 10, range.pattern());
            assertEquals(range.rule(), rule(policy(Map.of("DIAL_ALLOWED_PREFIXES", "+X")), sample(range.pattern())),
                    range.pattern());
        }
    }

    /** A 12-digit number inside a pattern: its X digits as 5. */
    private static String sample(String pattern) {
        String number = pattern.replace('X', '5');
        return number + "123456789012".substring(0, 13 - number.length());
    }
}
