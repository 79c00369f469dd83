import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDestination, matches } from '../src/policy.js';
import { outcomeOf } from '../src/truth.js';

/** The shape GET /dial-policy answers (docs/contracts.md), with a few of the built-in ranges. */
const POLICY = {
  allowed_prefixes: ['+1'],
  denied: [
    { prefix: '+881', rule: 'satellite', reason: 'a satellite phone number (charged at satellite rates)' },
    { prefix: '+979', rule: 'premium_rate', reason: 'a premium-rate number (the caller pays a surcharge)' },
    { prefix: '+1900', rule: 'premium_rate', reason: 'a premium-rate number (the caller pays a surcharge)' },
    { prefix: '+1XXX976', rule: 'premium_rate', reason: 'a premium-rate number (the caller pays a surcharge)' },
    { prefix: '+1876', rule: 'caribbean_toll_fraud', reason: 'a Caribbean area code' },
  ],
  own_number: '+15550000001',
  sip_domain: 'sip.telnyx.com',
};

test('a pattern matches a number by its start, X standing for any digit', () => {
  assert.ok(matches('+1900', '+19005551234'));
  assert.ok(matches('+1XXX976', '+12129761234'));
  assert.ok(!matches('+1XXX976', '+12129771234'));
  assert.ok(!matches('+19005551234567', '+1900'), 'a pattern longer than the number');
  assert.ok(!matches(undefined, '+1900'));
});

test('the page refuses what the backend would, with its reason, in the same order', () => {
  const rule = (number) => {
    const verdict = checkDestination(POLICY, number);
    return verdict.ok ? 'allowed' : verdict.rule;
  };
  assert.equal(rule('+12025550100'), 'allowed');
  assert.equal(rule('+19005551234'), 'premium_rate');
  assert.equal(rule('+12129761234'), 'premium_rate');
  assert.equal(rule('+8816123456789'), 'satellite');
  assert.equal(rule('+97912345678'), 'premium_rate');
  assert.equal(rule('+18765551234'), 'caribbean_toll_fraud');
  assert.equal(rule('+442071234567'), 'outside_allowed');
  assert.equal(rule('+15550000001'), 'own_number');
  const refused = checkDestination(POLICY, '+8816123456789');
  assert.equal(refused.message, 'This number cannot be called: a satellite phone number (charged at satellite rates).');
  assert.match(checkDestination(POLICY, '+442071234567').message, /outside the destinations this dialer may call \(\+1\)/);
});

test('without a rule set every number passes: the backend checks each call anyway', () => {
  assert.deepEqual(checkDestination(null, '+19005551234'), { ok: true });
  assert.deepEqual(checkDestination({}, '+19005551234'), { ok: true });
  assert.deepEqual(checkDestination({ denied: 'nonsense', allowed_prefixes: 7 }, '+19005551234'), { ok: true });
});

test("the backend's refusal (the server's truth: ending and reason) is told with its reason", () => {
  const truth = (ending, reason = null) => ({ final: true, ending, reason });
  assert.deepEqual(outcomeOf(truth('blocked', 'a premium-rate number (the caller pays a surcharge)')), {
    kind: 'blocked', text: 'Not called: this number cannot be called: a premium-rate number (the caller pays a surcharge)',
  });
  assert.deepEqual(outcomeOf(truth('limited', 'you already have 2 call(s) up; end one first')), {
    kind: 'limited', text: 'Not called: too many calls right now: you already have 2 call(s) up; end one first',
  });
  assert.deepEqual(outcomeOf(truth('blocked')), { kind: 'blocked', text: 'Not called: this number cannot be called' });
  assert.equal(outcomeOf(truth('busy', 'not for busy')).text, 'Busy', 'only a refusal takes a reason');
  assert.equal(outcomeOf(truth('blocked', 'x'.repeat(500))).text.length, 'Not called: this number cannot be called: '.length + 200);
});
