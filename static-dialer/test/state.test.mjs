import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createState, KEEP, loadHistory, saveHistory } from '../src/state.js';
import { memoryStorage } from './fakes.mjs';

test('the page starts connecting, with no call, around the history it was given', () => {
  const history = [];
  const state = createState(history);
  assert.deepEqual(state.connection, { state: 'connecting', text: 'Connecting…', retry: false },
    'what index.html shows before the first render');
  assert.equal(state.callerNumber, null);
  assert.equal(state.current, null);
  assert.equal(state.lastEnded, null);
  assert.equal(state.history, history);
});

test('the history survives a reload; a call in progress when the page closed waits for the server, not "failed"', () => {
  const storage = memoryStorage();
  assert.deepEqual(loadHistory(storage), []);
  const done = { number: '+18005551234', outcome: { kind: 'busy', text: 'Busy' }, settled: true };
  saveHistory(storage, [{ number: '+18005550000', outcome: null, ids: { legId: 'leg-1' } }, done]);
  assert.deepEqual(loadHistory(storage), [
    { number: '+18005550000', outcome: { kind: 'unknown', text: 'Checking…' }, ids: { legId: 'leg-1' }, talkSeconds: 0,
      recording: { state: 'none', text: '—' } },
    done,
  ]);
});

test('the history keeps the last 50 calls and survives a broken store', () => {
  const storage = memoryStorage();
  saveHistory(storage, Array.from({ length: KEEP + 5 }, (_, i) => ({ number: `+1800555${String(i).padStart(4, '0')}`,
    outcome: { kind: 'busy', text: 'Busy' } })));
  assert.equal(loadHistory(storage).length, KEEP);
  assert.deepEqual(loadHistory(memoryStorage({ 'dialer.history': '{not json' })), []);
  assert.deepEqual(loadHistory(memoryStorage({ 'dialer.history': '{}' })), []);
});
