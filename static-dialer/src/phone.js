// Turns what sales staff paste or type into E.164 (+ and 8..15 digits, as the backend requires).
// National numbers of ten digits are taken as North American (+1): the dialer's caller ID is a US number.

const SEPARATORS = /[\s().\-\/\u00a0\u2010-\u2015]/g;

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
  if (digits.startsWith('1') && !/^1[2-9]\d{2}[2-9]\d{6}$/.test(digits)) {
    return { ok: false, message: 'A US/Canada number is +1, a 3-digit area code and a 7-digit number.' };
  }
  return { ok: true, e164: '+' + digits };
}
