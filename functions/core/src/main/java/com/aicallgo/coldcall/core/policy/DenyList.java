package com.aicallgo.coldcall.core.policy;

import java.util.List;

/**
 * The built-in ranges no call goes to: premium-rate, satellite, international-network and other high-cost numbers,
 * each with the numbering source that assigns it (docs/call-policy.md lists them with the same sources). A pattern is
 * an E.164 prefix in which {@code X} stands for any digit ({@code +1XXX976}: exchange 976 in any NANP area code).
 */
public final class DenyList {
    /** One denied range: its pattern, the rule it falls under, plain words, and where the range comes from. */
    public record Range(String pattern, String rule, String reason, String source) {
        public Range {
            if (!Patterns.valid(pattern)) {
                throw new IllegalArgumentException("not a dial pattern (+ then digits or X): " + pattern);
            }
        }
    }

    private static final String ITU = "ITU-T E.164 assigned country codes (Annex to ITU Operational Bulletin, "
            + "List of ITU-T Recommendation E.164 assigned country codes)";
    private static final String SATELLITE = "a satellite phone number (charged at satellite rates)";
    private static final String NETWORK = "an international network number (not a country; charged at high rates)";
    private static final String PREMIUM = "a premium-rate number (the caller pays a surcharge)";
    private static final String CARIBBEAN = "a Caribbean area code that 'one-ring' toll fraud uses (international "
            + "rates although it looks like a US number)";
    private static final String FCC = "FCC consumer advisory \"'One Ring' Phone Scam\" (area codes 268, 284, 473, "
            + "649, 664, 767, 809, 829, 849, 876); NANPA area code assignments";

    /** The built-in ranges, in the order they are checked. */
    public static final List<Range> BUILT_IN = List.of(
            new Range("+870", "satellite", SATELLITE, ITU + ": 870 Inmarsat SNAC"),
            new Range("+881", "satellite", SATELLITE, ITU + ": 881 Global Mobile Satellite System (GMSS)"),
            new Range("+882", "international_network", NETWORK, ITU + ": 882 International Networks"),
            new Range("+883", "international_network", NETWORK, ITU + ": 883 International Networks"),
            new Range("+888", "international_network", "a number of an international relief service, not a person",
                    ITU + ": 888 Telecommunications for Disaster Relief by OCHA"),
            new Range("+979", "premium_rate", PREMIUM, ITU + ": 979 International Premium Rate Service (IPRS)"),
            new Range("+1900", "premium_rate", PREMIUM, "NANPA: N00 code 900, premium services"),
            new Range("+1XXX976", "premium_rate", PREMIUM,
                    "NANP central office code 976, set aside for pay-per-call information services"),
            new Range("+1268", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 268 Antigua and Barbuda"),
            new Range("+1284", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 284 British Virgin Islands"),
            new Range("+1473", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 473 Grenada"),
            new Range("+1649", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 649 Turks and Caicos Islands"),
            new Range("+1664", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 664 Montserrat"),
            new Range("+1767", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 767 Dominica"),
            new Range("+1809", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 809 Dominican Republic"),
            new Range("+1829", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 829 Dominican Republic"),
            new Range("+1849", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 849 Dominican Republic"),
            new Range("+1876", "caribbean_toll_fraud", CARIBBEAN, FCC + ": 876 Jamaica"),
            new Range("+449", "premium_rate", PREMIUM, "Ofcom National Telephone Numbering Plan: 09 premium rate"),
            new Range("+4470", "personal_number", "a UK personal number (070: forwarded anywhere at a high rate)",
                    "Ofcom National Telephone Numbering Plan: 070 personal numbering"),
            new Range("+49900", "premium_rate", PREMIUM, "Bundesnetzagentur numbering plan: 0900 premium services"),
            new Range("+49137", "premium_rate", "a German mass-calling number (charged per call)",
                    "Bundesnetzagentur numbering plan: 0137 mass traffic services"),
            new Range("+61190", "premium_rate", PREMIUM, "ACMA Telecommunications Numbering Plan: 190 premium rate"));

    private DenyList() {
    }
}
