import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byeHeaders, describeOutcome, destinationOutcome } from '../src/outcome.js';

const header = (value, name = 'X-Cold-Call-Outcome') => ({ dialogParams: { custom_headers: [{ name, value }] } });

test("the destination's outcome in the BYE's header is told in plain words", () => {
  assert.deepEqual(destinationOutcome(header('busy')), { kind: 'busy', text: 'Busy' });
  assert.deepEqual(destinationOutcome(header('no-answer')), { kind: 'no-answer', text: 'No answer' });
  assert.deepEqual(destinationOutcome(header('rejected')), { kind: 'rejected', text: 'Rejected by the callee' });
  assert.deepEqual(destinationOutcome(header('invalid-number')), { kind: 'failed', text: 'Number not in service' });
  assert.equal(destinationOutcome(header('failed')).kind, 'failed');
  assert.equal(destinationOutcome(header(' BUSY ', 'x-cold-call-outcome')).text, 'Busy', 'header names ignore case');
  assert.equal(destinationOutcome(header('on-fire')), null, 'an unknown value names nothing');
  assert.equal(destinationOutcome(header('busy', 'X-Other')), null);
  assert.equal(destinationOutcome({ cause: 'NORMAL_CLEARING', causeCode: 16 }), null);
  assert.equal(destinationOutcome(undefined), null);
});

test('custom headers are found wherever a BYE carries them', () => {
  const one = { name: 'X-A', value: '1' };
  assert.deepEqual(byeHeaders({ dialogParams: { customHeaders: [one] } }), [one]);
  assert.deepEqual(byeHeaders({ custom_headers: [one], customHeaders: [{ name: 'X-B' }] }), [one]);
  assert.deepEqual(byeHeaders({ dialogParams: { custom_headers: 'X-A: 1' } }), []);
});

test("the header's outcome wins over the cause of the backend's hang-up, but not over an answer or our cancel", () => {
  const hangupOfParkedLeg = { cause: 'NORMAL_CLEARING', causeCode: 16 };
  const busy = destinationOutcome(header('busy'));
  assert.equal(describeOutcome(hangupOfParkedLeg, { answered: false, hungUpByUs: false, destination: busy }).text, 'Busy');
  assert.equal(describeOutcome(hangupOfParkedLeg, { answered: false, hungUpByUs: false }).text, 'Call failed (normal clearing)');
  assert.equal(describeOutcome(hangupOfParkedLeg, { answered: true, hungUpByUs: false, destination: busy }).kind, 'completed');
  assert.equal(describeOutcome(hangupOfParkedLeg, { answered: false, hungUpByUs: true, destination: busy }).kind, 'canceled');
});

test('every way a call ends is told in the same words as before the table', () => {
  const how = { answered: false, hungUpByUs: false };
  assert.deepEqual(describeOutcome({}, { answered: true, hungUpByUs: true }), { kind: 'completed', text: 'Answered, you hung up' });
  assert.deepEqual(describeOutcome({}, { answered: true, hungUpByUs: false }), { kind: 'completed', text: 'Answered, they hung up' });
  assert.deepEqual(describeOutcome({}, { answered: false, hungUpByUs: true }),
    { kind: 'canceled', text: 'You cancelled it before it was answered' });
  assert.deepEqual(describeOutcome({ cause: 'USER_BUSY' }, how), { kind: 'busy', text: 'Busy' });
  assert.deepEqual(describeOutcome({ sipCode: 600 }, how), { kind: 'busy', text: 'Busy' });
  assert.deepEqual(describeOutcome({ sipCode: 480 }, how), { kind: 'no-answer', text: 'No answer' });
  assert.deepEqual(describeOutcome({ sipCode: 603 }, how), { kind: 'rejected', text: 'Rejected by the callee' });
  assert.deepEqual(describeOutcome({ cause: 'UNALLOCATED_NUMBER', sipCode: 404, sipReason: 'Not Found' }, how),
    { kind: 'failed', text: 'Number not in service (404 Not Found)' });
  assert.deepEqual(describeOutcome({ cause: 'NORMAL_TEMPORARY_FAILURE', sipCode: 503 }, how),
    { kind: 'failed', text: 'Call failed (normal temporary failure, 503)' });
  assert.deepEqual(describeOutcome({}, how), { kind: 'failed', text: 'Call failed' });
  assert.deepEqual(destinationOutcome(header('failed')),
    { kind: 'failed', text: 'Call failed: the number could not be reached' });
  assert.equal(destinationOutcome(header('canceled')), null, 'the destination cancelling names nothing');
  assert.equal(destinationOutcome(header('completed')), null);
});
