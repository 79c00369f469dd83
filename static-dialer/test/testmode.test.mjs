import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sdkOptions, testNumberItems } from '../src/testmode.js';

test('a deployed config gives the SDK the login only', () => {
  assert.deepEqual(sdkOptions({ login_token: 't' }, { apiBaseUrl: '/api' }), { login_token: 't' });
  assert.deepEqual(testNumberItems({ apiBaseUrl: '/api' }), []);
});

test('the twin config points the SDK at the twin and turns call reports off', () => {
  const config = { telnyxHost: 'ws://127.0.0.1:4321', testNumbers: [{ number: '+12025550100', outcome: 'Answered' }, { number: 5 }] };
  assert.deepEqual(sdkOptions({ login: 'u', password: 'p' }, config),
    { login: 'u', password: 'p', host: 'ws://127.0.0.1:4321', enableCallReports: false });
  assert.deepEqual(testNumberItems(config), [{ number: '+12025550100', outcome: 'Answered' }]);
});

test('a host that is not a WebSocket URL is ignored', () => {
  assert.deepEqual(sdkOptions({ login: 'u' }, { telnyxHost: 'javascript:alert(1)', testNumbers: [] }), { login: 'u' });
  assert.deepEqual(testNumberItems({ telnyxHost: 'http://x', testNumbers: [{ number: '1', outcome: 'o' }] }), []);
});
