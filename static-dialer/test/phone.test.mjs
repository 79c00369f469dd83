import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeNumber } from '../src/phone.js';
import { describeOutcome } from '../src/outcome.js';

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

test('why a call ended, in plain words', () => {
  const notAnswered = { answered: false, hungUpByUs: false };
  assert.equal(describeOutcome({ cause: 'USER_BUSY', causeCode: 17, sipCode: 486 }, notAnswered).text, 'Busy');
  assert.equal(describeOutcome({ cause: 'NO_ANSWER', causeCode: 19 }, notAnswered).text, 'No answer');
  assert.equal(describeOutcome({ sipCode: 480, sipReason: 'Temporarily Unavailable' }, notAnswered).kind, 'no-answer');
  assert.equal(describeOutcome({ cause: 'CALL_REJECTED', sipCode: 603 }, notAnswered).text, 'Rejected by the callee');
  assert.equal(describeOutcome({ cause: 'UNALLOCATED_NUMBER', sipCode: 404, sipReason: 'Not Found' }, notAnswered).text,
    'Number not in service (404 Not Found)');
  assert.equal(describeOutcome({ cause: 'NORMAL_TEMPORARY_FAILURE', sipCode: 503 }, notAnswered).text,
    'Call failed (normal temporary failure, 503)');
  assert.equal(describeOutcome({ cause: 'USER_BUSY' }, { answered: false, hungUpByUs: true }).kind, 'canceled');
  assert.equal(describeOutcome({ cause: 'NORMAL_CLEARING' }, { answered: true, hungUpByUs: true }).text, 'Answered, you hung up');
  assert.equal(describeOutcome({ cause: 'NORMAL_CLEARING' }, { answered: true, hungUpByUs: false }).text,
    'Answered, they hung up');
});
