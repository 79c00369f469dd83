// The call gate end to end, in both flows: the page in Chromium, the real runner, its Telnyx twin. The page refuses a
// number outside the backend's rule set before dialling (GET /dial-policy); a page whose rule set is out of date
// dials it, and the backend refuses it: never connected (parked: no transfer) and hung up with the reason the page
// shows, one failed call log, no recording.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_KEY, launchBrowser, newTwinPage, startRunner, waitForCallState, waitForConnection } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// the twin plays a number by its last digits: 0102 rings 6 s before "no answer", so in the direct flow the backend's
// hang-up always comes before any answer could
const PREMIUM = '+19005550102';
const PREMIUM_WORDS = 'a premium-rate number (the caller pays a surcharge)';

for (const flow of ['direct', 'parked']) {
  describe(`the call gate in the ${flow} flow`, { concurrency: false }, () => {
    let runner;
    let browser;
    const sessions = [];

    /** A signed-in page; {@code stalePolicy} stands for a page whose rule set allows everything. */
    async function signedIn({ stalePolicy = false } = {}) {
      const session = await newTwinPage(browser, runner);
      sessions.push(session);
      if (stalePolicy) {
        await session.page.route('**/dial-policy', (route) => route.fulfill({
          json: { allowed_prefixes: ['+X'], denied: [], sip_domain: 'sip.telnyx.com' },
        }));
      }
      await session.page.goto(session.url);
      await session.page.getByLabel('Internal API key').fill(API_KEY);
      await session.page.getByRole('button', { name: 'Save key' }).click();
      await waitForConnection(session.page, 'ready');
      return session.page;
    }

    async function twinCalls() {
      return (await runner.json('/_local/telnyx/twin')).calls;
    }

    before(async () => {
      [runner, browser] = await Promise.all([startRunner({ twin: true, env: { CALL_FLOW: flow } }), launchBrowser()]);
    });

    after(async () => {
      for (const session of sessions) {
        await session.context.close();
        assert.deepEqual(session.outside, [], 'the page reached for something off this machine');
        assert.deepEqual(session.errors.map(String), [], 'uncaught errors in the page');
      }
      await browser?.close();
      await runner?.stop();
    });

    test('the page refuses a premium-rate number before dialling, and says why', async () => {
      const page = await signedIn();
      const before = (await twinCalls()).length;
      await page.getByLabel('Number to call').fill('+1 900 555 0102');
      await page.getByRole('button', { name: 'Dial', exact: true }).click();
      await page.waitForFunction(() => document.querySelector('#number-error').textContent.includes('cannot'));
      assert.equal(await page.locator('#number-error').textContent(), `This number cannot be called: ${PREMIUM_WORDS}.`);
      await sleep(1_000);
      assert.equal((await twinCalls()).length, before, 'no call was placed');
    });

    test('the backend refuses it all the same when the page lets it through', async () => {
      const page = await signedIn({ stalePolicy: true });
      await page.getByLabel('Number to call').fill(PREMIUM);
      await page.getByRole('button', { name: 'Dial', exact: true }).click();
      await waitForCallState(page, 'hangup');
      // the page's words come from the server's truth, which names the rule
      const words = `Call ended: Not called: this number cannot be called: ${PREMIUM_WORDS}`;
      await page.waitForFunction((expected) => document.querySelector('#call-state').textContent === expected, words,
        { timeout: 10_000 }).catch(() => {});
      assert.equal(await page.locator('#call-state').textContent(), words);

      const call = (await twinCalls()).at(-1);
      assert.equal(call.to, PREMIUM);
      const a = call.call_control_id;
      const commands = (await runner.json('/_local/telnyx')).received.filter((r) => r.call_control_id === a);
      assert.deepEqual(commands.filter((c) => c.command === 'transfer'), [], 'never connected');
      assert.deepEqual(commands.filter((c) => c.command === 'record_start'), [], 'never recorded');
      const hangups = commands.filter((c) => c.command === 'hangup' && !c.repeat);
      assert.equal(hangups.length, 1, JSON.stringify(commands));
      assert.deepEqual(hangups[0].body.custom_headers, [
        { name: 'X-Cold-Call-Outcome', value: 'blocked' }, { name: 'X-Cold-Call-Reason', value: PREMIUM_WORDS }]);

      const deadline = Date.now() + 15_000;
      let callLogs = [];
      while (Date.now() < deadline) {
        const { received } = await runner.json('/_local/web-backend');
        callLogs = received.filter((r) => r.path === '/api/v1/call-logs' && r.body.twilio_call_sid === a);
        if (callLogs.length) {
          break;
        }
        await sleep(250);
      }
      await sleep(2_000); // a second log would come within this
      const { received } = await runner.json('/_local/web-backend');
      callLogs = received.filter((r) => r.path === '/api/v1/call-logs' && r.body.twilio_call_sid === a);
      assert.equal(callLogs.length, 1, JSON.stringify(received));
      assert.equal(callLogs[0].body.call_status, 'failed');
      assert.equal(callLogs[0].body.to_phone_number, PREMIUM);
      assert.equal(received.filter((r) => r.path === '/api/v1/recordings' && r.body.call_sid === a).length, 0);
    });
  });
}
