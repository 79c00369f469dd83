import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOutcome } from '../src/outcome.js';

test('the page\'s first guess: an answer or our cancel first, then what the SDK\'s cause says', () => {
  const hangupOfParkedLeg = { cause: 'NORMAL_CLEARING', causeCode: 16 };
  assert.equal(describeOutcome(hangupOfParkedLeg, { answered: false, hungUpByUs: false }).text, 'Call failed',
    'the parked flow\'s destination outcome is the server\'s to tell (truth.js)');
  assert.equal(describeOutcome(hangupOfParkedLeg, { answered: true, hungUpByUs: false }).kind, 'completed');
  assert.equal(describeOutcome({ cause: 'USER_BUSY' }, { answered: false, hungUpByUs: true }).kind, 'canceled');
});

test('every way a call ends is told in plain words, never with its codes', () => {
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
    { kind: 'failed', text: 'Number not in service' });
  assert.deepEqual(describeOutcome({ cause: 'NORMAL_TEMPORARY_FAILURE', sipCode: 503 }, how),
    { kind: 'failed', text: 'Call failed' });
  assert.deepEqual(describeOutcome({}, how), { kind: 'failed', text: 'Call failed' });
});
