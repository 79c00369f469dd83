// The faults a rep meets, in Chromium, through the real runner and its Telnyx twin, in both call flows. Each scenario
// asserts the one truth: exactly one call at the twin, exactly one call log at the Web Backend stand-in, delivered
// within 5 s of the call's end (the twin's own record of when it ended), and the page's final outcome and talk time
// equal to the call log's (talk time within 1 s). After both flows, `bin/local report` over the session's metrics
// prints the time-to-log figures, and its maximum must be under 5 s.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, launchBrowser, newTwinPage, repoRoot, startRunner, waitForConnection } from './harness.mjs';

const number = (line) => `+1202555${line}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PROMISE_MS = 5_000;
const table = JSON.parse(readFileSync(join(repoRoot, 'static-dialer/src/call-endings.json'), 'utf8'));
/** The Web Backend's call_status of each outcome kind the page shows (one table with the backend's). */
const STATUS_OF_KIND = Object.fromEntries(Object.values(table.endings).map((e) => [e.kind, e.call_status]));

/** Seconds of a talk time the page shows as mm:ss or h:mm:ss. */
function seconds(clock) {
  return clock.split(':').map(Number).reduce((total, part) => total * 60 + part, 0);
}

async function until(what, check, timeoutMs = 10_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}

/** One flow's rig: a runner with the twin, a browser, and the page signed in. */
function rig(flow, metricsFile) {
  const r = { flow, checked: [] };

  r.start = async () => {
    [r.runner, r.browser] = await Promise.all([
      startRunner({ twin: true, metricsFile, env: { CALL_FLOW: flow } }), launchBrowser()]);
    await r.openPage();
  };

  r.openPage = async () => {
    r.session = await newTwinPage(r.browser, r.runner);
    r.page = r.session.page;
    r.page.on('dialog', (dialog) => dialog.accept());
    await r.page.goto(r.session.url);
    await r.page.getByLabel('Internal API key').fill(API_KEY);
    await r.page.getByRole('button', { name: 'Save key' }).click();
    await waitForConnection(r.page, 'ready');
  };

  r.stop = async () => {
    await r.session?.context.close().catch(() => {});
    await r.browser?.close();
    await r.runner?.stop();
  };

  r.twin = (path = '', init) => r.runner.json(`/_local/telnyx/twin${path}`, init);
  r.twinCalls = async () => (await r.twin()).calls;
  r.patchTwin = (settings) => r.runner.json('/_local/telnyx/twin', { method: 'PATCH',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  r.resetTwin = () => fetch(`${r.runner.base}/_local/telnyx/twin`, { method: 'DELETE' });
  r.cut = (forMs = 0) => fetch(`${r.runner.base}/_local/telnyx/twin/signalling/cut`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(forMs ? { for_ms: forMs } : {}) });

  r.fill = (line) => r.page.getByLabel('Number to call').fill(number(line));
  r.dialButton = () => r.page.getByRole('button', { name: 'Dial', exact: true });
  r.hangUp = () => r.page.getByRole('button', { name: 'Hang up', exact: true }).click();
  r.callState = (state, timeout = 15_000) => r.page.locator(`#call-state[data-state="${state}"]`).waitFor({ timeout });

  /**
   * Runs one scenario: {@code act} places the call (its clicks may be many) and ends it; the call placed is the one
   * the twin got. Returns the call log, after the checks every scenario makes.
   */
  r.scenario = async (name, act, { page: checkPage = true } = {}) => {
    const before = (await r.twinCalls()).length;
    await act();
    const calls = await until('the twin to get the call', async () => {
      const all = await r.twinCalls();
      return all.length > before ? all : null;
    });
    const placed = calls.slice(before);
    assert.equal(placed.length, 1, `${name}: the twin got ${placed.length} calls, not one`);
    const call = placed[0];
    const legIds = call.legs ? call.legs.map((leg) => leg.call_control_id) : [call.call_control_id];
    const callLog = await until(`${name}: the call log`, async () => {
      const { received } = await r.runner.json('/_local/web-backend');
      return received.find((x) => x.path === '/api/v1/call-logs' && legIds.includes(x.body.twilio_call_sid));
    }, 15_000);
    const twinCall = (await r.twinCalls()).find((c) => c.call_control_id === call.call_control_id);
    const hangups = twinCall.steps.filter((s) => s.step === 'hangup');
    assert.ok(hangups.length > 0, `${name}: the twin ended the call (${twinCall.steps.map((s) => s.step)})`);
    const endedAt = Date.parse(hangups.at(-1).at);
    const receivedAt = Date.parse(callLog.received_at);
    const late = receivedAt - endedAt;
    assert.ok(late < PROMISE_MS, `${name}: the call log came ${late} ms after the call ended`);
    if (checkPage) {
      await r.pageAgrees(name, callLog.body);
    }
    r.checked.push({ name, legIds, late });
    return callLog.body;
  };

  /** The page's newest row settles on the call log's status and talk time. */
  r.pageAgrees = async (name, log) => {
    let last;
    try {
      await until(`${name}: the page to agree with the call log`, async () => {
        last = await r.page.locator('#calls tr').first().evaluate((tr) => ({
          kind: tr.cells[3]?.dataset.outcome, words: tr.cells[3]?.textContent, talk: tr.cells[2]?.textContent }));
        return last.kind && STATUS_OF_KIND[last.kind] === log.call_status
          && /^\d/.test(last.talk) && Math.abs(seconds(last.talk) - log.call_duration_seconds) <= 1;
      }, 8_000, 200);
    } catch {
      assert.fail(`${name}: the page shows ${JSON.stringify(last)}; the call log says ${log.call_status}, `
        + `${log.call_duration_seconds} s`);
    }
    assert.equal(await r.page.locator('#call-state[data-state="active"], #call-state[data-state="held"]').count(), 0,
      `${name}: the page still shows a call in progress`);
  };

  /** The page holds no SDK call, and no microphone track is live. */
  r.noLiveCall = async (name) => {
    const live = await r.page.evaluate(() => (window.__peers || []).flatMap((peer) => peer.getSenders())
      .filter((sender) => sender.track?.readyState === 'live').length);
    assert.equal(live, 0, `${name}: a microphone track is still live`);
  };

  /** Once, at the end: nothing was posted twice, however late a duplicate might come. */
  r.exactlyOnce = async () => {
    await sleep(2_500);
    const { received } = await r.runner.json('/_local/web-backend');
    for (const { name, late } of r.checked) {
      process.stdout.write(`# ${r.flow} flow: ${name}: logged ${late} ms after the call ended\n`);
    }
    for (const { name, legIds } of r.checked) {
      const logs = received.filter((x) => x.path === '/api/v1/call-logs' && legIds.includes(x.body.twilio_call_sid));
      assert.equal(logs.length, 1, `${name}: ${logs.length} call logs`);
    }
  };
  return r;
}

const metricsFile = join(mkdtempSync(join(tmpdir(), 'dialer-faults-')), 'metrics.jsonl');

describe('faults a rep meets, in both call flows', { concurrency: true }, () => {
  after(() => {
    const report = execFileSync(join(process.env.JAVA_HOME || execFileSync(join(repoRoot, 'bin/jdk'),
      { encoding: 'utf8' }).trim(), 'bin/java'), ['-jar', join(repoRoot, 'tools/local/target/coldcall-local.jar'),
      'report', '--metrics-file', metricsFile], { encoding: 'utf8' });
    process.stdout.write(`\n# bin/local report over the fault scenarios:\n${report.replace(/^/gm, '# ')}\n`);
    const max = report.match(/TimeToCallLogMs.*?p100=(\d+)/);
    assert.ok(max, `the report gives the time-to-log maximum:\n${report}`);
    assert.ok(Number(max[1]) < PROMISE_MS, `time to log, maximum ${max[1]} ms`);
  });

  for (const flow of ['direct', 'parked']) {
    describe(`the ${flow} flow`, { concurrency: false }, () => {
      const r = rig(flow, metricsFile);
      before(() => r.start());
      after(async () => {
        try {
          await r.exactlyOnce();
          assert.deepEqual(r.session?.outside ?? [], [], 'the page reached for something off this machine');
        } finally {
          await r.stop();
        }
      });

      test('double-click on Dial places one call', async () => {
        await r.scenario('double-click', async () => {
          await r.fill('0100');
          await r.dialButton().dblclick();
          await r.callState('active');
          await sleep(1_000);
          await r.hangUp();
        });
        await r.noLiveCall('double-click');
      });

      test('Enter three times places one call', async () => {
        await r.scenario('triple Enter', async () => {
          await r.fill('0100');
          const field = r.page.getByLabel('Number to call');
          await field.press('Enter');
          await field.press('Enter');
          await field.press('Enter');
          await r.callState('active');
          await sleep(1_000);
          await r.hangUp();
        });
        await r.noLiveCall('triple Enter');
      });

      test('signalling cut mid-call: the page settles the call and reconnects by itself', async () => {
        await r.scenario('signalling cut mid-call', async () => {
          await r.fill('0100');
          await r.dialButton().click();
          await r.callState('active');
          await sleep(1_000);
          await r.cut();
        });
        await waitForConnection(r.page, 'ready');
        await r.noLiveCall('signalling cut mid-call');
      });

      test('signalling cut while ringing', async () => {
        await r.scenario('signalling cut ringing', async () => {
          await r.fill('0102');
          await r.dialButton().click();
          await sleep(1_000);
          await r.cut();
        });
        await waitForConnection(r.page, 'ready');
      });

      test('offline and back: Ready returns without a click, and the next call goes', async () => {
        await r.session.context.setOffline(true);
        await r.cut(2_000);
        await r.page.locator('#connection:not([data-state="ready"])').waitFor({ timeout: 5_000 });
        await sleep(1_000);
        await r.session.context.setOffline(false);
        await waitForConnection(r.page, 'ready');
        await r.scenario('after offline and back', async () => {
          await r.fill('0101');
          await r.dialButton().click();
        });
      });

      test('hang up during an outage', async () => {
        await r.scenario('hang up during an outage', async () => {
          await r.fill('0100');
          await r.dialButton().click();
          await r.callState('active');
          await sleep(1_000);
          await r.session.context.setOffline(true);
          await r.cut(3_000);
          // the page lets go of a call it can no longer see; a rep who is quick still finds Hang up
          await r.page.getByRole('button', { name: 'Hang up', exact: true }).click({ timeout: 500 }).catch(() => {});
          await sleep(2_500);
          await r.session.context.setOffline(false);
        });
        await waitForConnection(r.page, 'ready');
        await r.noLiveCall('hang up during an outage');
      });

      test('reload while ringing', async () => {
        await r.scenario('reload ringing', async () => {
          await r.fill('0102');
          await r.dialButton().click();
          await sleep(1_000);
          await r.page.reload();
        });
        await waitForConnection(r.page, 'ready');
      });

      test('reload mid-call', async () => {
        await r.scenario('reload mid-call', async () => {
          await r.fill('0100');
          await r.dialButton().click();
          await r.callState('active');
          await sleep(1_500);
          await r.page.reload();
        });
        await waitForConnection(r.page, 'ready');
      });

      test('tab closed while ringing: canceled', async () => {
        const log = await r.scenario('tab closed ringing', async () => {
          await r.fill('0102');
          await r.dialButton().click();
          await sleep(1_000);
          await r.page.close({ runBeforeUnload: true });
        }, { page: false });
        assert.equal(log.call_status, 'canceled');
        await r.openPage();
      });

      test('tab closed mid-call', async () => {
        const log = await r.scenario('tab closed mid-call', async () => {
          await r.fill('0100');
          await r.dialButton().click();
          await r.callState('active');
          await sleep(2_000);
          await r.page.close({ runBeforeUnload: true });
        }, { page: false });
        assert.equal(log.call_status, 'completed');
        assert.ok(log.call_duration_seconds >= 1 && log.call_duration_seconds <= 4, `${log.call_duration_seconds} s`);
        await r.openPage();
      });

      test('the hang-up webhook is lost (0106): logged from the other evidence', async () => {
        const log = await r.scenario('lost hang-up webhook', async () => {
          await r.fill('0106');
          await r.dialButton().click();
          await r.callState('active');
          await sleep(1_500);
          await r.hangUp();
        });
        assert.equal(log.call_status, 'completed');
      });

      test('the recording fails (0105): the page says so', async () => {
        const log = await r.scenario('recording failed', async () => {
          await r.fill('0105');
          await r.dialButton().click();
          await r.callState('active');
          await sleep(1_500);
          await r.hangUp();
        });
        assert.equal(log.call_status, 'completed');
        const recording = () => r.page.locator('#calls tr').first().locator('[data-recording]').getAttribute('data-recording');
        await until('the row to show the failed recording', async () => ['failed', 'error'].includes(await recording()),
          8_000).catch(async (e) => {
          const truth = await r.runner.json(`/aicallgo/api/v1/cold-call/calls/${encodeURIComponent(log.twilio_call_sid)}`,
            { headers: { 'x-api-key': API_KEY } });
          throw new Error(`${e.message}: the row says ${await recording()}, the server ${JSON.stringify(truth)}`);
        });
      });

      test('cancel at the instant of the answer', async () => {
        await r.scenario('cancel at the answer', async () => {
          await r.fill('0100');
          await r.dialButton().click();
          await r.callState('active');
          await r.hangUp();
        });
      });

      test('the destination\'s events out of order (0110)', async () => {
        const log = await r.scenario('events out of order', async () => {
          await r.fill('0110');
          await r.dialButton().click();
          await r.callState('active');
          await r.callState('hangup');
        });
        assert.equal(log.call_status, 'completed');
        assert.ok(log.call_duration_seconds >= 2, `${log.call_duration_seconds} s`);
      });

      if (flow === 'parked') {
        for (const refused of ['until_answered', 'always']) {
          test(`a connect refused as not answered (90034, ${refused})`, async () => {
            await r.patchTwin({ transfer_refused: refused });
            try {
              const log = await r.scenario(`90034 ${refused}`, async () => {
                await r.fill('0104');
                await r.dialButton().click();
                if (refused === 'until_answered') {
                  await r.callState('active');
                }
                await r.callState('hangup');
              });
              assert.equal(log.call_status, refused === 'always' ? 'failed' : 'completed');
            } finally {
              await r.resetTwin();
            }
          });
        }
      }
    });
  }
});
