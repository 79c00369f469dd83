// truth.js: the server's truth (GET /calls/{id}) turned into a row of the call list, and its bounded polling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idsOf, lookupId, outcomeOf, recordingOf, settledRow, UNKNOWN_CALL, waitForFinal } from '../src/truth.js';

const truth = (extra = {}) => ({ call_control_id: 'v3:a', stage: 'ended', final: true, logged: true, ending: 'completed',
  call_status: 'completed', talk_seconds: 12, reason: null, detail: 'normal_clearing',
  recording: { state: 'saved', reason: null }, ...extra });

test('the call is looked up by its call control id, else its leg id, else its session id', () => {
  assert.deepEqual(idsOf({ telnyxIDs: { telnyxLegId: 'leg', telnyxSessionId: 'ses' } }),
    { callControlId: null, legId: 'leg', sessionId: 'ses' });
  assert.deepEqual(idsOf({}), { callControlId: null, legId: null, sessionId: null });
  assert.equal(lookupId({ callControlId: 'v3:a', legId: 'leg', sessionId: 'ses' }), 'v3:a');
  assert.equal(lookupId({ legId: 'leg', sessionId: 'ses' }), 'leg', 'unanswered: Telnyx sent no call control id');
  assert.equal(lookupId({ sessionId: 'ses' }), 'ses');
  assert.equal(lookupId({}), null);
  assert.equal(lookupId(undefined), null);
});

test('the outcome\'s words come from call-endings.json by the ending; a refusal says why', () => {
  assert.deepEqual(outcomeOf(truth(), true), { kind: 'completed', text: 'Answered, you hung up' });
  assert.deepEqual(outcomeOf(truth(), false), { kind: 'completed', text: 'Answered, they hung up' });
  assert.deepEqual(outcomeOf(truth(), null), { kind: 'completed', text: 'Answered' }, 'after a reload: who hung up is not known');
  assert.deepEqual(outcomeOf(truth({ ending: 'canceled' }), true),
    { kind: 'canceled', text: 'You cancelled it before it was answered' });
  assert.deepEqual(outcomeOf(truth({ ending: 'canceled' }), false), { kind: 'canceled', text: 'Cancelled before it was answered' });
  assert.deepEqual(outcomeOf(truth({ ending: 'busy' })), { kind: 'busy', text: 'Busy' });
  assert.deepEqual(outcomeOf(truth({ ending: 'no-answer' })), { kind: 'no-answer', text: 'No answer' });
  assert.deepEqual(outcomeOf(truth({ ending: 'invalid-number' })), { kind: 'failed', text: 'Number not in service' });
  assert.deepEqual(outcomeOf(truth({ ending: 'blocked', reason: 'this number is on the do-not-call list' })),
    { kind: 'blocked', text: 'Not called: this number cannot be called: this number is on the do-not-call list' });
  assert.deepEqual(outcomeOf(truth({ ending: 'limited', reason: null })),
    { kind: 'limited', text: 'Not called: too many calls right now' });
  assert.deepEqual(outcomeOf(truth({ ending: null })), { kind: 'unknown', text: 'Outcome not known yet' });
  assert.deepEqual(outcomeOf(truth({ ending: 'on-fire' })), { kind: 'unknown', text: 'Outcome not known yet' });
});

test('the recording: failed shows as failed with its reason, and never "Started" once the call is over', () => {
  assert.deepEqual(recordingOf({ state: 'started' }, true), { state: 'started', text: 'Started' });
  assert.deepEqual(recordingOf({ state: 'started' }, false), { state: 'saving', text: 'Saving…' });
  assert.deepEqual(recordingOf({ state: 'saved' }, false), { state: 'saved', text: 'Saved' });
  assert.deepEqual(recordingOf({ state: 'failed', reason: 'storage refused' }, false),
    { state: 'failed', text: 'Failed: storage refused' });
  assert.deepEqual(recordingOf({ state: 'error', reason: 'recording.error: no media' }, false),
    { state: 'failed', text: 'Failed: recording.error: no media' });
  assert.deepEqual(recordingOf({ state: 'error' }, false), { state: 'failed', text: 'Failed: the recording was lost' });
  assert.deepEqual(recordingOf({ state: 'pending' }, false), { state: 'none', text: 'Not recorded: not answered' });
  assert.deepEqual(recordingOf({ state: 'call_ended' }, false), { state: 'none', text: 'Not recorded: the call ended first' });
  assert.deepEqual(recordingOf({ state: 'none' }, false), { state: 'none', text: '—' });
  assert.deepEqual(recordingOf(undefined, false), { state: 'none', text: '—' });
});

test('a final truth settles the row: outcome, the call log\'s talk time, the recording, the codes apart', () => {
  const entry = { number: '+18005551234', talkSeconds: 14, outcome: { kind: 'completed', text: 'Answered, you hung up' },
    recording: { state: 'saving', text: 'Saving…' }, hungUpByUs: true, settled: false, detail: 'NORMAL_CLEARING (16)' };
  assert.deepEqual(settledRow(entry, truth({ recording: { state: 'failed', reason: 'upload refused' } })), {
    number: '+18005551234', talkSeconds: 12, outcome: { kind: 'completed', text: 'Answered, you hung up' },
    recording: { state: 'failed', text: 'Failed: upload refused' }, hungUpByUs: true, settled: true,
    detail: 'normal_clearing' });
  const parked = settledRow({ ...entry, hungUpByUs: false, talkSeconds: 0 },
    truth({ ending: 'busy', talk_seconds: 0, detail: 'user_busy, SIP 486', recording: { state: 'pending' } }));
  assert.deepEqual([parked.outcome.text, parked.talkSeconds, parked.detail, parked.recording.text],
    ['Busy', 0, 'user_busy, SIP 486', 'Not recorded: not answered']);
  assert.equal(settledRow(entry, truth({ talk_seconds: null })).talkSeconds, 14, 'no figure: the page\'s stays');
});

test('the truth is asked every half second until final, and given up after the bound', async () => {
  let clock = 0;
  const options = { sleep: async (ms) => { clock += ms; }, now: () => clock };
  const answers = [[404, { error: 'unknown_call' }], [200, truth({ final: false })], [200, truth()]];
  const asked = [];
  const final = await waitForFinal(async (id) => { asked.push([id, clock]); const [status, answer] = answers.shift();
    return { status, answer }; }, 'leg-1', options);
  assert.equal(final.ending, 'completed');
  assert.deepEqual(asked, [['leg-1', 0], ['leg-1', 500], ['leg-1', 1000]]);

  clock = 0;
  let tries = 0;
  const never = await waitForFinal(async () => { tries += 1; throw new Error('backend down'); }, 'v3:a', options);
  assert.equal(never, null);
  assert.equal(tries, 21, 'every 500 ms for 10 s, then no more');
  assert.ok(clock <= 10_000);

  const refused = Object.assign(new Error('no key'), { name: 'Unauthorized' });
  tries = 0;
  assert.equal(await waitForFinal(async () => { tries += 1; throw refused; }, 'v3:a', options), null);
  assert.equal(tries, 1, 'a refused key: asked again on the next load');
});

test('a final answer whose recording is under way is shown at once, then asked again until it is saved or failed',
  async () => {
    let clock = 0;
    const shown = [];
    const answers = [truth({ recording: { state: 'started', reason: null } }),
      truth({ recording: { state: 'started', reason: null } }),
      truth({ recording: { state: 'error', reason: 'Internal server error' } })];
    const last = await waitForFinal(async () => ({ status: 200, answer: answers.shift() }), 'v3:a',
      { sleep: async (ms) => { clock += ms; }, now: () => clock, onFinal: (answer) => shown.push(answer.recording.state) });
    assert.deepEqual(shown, ['started', 'started'], 'the outcome is not held back for the recording');
    assert.equal(last.recording.state, 'error');
    assert.equal(recordingOf(last.recording, false).text, 'Failed: Internal server error');

    clock = 0;
    const stuck = await waitForFinal(async () => ({ status: 200, answer: truth({ recording: { state: 'started' } }) }),
      'v3:a', { sleep: async (ms) => { clock += ms; }, now: () => clock });
    assert.equal(stuck.recording.state, 'started', 'the bound passed: the last final answer, not nothing');
  });

test('a call the backend still does not know 3 s after the first ask is one it never heard of', async () => {
  let clock = 0;
  let tries = 0;
  const options = { sleep: async (ms) => { clock += ms; }, now: () => clock };
  const unknown = await waitForFinal(async () => { tries += 1; return { status: 404, answer: { error: 'unknown_call' } }; },
    'v3:a', options);
  assert.equal(unknown, UNKNOWN_CALL);
  assert.equal(tries, 7, 'asked for 3 s, then no more');

  clock = 0;
  const answers = [[404, {}], [200, truth({ final: false })], [404, {}], [404, {}], [404, {}], [404, {}], [404, {}],
    [404, {}], [404, {}], [200, truth()]];
  const known = await waitForFinal(async () => { const [status, answer] = answers.shift(); return { status, answer }; },
    'v3:a', options);
  assert.equal(known.ending, 'completed', 'a call the backend knew is waited for, whatever a later 404 says');
});
