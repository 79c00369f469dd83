// call.js: its pure helpers, and a call's life driven by SDK notifications against a fake SDK call and a fake
// backend behind fetch (api.js and outcome.js as they are).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApi } from '../src/api.js';
import {
  callOutcome, createCalls, endCause, learnIds, microphoneProblem, newEntry, recordingAtEnd,
} from '../src/call.js';
import { createState, loadHistory } from '../src/state.js';
import { fakeBackend, fakeCall, fakeStream, memoryStorage, recordingView, settle } from './fakes.mjs';

test('a new row: the number, when it started, no outcome and no recording yet', () => {
  assert.deepEqual(newEntry('+18005551234', Date.UTC(2026, 11, 7, 10)), { number: '+18005551234',
    startedAt: '2026-12-07T10:00:00.000Z', talkSeconds: 0, outcome: null, recording: { state: 'none', text: '—' },
    ids: {}, hungUpByUs: null, settled: false, detail: '' });
});

test('the page\'s guess until the server\'s truth: a failure the SDK reported, a lost call, else outcome.js\'s', () => {
  const call = { cause: 'USER_BUSY', causeCode: 17, sipCode: 486 };
  const tracked = { call, answeredAt: null, hungUpByUs: false, error: null };
  assert.deepEqual(callOutcome(tracked), { kind: 'busy', text: 'Busy' });
  assert.deepEqual(callOutcome({ ...tracked, error: 'ICE failed' }), { kind: 'failed', text: 'Call failed' });
  assert.equal(callOutcome({ ...tracked, error: 'ICE failed', hungUpByUs: true }).kind, 'canceled');
  assert.equal(callOutcome({ ...tracked, error: 'ICE failed', answeredAt: 1 }).text, 'Answered, they hung up');
  assert.deepEqual(callOutcome({ ...tracked, answeredAt: 1, lost: true }),
    { kind: 'unknown', text: 'Connection lost: checking how the call ended…' });
});

test('the codes for the details line: the SDK cause, the SIP answer and the SDK\'s error, each when there', () => {
  assert.equal(endCause({ cause: 'USER_BUSY', causeCode: 17, sipCode: 486, sipReason: 'Busy Here' }),
    'USER_BUSY (17), SIP 486 Busy Here');
  assert.equal(endCause({ cause: 'NORMAL_CLEARING' }), 'NORMAL_CLEARING');
  assert.equal(endCause({ sipCode: 404 }, 'ICE failed'), 'SIP 404, ICE failed');
  assert.equal(endCause({}), '');
});

test('the recording at the end: never "Started" once the call is over; a failure stays a failure', () => {
  const none = { state: 'none', text: '—' };
  assert.deepEqual(recordingAtEnd(none, true), { state: 'none', text: 'Not asked: Telnyx sent no call id' });
  assert.deepEqual(recordingAtEnd(none, false), { state: 'none', text: '—' });
  assert.deepEqual(recordingAtEnd({ state: 'started', text: 'Started' }, true), { state: 'saving', text: 'Saving…' });
  const failed = { state: 'failed', text: 'Failed: no media' };
  assert.equal(recordingAtEnd(failed, true), failed);
});

test('the ids Telnyx names are learnt as they come, and never forgotten', () => {
  const known = {};
  assert.equal(learnIds(known, { telnyxIDs: { telnyxLegId: 'leg', telnyxSessionId: 'ses' } }), true);
  assert.equal(learnIds(known, { telnyxIDs: { telnyxLegId: 'leg' } }), false);
  assert.equal(learnIds(known, { telnyxIDs: { telnyxCallControlId: 'v3:a' } }), true);
  assert.deepEqual(known, { legId: 'leg', sessionId: 'ses', callControlId: 'v3:a' });
});

test('the microphone\'s refusals in plain words', () => {
  assert.match(microphoneProblem({ name: 'NotAllowedError' }), /^Microphone access is blocked/);
  assert.match(microphoneProblem({ name: 'SecurityError' }), /^Microphone access is blocked/);
  assert.match(microphoneProblem({ name: 'NotFoundError' }), /^No microphone found/);
  assert.match(microphoneProblem({ name: 'OverconstrainedError' }), /^No microphone found/);
  assert.match(microphoneProblem({ name: 'NotReadableError' }), /in use by another program/);
  assert.match(microphoneProblem({ name: 'TypeError' }), /HTTPS/);
  assert.equal(microphoneProblem({ name: 'AbortError', message: 'gone' }), 'The microphone could not be opened: gone');
  assert.equal(microphoneProblem('odd'), 'The microphone could not be opened: odd');
});

const CALLER = '+15550000001';
let backend;
afterEach(() => backend?.restore());

const FINAL = { stage: 'ended', final: true, logged: true, ending: 'completed', call_status: 'completed',
  talk_seconds: 7, reason: null, detail: 'normal_clearing', recording: { state: 'saved', reason: null } };

/**
 * The calls over a ready connection whose client places {@code call}; the backend answers the recording with
 * {@code recording} and the truth of a call with {@code truth(id)} ([status, body]).
 */
function setUp({ call = fakeCall(), recording = [200, { status: 'recording_started' }],
  truth = () => [200, FINAL] } = {}) {
  backend = fakeBackend((path) => {
    if (path === '/start-recording') {
      return recording;
    }
    const [, id, ended] = path.match(/^\/calls\/([^/]+)(\/ended)?$/) || [];
    return ended ? [202, FINAL] : truth(decodeURIComponent(id));
  });
  const storage = memoryStorage({ 'dialer.apiKey': 'key' });
  const state = createState([]);
  state.connection = { state: 'ready', text: 'Ready', retry: false };
  state.callerNumber = CALLER;
  const placed = [];
  state.client = { newCall: (options) => { placed.push(options); return call; } };
  const view = recordingView();
  const calls = createCalls(state, { api: createApi('http://backend', storage), storage, view,
    truth: { everyMs: 1, forMs: 30 } });
  return { state, storage, view, calls, call, placed };
}

const update = (calls, call, callState, extra = {}) => {
  Object.assign(call, { state: callState }, extra);
  calls.onNotification({ type: 'callUpdate', call });
};

/** The requests the page made of the backend beside the recording: [method, path, body]. */
const truthRequests = () => backend.requests.filter((r) => r.path.startsWith('/calls/'))
  .map((r) => [r.init.method, r.path, r.init.body ? JSON.parse(r.init.body) : null, Boolean(r.init.keepalive)]);
const until = async (check) => {
  for (let i = 0; i < 200 && !check(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  assert.ok(check(), 'in time');
};

test('a call answered, recorded once under the call control id that comes with the answer, hung up by us, settled '
  + 'from the server', async () => {
  const { state, storage, view, calls, call, placed } = setUp();
  const stream = fakeStream();
  calls.start('+18005551234', stream, 'audio-element');
  const { pageCallId } = state.current.entry.ids;
  assert.match(pageCallId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a random id');
  assert.deepEqual(placed, [{ destinationNumber: '+18005551234', callerNumber: CALLER, localStream: stream,
    remoteElement: 'audio-element', audio: true, video: false,
    customHeaders: [{ name: 'X-Cold-Call-Page-Id', value: pageCallId }] }]);
  assert.equal(state.current.call, call);
  assert.equal(loadHistory(storage).length, 1, 'the row is kept from the start');

  update(calls, call, 'trying');
  update(calls, call, 'ringing', { telnyxIDs: { telnyxLegId: 'leg-1', telnyxSessionId: 'ses-1' } });
  assert.equal(state.current.entry.recording.state, 'none', 'no call control id yet: Telnyx sends it with the answer');
  assert.deepEqual(loadHistory(storage)[0].ids, { pageCallId, legId: 'leg-1', sessionId: 'ses-1' },
    'kept for a reload');
  update(calls, call, 'active', { telnyxIDs: { telnyxCallControlId: 'v3:abc', telnyxLegId: 'leg-1' } });
  assert.deepEqual(state.current.entry.recording, { state: 'requesting', text: 'Starting…' });
  update(calls, call, 'active');
  await settle();
  assert.deepEqual(state.current.entry.recording, { state: 'started', text: 'Started' });
  const recordings = backend.requests.filter((r) => r.path === '/start-recording');
  assert.equal(recordings.length, 1, 'asked once');
  assert.deepEqual(JSON.parse(recordings[0].init.body),
    { call_control_id: 'v3:abc', to_phone: '+18005551234', from_phone: CALLER });
  assert.ok(state.current.answeredAt);
  assert.ok(state.timerId, 'the talk time runs');
  assert.ok(state.current.quality, 'the quality is sampled');

  calls.hangup();
  assert.deepEqual(call.actions, [['hangup']], 'answered: the SDK\'s own hang-up');
  update(calls, call, 'hangup', { cause: 'NORMAL_CLEARING', causeCode: 16 });
  assert.equal(state.current, null);
  assert.equal(state.timerId, null);
  assert.equal(stream.track.stopped, true, 'the microphone is let go');
  const entry = state.lastEnded.entry;
  assert.deepEqual(entry.outcome, { kind: 'completed', text: 'Answered, you hung up' }, 'the page\'s guess at once');
  assert.deepEqual(entry.recording, { state: 'saving', text: 'Saving…' }, 'never "Started" after the call');
  assert.equal(entry.detail, 'NORMAL_CLEARING (16)');
  assert.deepEqual(entry.quality, { level: 'none', text: '—' }, 'no statistics from a call without a peer');
  assert.equal(view.focused, 1, 'the number field has the focus back');
  await until(() => entry.settled);
  assert.deepEqual(truthRequests().slice(0, 2), [
    ['POST', '/calls/v3%3Aabc/ended', { why: 'hung_up' }, true],
    ['GET', '/calls/v3%3Aabc', null, false],
  ]);
  const [saved] = loadHistory(storage);
  assert.deepEqual([saved.outcome, saved.talkSeconds, saved.recording, saved.detail, saved.settled],
    [{ kind: 'completed', text: 'Answered, you hung up' }, 7, { state: 'saved', text: 'Saved' }, 'normal_clearing', true],
    'the call log\'s talk time and recording');
  update(calls, call, 'destroy');
  assert.equal(state.history.length, 1, 'a second end changes nothing');
  assert.deepEqual(call.actions, [['hangup']], 'its own late updates are not a stranger\'s');
});

test('a cancel before the answer names ORIGINATOR_CANCEL and is looked up by its leg id', async () => {
  const { state, calls, call } = setUp({ truth: (id) => (id === 'leg-1'
    ? [200, { ...FINAL, ending: 'canceled', call_status: 'canceled', talk_seconds: 0, recording: { state: 'none' } }]
    : [404, { error: 'unknown_call' }]) });
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'ringing', { telnyxIDs: { telnyxLegId: 'leg-1', telnyxSessionId: 'ses-1' } });
  calls.hangup();
  assert.deepEqual(call.actions, [['hangup', { cause: 'ORIGINATOR_CANCEL', causeCode: 487 }, true]]);
  update(calls, call, 'hangup', { cause: 'ORIGINATOR_CANCEL' });
  const entry = state.lastEnded.entry;
  await until(() => entry.settled);
  assert.deepEqual(truthRequests()[0], ['POST', '/calls/leg-1/ended', { why: 'hung_up' }, true]);
  assert.equal(entry.outcome.text, 'You cancelled it before it was answered');
  assert.equal(entry.recording.text, '—');
});

test('the server\'s ending wins over the page\'s guess: a parked call the backend hung up was busy', async () => {
  const { state, calls, call } = setUp({ truth: () => [200, { ...FINAL, ending: 'busy', call_status: 'busy',
    talk_seconds: 0, detail: 'user_busy, SIP 486', recording: { state: 'pending' } }] });
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'ringing', { telnyxIDs: { telnyxLegId: 'leg-2' } });
  update(calls, call, 'hangup', { cause: 'NORMAL_CLEARING', causeCode: 16 });
  const entry = state.lastEnded.entry;
  assert.equal(entry.outcome.text, 'Call failed', 'the SDK alone cannot tell');
  assert.equal(entry.checking, true);
  await until(() => entry.settled);
  assert.deepEqual([entry.outcome, entry.detail, entry.recording.text, entry.checking],
    [{ kind: 'busy', text: 'Busy' }, 'user_busy, SIP 486', 'Not recorded: not answered', false]);
  assert.deepEqual(truthRequests().map((r) => r[0]), ['GET'], 'they hung up: nothing to report');
});

test('the server never final within the bound: "Outcome not known yet", kept for the next load', async () => {
  const { state, storage, calls, call } = setUp({ truth: () => [200, { ...FINAL, final: false, stage: 'ringing' }] });
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'ringing', { telnyxIDs: { telnyxLegId: 'leg-3' } });
  update(calls, call, 'hangup', { cause: 'USER_BUSY', causeCode: 17 });
  const entry = state.lastEnded.entry;
  await until(() => entry.checking === false);
  assert.deepEqual([entry.outcome, entry.settled, entry.detail],
    [{ kind: 'unknown', text: 'Outcome not known yet' }, false, 'The page saw: Busy. USER_BUSY (17)']);
  assert.equal(loadHistory(storage)[0].settled, false, 'asked again on the next load');
  assert.ok(truthRequests().length > 3, 'asked more than once');
});

test('a row a closed tab left is settled from the server, not called failed; one Telnyx never named stays as seen',
  async () => {
    const { state, storage, calls } = setUp({ truth: () => [200, { ...FINAL, ending: 'no-answer', talk_seconds: 0 }] });
    storage.setItem('dialer.history', JSON.stringify([
      { number: '+18005551234', outcome: null, ids: { legId: 'leg-9' }, recording: { state: 'none', text: '—' } },
      { number: '+18005550000', outcome: null, ids: {} }]));
    state.history = loadHistory(storage);
    assert.equal(state.history[0].outcome.text, 'Checking…');
    state.history.forEach((entry) => calls.settle(entry));
    await until(() => state.history[0].settled);
    assert.deepEqual(state.history.map((e) => e.outcome.text), ['No answer', 'Outcome not known yet']);
    assert.deepEqual(truthRequests(), [['GET', '/calls/leg-9', null, false]]);
  });

test('signalling lost during a call: no timer, no microphone, the backend told, settled from the server', async () => {
  const { state, calls, call } = setUp();
  const stream = fakeStream();
  calls.start('+18005551234', stream, null);
  update(calls, call, 'active', { telnyxIDs: { telnyxCallControlId: 'v3:lost', telnyxLegId: 'leg-4' } });
  assert.ok(state.timerId);
  calls.onSignallingLost();
  assert.equal(state.current, null);
  assert.equal(state.timerId, null, 'no timer for a call the page can no longer see');
  assert.equal(stream.track.stopped, true);
  assert.equal(state.lastEnded.entry.outcome.text, 'Connection lost: checking how the call ended…');
  assert.deepEqual(call.actions, [['hangup']], 'its peer connection let go');
  await until(() => state.lastEnded.entry.settled);
  assert.deepEqual(truthRequests()[0], ['POST', '/calls/v3%3Alost/ended', { why: 'lost' }, true]);
  assert.equal(state.lastEnded.entry.outcome.text, 'Answered', 'who hung up is not known');
  calls.onSignallingLost();
  update(calls, call, 'active');
  assert.deepEqual(call.actions, [['hangup'], ['hangup']], 'the SDK reattaching it: a call the page no longer shows');
  assert.equal(state.notice, 'A call this page no longer showed was hung up.');
});

test('the page closing during a call tells the backend (keepalive) to hang it up', () => {
  const { state, calls, call } = setUp();
  calls.onPageClose();
  assert.deepEqual(truthRequests(), [], 'no call: nothing to tell');
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'ringing', { telnyxIDs: { telnyxLegId: 'leg-5' } });
  calls.onPageClose();
  assert.deepEqual(truthRequests(), [['POST', '/calls/leg-5/ended', { why: 'page_closed' }, true]]);
  assert.deepEqual(call.actions, [['hangup', { cause: 'ORIGINATOR_CANCEL', causeCode: 487 }, true]],
    'the SDK hangs up too (it no longer does on beforeunload)');
  update(calls, call, 'hangup');
  assert.equal(state.history[0].outcome, null, 'left for the next load to settle from the server');
});

test('an error the SDK reports for the call is shown, its words plain and its text in the details', () => {
  const { state, view, calls, call } = setUp();
  calls.start('+18005551234', fakeStream(), null);
  calls.onCallError('other-call', 'nothing to do with us');
  assert.equal(state.current.error, null);
  const renders = view.renders;
  calls.onCallError('call-1', 'ICE failed');
  assert.equal(state.current.error, 'ICE failed');
  assert.equal(view.renders, renders + 1);
  calls.onNotification({ type: 'userMediaError' });
  assert.equal(state.current.error, 'The microphone could not be opened');
  update(calls, call, 'hangup');
  assert.equal(state.lastEnded.entry.outcome.text, 'Call failed');
  assert.equal(state.lastEnded.entry.detail, 'The microphone could not be opened');
});

test('a call the SDK will not place leaves the history as it was and lets the microphone go', () => {
  const { state, calls } = setUp();
  state.history.push({ number: '+18005550000', outcome: { kind: 'busy', text: 'Busy' } });
  state.lastEnded = { entry: state.history[0] };
  state.client = { newCall: () => { throw new Error('no socket'); } };
  const stream = fakeStream();
  assert.throws(() => calls.start('+18005551234', stream, null), /no socket/);
  assert.equal(state.history.length, 1);
  assert.equal(state.current, null);
  assert.equal(state.lastEnded, null);
  assert.equal(stream.track.stopped, true);
});

test('Telnyx\'s 180 Ringing marks the call ringing (the SDK does not) and gives its ids', () => {
  const { state, storage, calls, call } = setUp();
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'trying');
  calls.onSocketMessage({ method: 'telnyx_rtc.ringing', params: { callID: 'other', telnyx_leg_id: 'x' } });
  assert.equal(state.current.ringing, undefined, 'another call\'s ringing');
  calls.onSocketMessage({ method: 'telnyx_rtc.ringing', params: { callID: 'call-1', telnyx_leg_id: 'leg-1',
    telnyx_session_id: 'ses-1' } });
  assert.equal(state.current.ringing, true);
  assert.deepEqual(loadHistory(storage)[0].ids, { pageCallId: state.current.entry.ids.pageCallId, legId: 'leg-1',
    sessionId: 'ses-1' });
  update(calls, call, 'hangup');
});

test('the updates the SDK sends while it places the call are the call\'s own, not a stranger\'s', () => {
  const { state, calls, call } = setUp();
  state.client = { newCall: () => { update(calls, call, 'requesting'); return call; } };
  calls.start('+18005551234', fakeStream(), null);
  assert.deepEqual(call.actions, [], 'not hung up');
  assert.equal(state.current.call, call);
  assert.equal(state.notice, '');
});

test('one call at a time: a second start while a call is up is refused', () => {
  const { state, calls, placed } = setUp();
  calls.start('+18005551234', fakeStream(), null);
  const second = fakeStream();
  assert.throws(() => calls.start('+18005550000', second, null), /already in progress/);
  assert.equal(placed.length, 1);
  assert.equal(state.history.length, 1);
});

test('a refused API key when asking for the recording asks for the key again; failed stays failed', async () => {
  const { state, view, calls, call } = setUp({ recording: [401, { message: 'no' }], truth: () => [503, {}] });
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'active', { telnyxIDs: { telnyxCallControlId: 'v3:abc' } });
  await settle();
  assert.deepEqual(state.current.entry.recording, { state: 'failed', text: 'Failed: the API key was refused' });
  assert.deepEqual(view.keyPrompts, ['The API key was refused (401) when starting the recording. Enter it again.']);
  update(calls, call, 'hangup');
  assert.deepEqual(state.lastEnded.entry.recording, { state: 'failed', text: 'Failed: the API key was refused' });
});

test('a call the page did not place (inbound, a second outbound) is hung up at once, logged and told', () => {
  const { state, calls, call } = setUp();
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args);
  try {
    const inbound = fakeCall('in-1');
    // the SDK names a call's direction only once answered: an unanswered inbound call has only its caller
    update(calls, inbound, 'ringing', { direction: undefined, options: { remoteCallerNumber: '+15550009999' },
      telnyxIDs: { telnyxLegId: 'leg-in' } });
    assert.deepEqual(inbound.actions, [['hangup']]);
    assert.equal(state.notice, 'An incoming call was declined: this page only places calls.');
    calls.start('+18005551234', fakeStream(), null);
    assert.equal(state.notice, '', 'a new call clears the notice');
    const stranger = fakeCall('call-2');
    update(calls, stranger, 'trying');
    update(calls, stranger, 'active');
    assert.deepEqual(stranger.actions, [['hangup'], ['hangup']], 'hung up while it is live');
    assert.equal(state.notice, 'A call this page did not place was hung up.');
    update(calls, stranger, 'hangup');
    assert.equal(stranger.actions.length, 2, 'an ended stranger is left alone');
    assert.equal(state.current.call, call, 'still the call placed');
    assert.deepEqual(warnings.map(([text, ids]) => [text, ids.id, ids.legId, ids.state]), [
      ['dialer: hung up a call this page does not show', 'in-1', 'leg-in', 'ringing'],
      ['dialer: hung up a call this page does not show', 'call-2', null, 'trying'],
    ], 'logged once each, with their ids');
  } finally {
    console.warn = warn;
  }
  update(calls, call, 'hangup');
});

test('tones only during a connected call; mute, hold and the microphone go to the call', async () => {
  const { view, calls, call } = setUp();
  assert.equal(calls.sendTone('5'), false, 'no call');
  calls.toggleMute();
  calls.changeMic('mic-2');
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'ringing');
  assert.equal(calls.sendTone('5'), false, 'not connected yet');
  update(calls, call, 'active');
  assert.equal(calls.sendTone('5'), true);
  calls.toggleMute();
  assert.equal(call.isAudioMuted, true);
  calls.toggleMute();
  assert.equal(call.isAudioMuted, false);
  const renders = view.renders;
  await calls.toggleHold();
  assert.equal(view.renders, renders + 1, 'rendered once the SDK has held it');
  call.state = 'held';
  await calls.toggleHold();
  calls.changeMic('');
  calls.changeMic('mic-2');
  assert.deepEqual(call.actions, [['dtmf', '5'], ['hold'], ['unhold'], ['mic', 'mic-2']]);
  update(calls, call, 'hangup');
});

test('a call carries the rep tag of the login as the X-Cold-Call-Rep SIP header', () => {
  const { state, calls, placed } = setUp();
  state.repTag = 'Zm9vYmFyYmF6cXV4cXV1eA';
  calls.start('+18005551234', fakeStream(), 'audio-element');
  assert.deepEqual(placed[0].customHeaders, [{ name: 'X-Cold-Call-Page-Id', value: state.current.entry.ids.pageCallId },
    { name: 'X-Cold-Call-Rep', value: 'Zm9vYmFyYmF6cXV4cXV1eA' }]);
});
