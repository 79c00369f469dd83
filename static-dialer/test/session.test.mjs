// session.js: its pure helpers, and the connection's life against a fake SDK client and a fake backend behind fetch
// (api.js, testmode.js and token.js as they are).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApi } from '../src/api.js';
import { connectionOnSocketOpen, createSession, loginOf, readSdkError, retryDelayMs } from '../src/session.js';
import { createState } from '../src/state.js';
import { fakeBackend, memoryStorage, recordingView, settle } from './fakes.mjs';

test('the login: a token when the backend hands one out, else the SIP user and password', () => {
  assert.deepEqual(loginOf({ login_token: 't', sip_username: 'u', sip_password: 'p' }), { login_token: 't' });
  assert.deepEqual(loginOf({ sip_username: 'u', sip_password: 'p' }), { login: 'u', password: 'p' });
});

test('an opened socket logs in again, saying whether it is a first connection or a reconnection', () => {
  assert.deepEqual(connectionOnSocketOpen('connecting'), { state: 'connecting', text: 'Connecting: logging in…' });
  assert.deepEqual(connectionOnSocketOpen('error'), { state: 'connecting', text: 'Connecting: logging in…' });
  assert.deepEqual(connectionOnSocketOpen('reconnecting'), { state: 'reconnecting', text: 'Reconnecting: logging in…' });
  assert.equal(connectionOnSocketOpen('ready'), null);
});

test('the SDK\'s errors: a call\'s, a socket\'s the SDK recovers from, a refused login, any other', () => {
  assert.deepEqual(readSdkError({ callId: 'c1', error: { message: 'ICE failed' } }),
    { kind: 'call', callId: 'c1', text: 'ICE failed' });
  assert.deepEqual(readSdkError({ error: { code: 45002, message: 'socket' } }), { kind: 'ignore' });
  for (const code of [46001, 46002, 46003]) {
    assert.deepEqual(readSdkError({ error: { code, message: 'Authentication failed' } }),
      { kind: 'login', text: 'Telnyx refused the login: Authentication failed' });
  }
  assert.deepEqual(readSdkError({ error: { code: 48001, message: 'Device is offline' } }),
    { kind: 'lost', text: 'Device is offline — reconnecting when the network is back…' });
  assert.deepEqual(readSdkError({ error: { code: 45003, message: 'exhausted' } }),
    { kind: 'lost', text: 'Connection lost — reconnecting…' });
  assert.deepEqual(readSdkError({ error: { code: 12, message: 'odd' } }), { kind: 'error', text: 'Error: odd (12)' });
  assert.deepEqual(readSdkError({ name: 'TypeError' }), { kind: 'error', text: 'Error: TypeError' });
  assert.deepEqual(readSdkError(undefined), { kind: 'error', text: 'Error: unknown error' });
});

const jwt = (claims) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${
  Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

/** The SDK's TelnyxRTC: each instance is kept, with its options, handlers and what the page asked of it. */
class FakeClient {
  static made = [];

  constructor(options) {
    this.options = options;
    this.handlers = {};
    this.actions = [];
    FakeClient.made.push(this);
  }

  on(event, handler) { this.handlers[event] = handler; }
  emit(event, ...args) { this.handlers[event]?.(...args); }
  connect() { this.actions.push(['connect']); }
  async disconnect() { this.actions.push(['disconnect']); }
  async login(params) { this.actions.push(['login', params]); }
}

let backend;
let state;
afterEach(() => {
  backend?.restore();
  clearTimeout(state?.tokenTimer);
  clearTimeout(state?.retryTimer);
  FakeClient.made = [];
});

/** A session whose backend answers the credentials route with {@code answer(n)} for its n-th request. */
function setUp({ key = 'key', config = { apiBaseUrl: 'http://backend' }, answer } = {}) {
  let requests = 0;
  backend = fakeBackend(() => answer(requests++));
  const storage = memoryStorage(key ? { 'dialer.apiKey': key } : {});
  state = createState([]);
  const view = recordingView();
  const calls = { onNotification: () => {}, onSocketMessage: () => {}, errors: [], lost: 0 };
  calls.onSignallingLost = () => { calls.lost += 1; };
  calls.onCallError = (callId, text) => calls.errors.push([callId, text]);
  const session = createSession(state, { api: createApi('http://backend', storage), config, Client: FakeClient, calls,
    view });
  return { session, view, calls, storage };
}

const SIP = { sip_username: 'u', sip_password: 'p', caller_number: '+15550000001' };

test('without a configured API or a key the page says so and asks for the key', async () => {
  setUp({ config: {}, answer: () => [200, SIP] }).session.connect();
  assert.deepEqual(state.connection, { state: 'error', text: 'Not configured: config.js sets no apiBaseUrl', retry: false });
  const { session, view } = setUp({ key: null, answer: () => [200, SIP] });
  await session.connect();
  assert.deepEqual(state.connection, { state: 'error', text: 'Enter the API key to connect', retry: false });
  assert.deepEqual(view.keyPrompts, [undefined]);
  assert.equal(backend.requests.length, 0);
});

test('a refused key asks for it again; a backend that fails offers a retry', async () => {
  const refused = setUp({ answer: () => [401, { message: 'no' }] });
  await refused.session.connect();
  assert.deepEqual(state.connection, { state: 'error', text: 'The API key was refused', retry: false });
  assert.deepEqual(refused.view.keyPrompts, ['The API key was refused (401). Enter it again.']);
  await setUp({ answer: () => [503, { message: 'down' }] }).session.connect();
  assert.deepEqual(state.connection, { state: 'error', text: 'Could not fetch the login: down', retry: true });
  assert.equal(FakeClient.made.length, 0);
});

test('a connection: logged in with the SIP login, ready, lost and back; the SDK\'s errors land where they belong',
  async () => {
    const { session, calls, storage } = setUp({ answer: () => [200, SIP] });
    await session.connect();
    assert.equal(state.callerNumber, '+15550000001');
    const [client] = FakeClient.made;
    assert.deepEqual(client.options, { login: 'u', password: 'p', hangupOnBeforeUnload: false },
      'the page, not the SDK, hangs up when the page really goes');
    assert.deepEqual(client.actions, [['connect']]);
    assert.equal(state.client, client);
    assert.deepEqual(state.connection, { state: 'connecting', text: 'Connecting to Telnyx…', retry: false });
    assert.equal(state.tokenTimer, null, 'no token to renew');
    client.emit('telnyx.socket.open');
    assert.equal(state.connection.text, 'Connecting: logging in…');
    client.emit('telnyx.ready');
    assert.deepEqual(state.connection, { state: 'ready', text: 'Ready', retry: false });
    client.emit('telnyx.socket.open');
    assert.equal(state.connection.text, 'Ready', 'already logged in');
    client.emit('telnyx.socket.close');
    assert.deepEqual(state.connection, { state: 'reconnecting', text: 'Connection lost — reconnecting…', retry: false });
    assert.equal(calls.lost, 1, 'the call is let go at once');
    assert.ok(state.retryTimer, 'the page reconnects by itself if the SDK does not');
    client.emit('telnyx.socket.open');
    assert.equal(state.connection.text, 'Reconnecting: logging in…');
    client.emit('telnyx.ready');
    assert.equal(state.retryTimer, null, 'back: no reconnect of its own');
    client.emit('telnyx.error', { error: { code: 48001, message: 'Device is offline' } });
    assert.deepEqual(state.connection, { state: 'reconnecting',
      text: 'Device is offline — reconnecting when the network is back…', retry: false });
    client.emit('telnyx.ready');
    assert.deepEqual(state.connection, { state: 'ready', text: 'Ready', retry: false }, '"Device is offline" does not stick');

    client.emit('telnyx.error', { callId: 'c1', error: { message: 'ICE failed' } });
    assert.deepEqual(calls.errors, [['c1', 'ICE failed']]);
    client.emit('telnyx.error', { error: { code: 45002, message: 'socket' } });
    assert.equal(state.connection.state, 'ready', 'the socket\'s close tells');
    client.emit('telnyx.error', { error: { code: 46001, message: 'Authentication failed' } });
    assert.deepEqual(state.connection,
      { state: 'error', text: 'Telnyx refused the login: Authentication failed', retry: true });
    assert.equal(storage.getItem('dialer.credentials'), null, 'refused credentials are not used again');
  });

test('the page\'s own reconnects back off: 10 s, twice as long each time, never more than a minute', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 20].map(retryDelayMs), [10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
});

test('the network back (online) or the SDK giving up: the page reconnects without a click', async () => {
  const { session, calls } = setUp({ answer: () => [200, SIP] });
  await session.connect();
  const [first] = FakeClient.made;
  first.emit('telnyx.ready');
  session.online();
  assert.equal(FakeClient.made.length, 1, 'connected: nothing to do');
  first.emit('telnyx.error', { error: { code: 45003, message: 'Reconnection exhausted' } });
  assert.equal(state.connection.text, 'Connection lost — reconnecting…');
  assert.equal(calls.lost, 1);
  session.online();
  await settle();
  await settle();
  assert.equal(FakeClient.made.length, 2, 'a fresh client at once');
  assert.equal(state.retryTimer, null, 'the backoff starts over');
  FakeClient.made[1].emit('telnyx.ready');
  assert.equal(state.connection.text, 'Ready');
});

test('Reconnect drops the old client, whose late events no longer count, and logs in afresh', async () => {
  const { session } = setUp({ answer: () => [200, SIP] });
  await session.connect();
  const [old] = FakeClient.made;
  await session.reconnect();
  await settle();
  assert.deepEqual(old.actions, [['connect'], ['disconnect']]);
  assert.equal(backend.requests.length, 2, 'fresh credentials');
  const [, fresh] = FakeClient.made;
  assert.equal(state.client, fresh);
  old.emit('telnyx.socket.close');
  assert.equal(state.connection.text, 'Connecting to Telnyx…');
  fresh.emit('telnyx.ready');
  assert.equal(state.connection.text, 'Ready');
});

test('a login token is renewed on the live connection before it expires, and on the SDK\'s warning', async () => {
  const now = Math.floor(Date.now() / 1000);
  const tokens = [jwt({ iat: now, exp: now + 86_400 }), jwt({ iat: now, exp: now + 86_400, n: 2 })];
  const { session, view } = setUp({ answer: (n) => (n < 2 ? [200, { ...SIP, login_token: tokens[n] }] : [401, {}]) });
  await session.connect();
  const [client] = FakeClient.made;
  assert.deepEqual(client.options, { login_token: tokens[0], hangupOnBeforeUnload: false });
  assert.ok(state.tokenTimer, 'renewal scheduled');
  client.emit('telnyx.warning', { warning: { code: 99 } });
  assert.equal(backend.requests.length, 1, 'another warning renews nothing');
  client.emit('telnyx.warning', { warning: { code: 34001 } });
  client.emit('telnyx.warning', { warning: { code: 34001 } });
  await settle();
  assert.deepEqual(client.actions.slice(1), [['login', { creds: { login_token: tokens[1] } }]], 'one renewal at a time');
  assert.equal(state.refreshingToken, false);
  assert.equal(state.connection.state, 'connecting', 'the connection goes on');

  const warn = console.warn;
  console.warn = () => {};
  try {
    client.emit('telnyx.warning', { warning: { code: 34001 } });
    await settle();
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(view.keyPrompts, ['The API key was refused (401) while refreshing the login. Enter it again.']);
});
