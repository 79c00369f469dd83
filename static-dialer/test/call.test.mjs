// call.js: its pure helpers, and a call's life driven by SDK notifications against a fake SDK call and a fake
// backend behind fetch (api.js and outcome.js as they are).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApi } from '../src/api.js';
import { OUTCOME_HEADER } from '../src/outcome.js';
import {
  byeCallId, callOutcome, createCalls, endCause, microphoneProblem, newEntry, recordingAtEnd,
} from '../src/call.js';
import { createState, loadHistory } from '../src/state.js';
import { fakeBackend, fakeCall, fakeStream, memoryStorage, recordingView, settle } from './fakes.mjs';

test('a new row: the number, when it started, no outcome and no recording yet', () => {
  assert.deepEqual(newEntry('+18005551234', Date.UTC(2026, 11, 7, 10)), { number: '+18005551234',
    startedAt: '2026-12-07T10:00:00.000Z', talkSeconds: 0, outcome: null, recording: { state: 'none', text: '—' } });
});

test('the outcome: a failure the SDK reported before any answer, else what outcome.js reads of the call', () => {
  const call = { cause: 'USER_BUSY', causeCode: 17, sipCode: 486 };
  const tracked = { call, answeredAt: null, hungUpByUs: false, error: null, destination: null };
  assert.deepEqual(callOutcome(tracked), { kind: 'busy', text: 'Busy' });
  assert.deepEqual(callOutcome({ ...tracked, error: 'ICE failed' }), { kind: 'failed', text: 'Call failed: ICE failed' });
  assert.equal(callOutcome({ ...tracked, error: 'ICE failed', hungUpByUs: true }).kind, 'canceled');
  assert.equal(callOutcome({ ...tracked, error: 'ICE failed', answeredAt: 1 }).text, 'Answered, they hung up');
  assert.deepEqual(callOutcome({ ...tracked, destination: { kind: 'no-answer', text: 'No answer' } }),
    { kind: 'no-answer', text: 'No answer' });
});

test('the cause shown under the outcome: the SDK cause and the SIP answer, each when there', () => {
  assert.equal(endCause({ cause: 'USER_BUSY', causeCode: 17, sipCode: 486, sipReason: 'Busy Here' }),
    'USER_BUSY (17), SIP 486 Busy Here');
  assert.equal(endCause({ cause: 'NORMAL_CLEARING' }), 'NORMAL_CLEARING');
  assert.equal(endCause({ sipCode: 404 }), 'SIP 404');
  assert.equal(endCause({}), '');
});

test('a recording never asked for says why only when the call was answered', () => {
  const none = { state: 'none', text: '—' };
  assert.deepEqual(recordingAtEnd(none, true), { state: 'none', text: 'Not asked: Telnyx sent no call id' });
  assert.deepEqual(recordingAtEnd(none, false), { state: 'none', text: '—' });
  const started = { state: 'started', text: 'Started' };
  assert.equal(recordingAtEnd(started, true), started);
});

test('a BYE names its call at the top or in its dialog params', () => {
  assert.equal(byeCallId({ callID: 'a', dialogParams: { callID: 'b' } }), 'a');
  assert.equal(byeCallId({ dialogParams: { callID: 'b' } }), 'b');
  assert.equal(byeCallId(undefined), undefined);
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

/** The calls over a ready connection whose client places {@code call}; the backend answers the recording with {@code recording}. */
function setUp({ call = fakeCall(), recording = [200, { status: 'recording_started' }] } = {}) {
  backend = fakeBackend(() => recording);
  const storage = memoryStorage({ 'dialer.apiKey': 'key' });
  const state = createState([]);
  state.connection = { state: 'ready', text: 'Ready', retry: false };
  state.callerNumber = CALLER;
  const placed = [];
  state.client = { newCall: (options) => { placed.push(options); return call; } };
  const view = recordingView();
  const calls = createCalls(state, { api: createApi('http://backend', storage), storage, view });
  return { state, storage, view, calls, call, placed };
}

const update = (calls, call, callState, extra = {}) => {
  Object.assign(call, { state: callState }, extra);
  calls.onNotification({ type: 'callUpdate', call });
};

test('a call answered, recorded once under Telnyx\'s call control id, and hung up by us', async () => {
  const { state, storage, view, calls, call, placed } = setUp();
  const stream = fakeStream();
  calls.start('+18005551234', stream, 'audio-element');
  assert.deepEqual(placed, [{ destinationNumber: '+18005551234', callerNumber: CALLER, localStream: stream,
    remoteElement: 'audio-element', audio: true, video: false }]);
  assert.equal(state.current.call, call);
  assert.equal(loadHistory(storage).length, 1, 'the row is kept from the start');

  update(calls, call, 'trying');
  assert.equal(state.current.entry.recording.state, 'none', 'no call control id yet');
  update(calls, call, 'ringing', { telnyxIDs: { telnyxCallControlId: 'v3:abc' } });
  assert.deepEqual(state.current.entry.recording, { state: 'requesting', text: 'Starting…' });
  update(calls, call, 'ringing');
  await settle();
  assert.deepEqual(state.current.entry.recording, { state: 'started', text: 'Started' });
  assert.equal(backend.requests.length, 1, 'asked once');
  assert.deepEqual(JSON.parse(backend.requests[0].init.body),
    { call_control_id: 'v3:abc', to_phone: '+18005551234', from_phone: CALLER });

  update(calls, call, 'active');
  assert.ok(state.current.answeredAt);
  assert.ok(state.timerId, 'the talk time runs');
  assert.ok(state.current.quality, 'the quality is sampled');

  calls.hangup();
  assert.deepEqual(call.actions, [['hangup']], 'answered: the SDK\'s own hang-up');
  update(calls, call, 'hangup', { cause: 'NORMAL_CLEARING', causeCode: 16 });
  assert.equal(state.current, null);
  assert.equal(state.timerId, null);
  assert.equal(stream.track.stopped, true, 'the microphone is let go');
  assert.equal(state.lastEnded.cause, 'NORMAL_CLEARING (16)');
  const [entry] = loadHistory(storage);
  assert.deepEqual(entry.outcome, { kind: 'completed', text: 'Answered, you hung up' });
  assert.deepEqual(entry.quality, { level: 'none', text: '—' }, 'no statistics from a call without a peer');
  assert.equal(view.focused, 1, 'the number field has the focus back');
  update(calls, call, 'destroy');
  assert.equal(state.history.length, 1, 'a second end changes nothing');
});

test('a cancel before the answer names ORIGINATOR_CANCEL, not the busy cause the SDK would send', () => {
  const { state, calls, call } = setUp();
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'ringing');
  calls.hangup();
  assert.deepEqual(call.actions, [['hangup', { cause: 'ORIGINATOR_CANCEL', causeCode: 487 }, true]]);
  update(calls, call, 'hangup', { cause: 'ORIGINATOR_CANCEL' });
  assert.equal(state.lastEnded.entry.outcome.text, 'You cancelled it before it was answered');
  assert.equal(state.lastEnded.entry.recording.text, '—');
});

test('the destination\'s outcome in a BYE: taken while the call lasts, corrected after the SDK ended it', () => {
  const bye = (callID, value) => ({ method: 'telnyx_rtc.bye',
    params: { callID, dialogParams: { custom_headers: [{ name: OUTCOME_HEADER, value }] } } });
  const first = setUp();
  first.calls.start('+18005551234', fakeStream(), null);
  first.calls.onSocketMessage(bye('call-1', 'no-answer'));
  update(first.calls, first.call, 'hangup', { cause: 'NORMAL_CLEARING' });
  assert.deepEqual(first.state.lastEnded.entry.outcome, { kind: 'no-answer', text: 'No answer' });

  const second = setUp();
  second.calls.start('+18005551234', fakeStream(), null);
  update(second.calls, second.call, 'hangup', { cause: 'NORMAL_CLEARING' });
  second.calls.onSocketMessage(bye('other-call', 'busy'));
  assert.equal(second.state.lastEnded.entry.outcome.kind, 'failed', 'another call\'s BYE changes nothing');
  second.calls.onSocketMessage(bye('call-1', 'busy'));
  assert.deepEqual(loadHistory(second.storage)[0].outcome, { kind: 'busy', text: 'Busy' });
});

test('an error the SDK reports for the call is shown, and is the outcome when it never connected', () => {
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
  assert.equal(state.lastEnded.entry.outcome.text, 'Call failed: The microphone could not be opened');
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

test('a refused API key when asking for the recording asks for the key again', async () => {
  const { state, view, calls, call } = setUp({ recording: [401, { message: 'no' }] });
  calls.start('+18005551234', fakeStream(), null);
  update(calls, call, 'ringing', { telnyxIDs: { telnyxCallControlId: 'v3:abc' } });
  await settle();
  assert.deepEqual(state.current.entry.recording, { state: 'failed', text: 'Failed: the API key was refused' });
  assert.deepEqual(view.keyPrompts, ['The API key was refused (401) when starting the recording. Enter it again.']);
  update(calls, call, 'hangup');
});

test('an inbound call is hung up as it rings; another call\'s updates are not ours', () => {
  const { state, calls, call } = setUp();
  const inbound = fakeCall('in-1');
  update(calls, inbound, 'ringing', { direction: 'inbound' });
  assert.deepEqual(inbound.actions, [['hangup']]);
  calls.start('+18005551234', fakeStream(), null);
  const stranger = fakeCall('call-2');
  update(calls, stranger, 'hangup');
  assert.equal(state.current.call, call, 'still the call placed');
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
  assert.deepEqual(placed[0].customHeaders, [{ name: 'X-Cold-Call-Rep', value: 'Zm9vYmFyYmF6cXV4cXV1eA' }]);
});
