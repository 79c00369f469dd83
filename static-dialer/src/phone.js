// Turns what sales staff paste or type into E.164 (+ and 8..15 digits, as the backend requires).
// National numbers of ten digits are taken as North American (+1): the dialer's caller ID is a US number.

const SEPARATORS = /[\s().\-\/\u00a0\u2010-\u2015]/g;

/**
 * The country codes ITU-T has assigned under Recommendation E.164 (its list of assigned country codes, with the
 * shared codes for global services and groups of countries); spare and reserved codes are left out, so a number
 * starting with one (+0…, +999…, +28…) is refused before dialling. No code is a prefix of another.
 */
export const ASSIGNED_COUNTRY_CODES = new Set(`
  1 7
  20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66
  81 82 84 86 90 91 92 93 94 95 98
  211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239
  240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 258 260 261 262 263 264 265
  266 267 268 269 290 291 297 298 299
  350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 380 381 382 383 385 386
  387 388 389 420 421 423
  500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 599
  670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 691 692
  800 808 850 852 853 855 856 870 878 880 881 882 883 886 888
  960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 979 991 992 993 994 995 996 998
`.trim().split(/\s+/));

/** The assigned country code an international number's digits start with, or null. */
export function countryCodeOf(digits) {
  return [1, 2, 3].map((length) => digits.slice(0, length)).find((code) => ASSIGNED_COUNTRY_CODES.has(code)) ?? null;
}

/** @returns {{ok: true, e164: string} | {ok: false, message: string}} */
export function normalizeNumber(input) {
  const text = String(input ?? '').trim().replace(/^tel:/i, '').replace(/\s/g, '')
    .replace(/^(\+\d{1,3})\(0\)/, '$1') // "+44 (0)20 ...": the national trunk 0 is not dialled from abroad
    .replace(SEPARATORS, '');
  if (text === '') {
    return { ok: false, message: 'Enter a phone number.' };
  }
  if (/[a-z]/i.test(text)) {
    return { ok: false, message: 'A phone number has digits only (letters and extensions are not dialled).' };
  }
  let digits;
  if (text.startsWith('+')) {
    digits = text.slice(1);
  } else if (text.startsWith('011')) {
    digits = text.slice(3); // the North American international prefix
  } else if (text.startsWith('00')) {
    digits = text.slice(2); // the international prefix used in most other countries
  } else if (/^[2-9]\d{9}$/.test(text)) {
    digits = '1' + text;
  } else if (/^1[2-9]\d{9}$/.test(text)) {
    digits = text;
  } else if (/^\d+$/.test(text)) {
    return {
      ok: false,
      message: 'That is not a 10-digit US/Canada number. For other countries start with + and the country code.',
    };
  } else {
    return { ok: false, message: 'Use digits, spaces, dots, dashes or brackets only, with an optional leading +.' };
  }
  if (!/^[1-9]\d{7,14}$/.test(digits)) {
    return { ok: false, message: 'An international number has a country code and 8 to 15 digits in all.' };
  }
  if (!countryCodeOf(digits)) {
    return { ok: false, message: `+${digits.slice(0, 3)}… is not a country code in use: check the number's start.` };
  }
  if (digits.startsWith('1') && !/^1[2-9]\d{2}[2-9]\d{6}$/.test(digits)) {
    return { ok: false, message: 'A US/Canada number is +1, a 3-digit area code and a 7-digit number.' };
  }
  return { ok: true, e164: '+' + digits };
}
