// view.js's pure parts: the words and button states the page renders from its state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callView, callerNumberText, clock, deviceOptions, historyCells, talkSeconds } from '../src/view.js';
import { createState } from '../src/state.js';

const entry = (extra = {}) => ({ number: '+18005551234', startedAt: '2026-12-07T10:00:00.000Z', talkSeconds: 0,
  outcome: null, recording: { state: 'none', text: '—' }, ...extra });
const tracked = (callState, extra = {}) => ({ call: { state: callState, isAudioMuted: false }, entry: entry(),
  answeredAt: null, error: null, ...extra });

test('a talk time is mm:ss, and h:mm:ss from an hour on', () => {
  assert.equal(clock(0), '00:00');
  assert.equal(clock(59), '00:59');
  assert.equal(clock(61), '01:01');
  assert.equal(clock(3599), '59:59');
  assert.equal(clock(3600), '1:00:00');
  assert.equal(clock(36_061), '10:01:01');
});

test('the talk time runs from the answer, then stays at the last call\'s', () => {
  const state = createState([]);
  assert.equal(talkSeconds(state, 10_000), 0);
  state.current = tracked('ringing');
  assert.equal(talkSeconds(state, 10_000), 0, 'not answered yet');
  state.current.answeredAt = 4_000;
  assert.equal(talkSeconds(state, 10_999), 6);
  state.current = null;
  state.lastEnded = { entry: entry({ talkSeconds: 42 }) };
  assert.equal(talkSeconds(state, 99_000), 42);
});

test('the caller ID: unknown until the credentials come, then the number or that there is none', () => {
  assert.equal(callerNumberText(null), '…');
  assert.equal(callerNumberText(''), 'no caller ID configured');
  assert.equal(callerNumberText('+15550000001'), '+15550000001');
});

test('no call yet: nothing to press but Dial', () => {
  const view = callView(createState([]));
  assert.deepEqual(view, { state: 'idle', text: 'No call', detail: '', flags: '', number: '—',
    recording: { state: 'none', text: '—' }, inCall: false, talking: false, muted: false, held: false, placing: false });
  const placing = callView({ ...createState([]), placing: true });
  assert.deepEqual([placing.text, placing.placing], ['Starting the call…', true], 'Dial pressed: the microphone asked');
});

test('a call in progress: the SDK state in words, its error beside it, mute and hold once it talks', () => {
  const state = createState([]);
  state.current = tracked('New');
  assert.equal(callView(state).state, 'new', 'the SDK says "New" before its first change');
  assert.equal(callView(state).text, 'Starting the call…');
  state.current = tracked('trying', { error: 'The microphone could not be opened' });
  assert.equal(callView(state).text, 'Calling… (The microphone could not be opened)');
  assert.equal(callView(state).talking, false);
  assert.equal(callView(state).inCall, true);
  state.current = tracked('strange');
  assert.equal(callView(state).text, 'strange', 'a state without words is shown as the SDK names it');
  state.current = tracked('active');
  state.current.call.isAudioMuted = true;
  state.current.entry.recording = { state: 'started', text: 'Started' };
  assert.deepEqual(callView(state), { state: 'active', text: 'Connected', detail: '',
    flags: 'Muted: they cannot hear you', number: '+18005551234', recording: { state: 'started', text: 'Started' },
    inCall: true, talking: true, muted: true, held: false, placing: false });
  state.current = tracked('held');
  assert.deepEqual([callView(state).text, callView(state).talking, callView(state).held], ['On hold', true, true]);
  assert.equal(callView(state).flags, 'On hold: they hear nothing', 'hold shown in the panel, not only on its button');
  state.current.call.isAudioMuted = true;
  assert.equal(callView(state).flags, 'Muted: they cannot hear you · On hold: they hear nothing');
  state.current = tracked('ringing');
  assert.equal(callView(state).text, 'Ringing…');
  state.current = tracked('trying', { ringing: true });
  assert.deepEqual([callView(state).state, callView(state).text], ['ringing', 'Ringing…'], 'Telnyx\'s 180 Ringing');
  state.current = tracked('early');
  assert.equal(callView(state).text, 'Ringing…');
});

test('the last call that ended: its outcome, the codes in its details line, until the next one starts', () => {
  const state = createState([]);
  state.lastEnded = { entry: entry({ outcome: { kind: 'busy', text: 'Busy' }, detail: 'USER_BUSY (17), SIP 486 Busy Here',
    checking: true }) };
  const view = callView(state);
  assert.equal(view.state, 'hangup');
  assert.equal(view.text, 'Call ended: Busy');
  assert.equal(view.detail, 'Checking the call log… Details: USER_BUSY (17), SIP 486 Busy Here');
  assert.equal(view.number, '+18005551234');
  assert.equal(view.inCall, false);
  Object.assign(state.lastEnded.entry, { detail: '', checking: false });
  assert.equal(callView(state).detail, '');
  state.lastEnded.entry.outcome = null;
  assert.equal(callView(state).text, 'Call ended: Checking…', 'a row a closed tab left, before the server answers');
  state.current = tracked('trying');
  assert.equal(callView(state).detail, '', 'a new call hides the last one\'s cause');
});

test('a row of the session list: in progress until an outcome, then its talk time and kind', () => {
  const started = new Date('2026-12-07T10:00:00.000Z')
    .toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  assert.deepEqual(historyCells(entry({ recording: { state: 'requesting', text: 'Starting…' } })), [
    { text: '+18005551234' }, { text: started }, { text: '…' }, { text: 'In progress', title: '', data: {} },
    { text: 'Starting…', data: { recording: 'requesting' } },
  ]);
  const ended = entry({ talkSeconds: 75, outcome: { kind: 'completed', text: 'Answered, they hung up' },
    recording: { state: 'saved', text: 'Saved' }, settled: true, detail: 'normal_clearing' });
  assert.deepEqual(historyCells(ended).slice(2), [
    { text: '01:15' },
    { text: 'Answered, they hung up', title: 'normal_clearing', data: { outcome: 'completed', settled: 'true' } },
    { text: 'Saved', data: { recording: 'saved' } },
  ]);
});

test('device lists: the default first, then each real device, named when the browser hides its label', () => {
  const devices = [{ deviceId: 'default', label: 'Default - Mic' }, { deviceId: 'a', label: 'USB headset' },
    { deviceId: '', label: 'no permission yet' }, { deviceId: 'b', label: '' }];
  assert.deepEqual(deviceOptions(devices, 'Default microphone', 'Microphone'), [
    { label: 'Default microphone', value: '' }, { label: 'USB headset', value: 'a' },
    { label: 'Microphone 2', value: 'b' },
  ]);
  assert.deepEqual(deviceOptions([], 'Default speaker', 'Speaker'), [{ label: 'Default speaker', value: '' }]);
});
