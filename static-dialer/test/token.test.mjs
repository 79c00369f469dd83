import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REFRESH_FLOOR_MS, jwtClaims, refreshDelayMs } from '../src/token.js';

const jwt = (claims) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${
  Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const now = NOW / 1000;

test('a 24-hour token is renewed half-way through its life, not 120 s before its end', () => {
  assert.equal(refreshDelayMs(jwt({ iat: now, exp: now + 86_400 }), NOW), 43_200_000);
  assert.equal(refreshDelayMs(jwt({ iat: now - 3_600, exp: now + 82_800 }), NOW), 39_600_000, 'an hour into its life');
});

test('without iat the life is counted from now; a near or past expiry still waits the floor', () => {
  assert.equal(refreshDelayMs(jwt({ exp: now + 600 }), NOW), 300_000);
  assert.equal(refreshDelayMs(jwt({ iat: now - 100, exp: now + 2 }), NOW), REFRESH_FLOOR_MS);
  assert.equal(refreshDelayMs(jwt({ iat: now - 100, exp: now - 50 }), NOW), REFRESH_FLOOR_MS);
  assert.equal(refreshDelayMs(jwt({ iat: now + 10, exp: now }), NOW), REFRESH_FLOOR_MS, 'an iat after exp is ignored');
});

test('the fraction and the floor can be chosen; a month-long token stays within setTimeout', () => {
  assert.equal(refreshDelayMs(jwt({ iat: now, exp: now + 1_000 }), NOW, { fraction: 0.8 }), 800_000);
  assert.equal(refreshDelayMs(jwt({ iat: now, exp: now + 10 }), NOW, { floorMs: 60_000 }), 60_000);
  assert.equal(refreshDelayMs(jwt({ iat: now, exp: now + 90 * 86_400 }), NOW), 2 ** 31 - 1);
});

test('a token that is not a JWT with exp is left to the SDK', () => {
  for (const token of ['local-login-token.abc', 'a.b.c', jwt({ sub: 'x' }), jwt({ exp: '2026' }), '', null, undefined]) {
    assert.equal(refreshDelayMs(token, NOW), null, String(token));
  }
  assert.deepEqual(jwtClaims(jwt({ exp: 5, sub: 'é' })), { exp: 5, sub: 'é' }, 'base64url holding UTF-8');
});
