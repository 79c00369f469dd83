// What the page relies on in the installed @telnyx/webrtc that its public API does not promise. Each assertion reads
// the SDK's own type declarations (or bundle), so an upgrade that changes one of them fails here, by name, before a
// browser test or a live call shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const sdk = dirname(require.resolve('@telnyx/webrtc/package.json'));
const read = (path) => readFileSync(join(sdk, path), 'utf8');
const flat = (text) => text.replace(/\s+/g, ' ');

test('the SDK is the pinned version these findings were read from', () => {
  assert.equal(JSON.parse(read('package.json')).version, '2.27.10');
  const pinned = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).dependencies['@telnyx/webrtc'];
  assert.match(pinned, /^\d+\.\d+\.\d+$/, 'an exact version: a range would let the overload below change unseen');
});

test('a cancel can pass its cause: hangup(params, execute) with cause and causeCode (an @internal overload)', () => {
  const call = flat(read('lib/src/Modules/Verto/webrtc/BaseCall.d.ts'));
  assert.ok(call.includes('hangup(): Promise<void>;'), 'the public hang-up');
  assert.ok(call.includes('hangup(hangupParams: IHangupParams, hangupExecute: boolean): Promise<void>;'),
    'the two-argument overload call.js calls on a cancel');
  const params = flat(read('lib/src/Modules/Verto/webrtc/interfaces.d.ts'))
    .match(/export interface IHangupParams \{(.*?)\}/)?.[1] ?? '';
  assert.match(params, /cause\?: string;/);
  assert.match(params, /causeCode\?: number;/);
  // the minified bundle still falls back to USER_BUSY/17 before answer (why the page passes a cause at all) and takes
  // a given cause first
  const bundle = read('lib/bundle.mjs');
  assert.ok(bundle.includes('{cause:"USER_BUSY",causeCode:17}'), 'the pre-answer default the page overrides');
  assert.match(bundle, /\.cause=\w+\.cause\|\|\w+\.cause/, 'a given cause wins over the default');
});

test('the events and codes the page reads exist: socket messages (ringing), socket close, the token warning, offline '
  + 'and reconnects exhausted', () => {
  const constants = flat(read('lib/src/Modules/Verto/util/constants/index.d.ts'));
  assert.match(constants, /SocketMessage = "telnyx\.socket\.message"/);
  assert.match(constants, /SocketClose = "telnyx\.socket\.close"/);
  assert.match(constants, /Warning = "telnyx\.warning"/);
  const bundle = read('lib/bundle.mjs');
  for (const [name, code] of [['WEBSOCKET_ERROR', 45002], ['RECONNECTION_EXHAUSTED', 45003], ['NETWORK_OFFLINE', 48001]]) {
    assert.ok(bundle.includes(`${name}:${code}`), `${name} is code ${code}`);
  }
  const warnings = read('lib/src/Modules/Verto/util/constants/warnings.d.ts');
  assert.match(warnings, /TOKEN_EXPIRING_SOON/);
  assert.ok(bundle.includes('34001'), 'TOKEN_EXPIRING_SOON is code 34001');
});

test('the answer carries Telnyx\'s ids onto the call (the call control id may come only then); ringing sets no state',
  () => {
  const bundle = read('lib/bundle.mjs');
  assert.match(bundle, /case \w+\.Ringing:performance\.mark\([^)]*\)\),this\.playRingback\(\),[^;]*;break;/,
    'the SDK only plays the ringback and notes the ids: the page marks the call ringing itself');
  assert.match(bundle, /!1!==\w+\.hangupOnBeforeUnload/, 'hangupOnBeforeUnload: false keeps the call through "Stay"');
  assert.match(bundle, /case \w+\.Answer:[^]{0,120}\.telnyx_call_control_id&&\(this\.options\.telnyxCallControlId=/);
});
