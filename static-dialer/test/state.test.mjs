import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createState, loadHistory, saveHistory } from '../src/state.js';
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

test('the history survives a reload; a call still in progress then ended when the page closed', () => {
  const storage = memoryStorage();
  assert.deepEqual(loadHistory(storage), []);
  const done = { number: '+18005551234', outcome: { kind: 'busy', text: 'Busy' } };
  saveHistory(storage, [{ number: '+18005550000', outcome: null }, done]);
  assert.deepEqual(loadHistory(storage), [
    { number: '+18005550000', outcome: { kind: 'failed', text: 'Page closed during the call' } },
    done,
  ]);
});
