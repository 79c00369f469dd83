import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ASSIGNED_COUNTRY_CODES, countryCodeOf, normalizeNumber } from '../src/phone.js';

test('pasted numbers in common formats become E.164', () => {
  const cases = {
    '(800) 555-1234': '+18005551234',
    '800-555-1234': '+18005551234',
    '800.555.1234': '+18005551234',
    '8005551234': '+18005551234',
    '1 (800) 555-1234': '+18005551234',
    '+1 800-555-1234': '+18005551234',
    '+1.800.555.1234': '+18005551234',
    ' +1 (408) 357 2311 ': '+14083572311',
    '001 800 555 1234': '+18005551234',
    '011 44 20 7946 0958': '+442079460958',
    '0044 20 7946 0958': '+442079460958',
    '+44 (0)20 7946 0958': '+442079460958',
    'tel:+33142685300': '+33142685300',
    '+49\u00a030\u20139018\u20130': '+493090180',
  };
  for (const [input, e164] of Object.entries(cases)) {
    assert.deepEqual(normalizeNumber(input), { ok: true, e164 }, input);
  }
});

test('numbers that cannot be dialled get a message that says what to fix', () => {
  for (const input of ['', '   ', '12345', '555-1234', '+1 800 FLOWERS', '800-555-1234 x12', '+0 800 555 1234',
    '+1234567', '+1234567890123456', '+1 100 555 1234', '+1 800 055 1234', '#31#8005551234', '020 7946 0958']) {
    const result = normalizeNumber(input);
    assert.equal(result.ok, false, input);
    assert.match(result.message, /\w{4,}/, input);
  }
  assert.match(normalizeNumber('12345').message, /country code/);
  assert.match(normalizeNumber('').message, /Enter a phone number/);
});

test('a number whose country code ITU has not assigned is refused before dialling', () => {
  for (const input of ['+999 123 456 789', '+0 800 555 1234', '+2891234567', '+3841234567', '+6711234567',
    '00 969 1234 5678', '+8091234567', '+9901234567']) {
    const result = normalizeNumber(input);
    assert.equal(result.ok, false, input);
    assert.match(result.message, /country code/, input);
  }
  for (const [input, code] of [['+7 495 123 4567', '7'], ['+44 20 7946 0958', '44'], ['+383 44 123 456', '383'],
    ['+882 1234 5678', '882'], ['+971 4 123 4567', '971'], ['+1 800 555 1234', '1']]) {
    assert.equal(normalizeNumber(input).ok, true, input);
    assert.equal(countryCodeOf(normalizeNumber(input).e164.slice(1)), code, input);
  }
});

test('the assigned codes are prefix-free (E.164\'s rule), so a number names one country code', () => {
  for (const code of ASSIGNED_COUNTRY_CODES) {
    for (const other of ASSIGNED_COUNTRY_CODES) {
      assert.ok(code === other || !other.startsWith(code), `${code} is a prefix of ${other}`);
    }
  }
  assert.ok(ASSIGNED_COUNTRY_CODES.size > 200);
});
