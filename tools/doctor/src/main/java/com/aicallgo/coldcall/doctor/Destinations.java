package com.aicallgo.coldcall.doctor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Our dial policy's allowed destinations ({@code DIAL_ALLOWED_PREFIXES}: E.164 prefixes, {@code X} for any digit;
 * by default the caller ID's country code) beside an outbound voice profile's {@code whitelisted_destinations} (ISO
 * 3166-1 alpha-2 countries). A whitelisted country is within the policy when an allowed prefix reaches it; a country
 * with a high toll-fraud risk must be allowed by a prefix as long as its own code, so {@code +1} alone does not let
 * the profile call Jamaica ({@code +1876}), whose calls bill as international.
 */
final class Destinations {
    private static final Pattern PREFIX = Pattern.compile("\\+[0-9X]{1,15}");
    /**
     * Each country's calling codes (ITU-T E.164 assignments; the NANP's Caribbean and Pacific members by their area
     * codes). Countries that share a code (US and CA, GB and its Crown Dependencies) list it each.
     */
    private static final Map<String, List<String>> CODES = codes("""
            AD376 AE971 AF93 AG1268 AI1264 AL355 AM374 AO244 AQ672 AR54 AS1684 AT43 AU61 AW297 AX358 AZ994
            BA387 BB1246 BD880 BE32 BF226 BG359 BH973 BI257 BJ229 BL590 BM1441 BN673 BO591 BQ599 BR55 BS1242 BT975
            BW267 BY375 BZ501 CA1 CC61 CD243 CF236 CG242 CH41 CI225 CK682 CL56 CM237 CN86 CO57 CR506 CU53 CV238
            CW599 CX61 CY357 CZ420 DE49 DJ253 DK45 DM1767 DO1809,1829,1849 DZ213 EC593 EE372 EG20 EH212 ER291 ES34
            ET251 FI358 FJ679 FK500 FM691 FO298 FR33 GA241 GB44 GD1473 GE995 GF594 GG44 GH233 GI350 GL299 GM220
            GN224 GP590 GQ240 GR30 GT502 GU1671 GW245 GY592 HK852 HN504 HR385 HT509 HU36 ID62 IE353 IL972 IM44 IN91
            IO246 IQ964 IR98 IS354 IT39 JE44 JM1876,1658 JO962 JP81 KE254 KG996 KH855 KI686 KM269 KN1869 KP850 KR82
            KW965 KY1345 KZ7 LA856 LB961 LC1758 LI423 LK94 LR231 LS266 LT370 LU352 LV371 LY218 MA212 MC377 MD373
            ME382 MF590 MG261 MH692 MK389 ML223 MM95 MN976 MO853 MP1670 MQ596 MR222 MS1664 MT356 MU230 MV960 MW265
            MX52 MY60 MZ258 NA264 NC687 NE227 NF672 NG234 NI505 NL31 NO47 NP977 NR674 NU683 NZ64 OM968 PA507 PE51
            PF689 PG675 PH63 PK92 PL48 PM508 PR1787,1939 PS970 PT351 PW680 PY595 QA974 RE262 RO40 RS381 RU7 RW250
            SA966 SB677 SC248 SD249 SE46 SG65 SH290 SI386 SJ47 SK421 SL232 SM378 SN221 SO252 SR597 SS211 ST239
            SV503 SX1721 SY963 SZ268 TC1649 TD235 TG228 TH66 TJ992 TK690 TL670 TM993 TN216 TO676 TR90 TT1868 TV688
            TW886 TZ255 UA380 UG256 US1 UY598 UZ998 VA379,39 VC1784 VE58 VG1284 VI1340 VN84 VU678 WF681 WS685 XK383
            YE967 YT262 ZA27 ZM260 ZW263""");
    /**
     * Countries inside the NANP's {@code +1} whose calls bill as international and are the usual targets of
     * callback and toll fraud (the FCC's one-ring scam advisory names these area codes): never reached by {@code +1}
     * alone.
     */
    private static final Set<String> HIGH_RISK = Set.of("AG", "DM", "DO", "GD", "JM", "MS", "TC", "VG");

    private Destinations() {
    }

    /** The verdict on one whitelisted country. */
    sealed interface Verdict {
        record Within() implements Verdict {
        }

        record Outside(String why) implements Verdict {
        }
    }

    /**
     * Parses {@code DIAL_ALLOWED_PREFIXES}; blank means the caller ID's country code ({@code +1} without one).
     *
     * @throws IllegalArgumentException naming the part that is not a prefix
     */
    static List<String> allowed(String setting, String callerId) {
        if (setting == null || setting.isBlank()) {
            return List.of(countryCode(callerId));
        }
        List<String> prefixes = new ArrayList<>();
        for (String part : setting.split(",")) {
            String prefix = part.strip().replace(" ", "").replace('x', 'X');
            if (prefix.isEmpty()) {
                continue;
            }
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("DIAL_ALLOWED_PREFIXES must list E.164 prefixes (+ then 1 to 15 digits"
                        + " or X), comma-separated: '" + part.strip() + "' is not one");
            }
            prefixes.add(prefix);
        }
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException("DIAL_ALLOWED_PREFIXES lists no prefix");
        }
        return List.copyOf(prefixes);
    }

    /**
     * The country code of an E.164 number: its shortest known calling-code prefix, so every NANP number gives
     * {@code +1}; {@code +1} for no number or an unknown code.
     */
    static String countryCode(String e164) {
        String best = null;
        if (e164 != null) {
            for (List<String> codes : CODES.values()) {
                for (String code : codes) {
                    if (e164.startsWith(code) && (best == null || code.length() < best.length())) {
                        best = code;
                    }
                }
            }
        }
        return best == null ? "+1" : best;
    }

    /** Whether {@code country} (alpha-2, as the profile lists it) is within the allowed prefixes. */
    static Verdict check(String country, List<String> allowed) {
        List<String> codes = CODES.get(country);
        if (codes == null) {
            return new Verdict.Outside("not a country code the doctor knows");
        }
        boolean broadly = false;
        for (String code : codes) {
            for (String prefix : allowed) {
                if (!overlap(prefix, code)) {
                    continue;
                }
                if (prefix.length() >= code.length()) {
                    return new Verdict.Within(); // allowed by name: a prefix inside this country's code
                }
                broadly = true;
            }
        }
        if (broadly && HIGH_RISK.contains(country)) {
            return new Verdict.Outside("a toll-fraud target (" + String.join(", ", codes)
                    + ") that " + String.join(", ", allowed) + " does not name");
        }
        return broadly ? new Verdict.Within()
                : new Verdict.Outside("outside the allowed prefixes (" + String.join(", ", codes) + ")");
    }

    /** Whether any of {@code countries} (alpha-2) has a calling code that {@code prefix} reaches. */
    static boolean reaches(String prefix, List<String> countries) {
        return countries.stream().map(CODES::get).filter(java.util.Objects::nonNull).flatMap(List::stream)
                .anyMatch(code -> overlap(prefix, code));
    }

    /** Whether an allowed prefix and a country code share their common start ({@code X} matches any digit). */
    private static boolean overlap(String prefix, String code) {
        for (int i = 1; i < Math.min(prefix.length(), code.length()); i++) {
            char p = prefix.charAt(i);
            if (p != 'X' && p != code.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, List<String>> codes(String table) {
        Map<String, List<String>> codes = new LinkedHashMap<>();
        for (String entry : table.strip().split("\\s+")) {
            List<String> numbers = new ArrayList<>();
            for (String digits : entry.substring(2).split(",")) {
                numbers.add("+" + digits);
            }
            codes.put(entry.substring(0, 2), List.copyOf(numbers));
        }
        return Map.copyOf(codes);
    }
}
