// The dialer page in Chromium with the real SDK, the real runner and its Telnyx twin: nothing is intercepted. One
// test per test number: what the page shows, what the Web Backend stand-in received (each record exactly once),
// the recording file, and the outcomes in the session list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { API_KEY, launchBrowser, newTwinPage, repoRoot, startRunner, waitForCallState, waitForConnection } from './harness.mjs';

const ARTIFACTS = join(repoRoot, 'test-artifacts');
// the README's screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1), so a test run leaves the tree as it was
const DOCS = process.env.UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs') : join(repoRoot, 'test-artifacts');
const number = (line) => `+1202555${line}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('test calls through the Telnyx twin', { concurrency: false }, () => {
  let runner;
  let browser;
  let session;
  let page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [runner, browser] = await Promise.all([startRunner({ twin: true }), launchBrowser()]);
    session = await newTwinPage(browser, runner);
    ({ page } = session);
    await page.goto(session.url);
    await page.getByLabel('Internal API key').fill(API_KEY);
    await page.getByRole('button', { name: 'Save key' }).click();
    await waitForConnection(page, 'ready');
  });

  after(async () => {
    await session?.context.close();
    await browser?.close();
    await runner?.stop();
    assert.deepEqual(session?.outside ?? [], [], 'the page reached for something off this machine');
    assert.deepEqual((session?.errors ?? []).map(String), [], 'uncaught errors in the page');
  });

  /** Dials a number and returns the twin's call control id for it. */
  async function dial(line) {
    const before = (await runner.json('/_local/telnyx/twin')).calls.length;
    await page.getByLabel('Number to call').fill(number(line));
    await page.getByRole('button', { name: 'Dial', exact: true }).click();
    for (let i = 0; i < 50; i += 1) {
      const { calls } = await runner.json('/_local/telnyx/twin');
      if (calls.length > before) {
        assert.equal(calls.at(-1).to, number(line));
        return calls.at(-1).call_control_id;
      }
      await sleep(100);
    }
    throw new Error(`the twin got no call to ${number(line)}`);
  }

  async function posts(callControlId) {
    const { received } = await runner.json('/_local/web-backend');
    return {
      callLogs: received.filter((r) => r.path === '/api/v1/call-logs' && r.body.twilio_call_sid === callControlId),
      recordings: received.filter((r) => r.path === '/api/v1/recordings' && r.body.call_sid === callControlId),
    };
  }

  /** Waits until the Web Backend has what is expected, then a while longer: nothing more may come. */
  async function settled(callControlId, { callLogs, recordings }) {
    const deadline = Date.now() + 15_000;
    let seen = await posts(callControlId);
    while ((seen.callLogs.length < callLogs || seen.recordings.length < recordings) && Date.now() < deadline) {
      await sleep(200);
      seen = await posts(callControlId);
    }
    await sleep(2_500); // duplicates and retries would arrive within this
    seen = await posts(callControlId);
    assert.equal(seen.callLogs.length, callLogs, `call logs for ${callControlId}`);
    assert.equal(seen.recordings.length, recordings, `recording posts for ${callControlId}`);
    return seen;
  }

  /** The page's final words: its own guess at the hang-up, then the server's truth (up to the truth's bound). */
  async function ended(text) {
    await waitForCallState(page, 'hangup');
    await page.waitForFunction((words) => document.querySelector('#call-state').textContent === words,
      `Call ended: ${text}`, { timeout: 10_000 }).catch(() => {});
    assert.equal(await page.locator('#call-state').textContent(), `Call ended: ${text}`);
  }

  async function downloadable(url) {
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'audio/mpeg');
    const bytes = [...new Uint8Array(await response.arrayBuffer())];
    const seconds = await page.evaluate(async (data) => {
      const audio = new AudioContext();
      const decoded = await audio.decodeAudioData(new Uint8Array(data).buffer);
      return { duration: decoded.duration, channels: decoded.numberOfChannels };
    }, bytes);
    assert.equal(seconds.channels, 2, 'a dual-channel recording');
    assert.ok(seconds.duration > 0.5, `the recording lasts ${seconds.duration} s`);
  }

  test('the page says it is in test mode and lists the test numbers', async () => {
    assert.equal(await page.getByText('Test mode', { exact: true }).isVisible(), true);
    for (const line of ['0100', '0101', '0102', '0103', '0104', '0105', '0106', '0107', '0108', '0109']) {
      assert.equal(await page.getByRole('button', { name: new RegExp(`Use test number \\${number(line)}`) }).count(), 1);
    }
    await page.getByRole('button', { name: /Use test number \+12025550101/ }).click();
    assert.equal(await page.getByLabel('Number to call').inputValue(), number('0101'));
  });

  test('+1 202 555 0100: answered, hold, a tone, then we hang up; one call log, one recording to download', async () => {
    const id = await dial('0100');
    await waitForCallState(page, 'active');
    assert.equal(await page.locator('#call-state').textContent(), 'Connected');
    await page.getByRole('group', { name: /Keypad/ }).getByRole('button', { name: '5', exact: true }).click();
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    await waitForCallState(page, 'held');
    assert.equal(await page.locator('#call-state').textContent(), 'On hold');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await waitForCallState(page, 'active');
    await sleep(1_200);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(DOCS, 'dialer-test-call.png') });
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await ended('Answered, you hung up');
    const { callLogs, recordings } = await settled(id, { callLogs: 1, recordings: 1 });
    assert.equal(callLogs[0].body.call_status, 'completed');
    assert.ok(callLogs[0].body.call_duration_seconds >= 1);
    assert.equal(recordings[0].body.recording_status, 'completed');
    await downloadable(recordings[0].body.recording_url);
    const twin = (await runner.json('/_local/telnyx/twin')).calls.find((c) => c.call_control_id === id);
    const steps = twin.steps.map((s) => s.step);
    for (const step of ['invite', 'ringing', 'answer', 'record_start', 'dtmf', 'hold', 'unhold', 'hangup']) {
      assert.ok(steps.includes(step), `the twin saw ${step}: ${steps}`);
    }
    assert.equal(twin.steps.find((s) => s.step === 'dtmf').digits, '5');
  });

  test('+1 202 555 0101: busy', async () => {
    const id = await dial('0101');
    await ended('Busy');
    const { callLogs } = await settled(id, { callLogs: 1, recordings: 0 });
    assert.equal(callLogs[0].body.call_status, 'busy');
  });

  test('+1 202 555 0102: no answer', async () => {
    const id = await dial('0102');
    await waitForCallState(page, 'trying').catch(() => {});
    await ended('No answer');
    const { callLogs } = await settled(id, { callLogs: 1, recordings: 0 });
    assert.equal(callLogs[0].body.call_status, 'no-answer');
  });

  test('+1 202 555 0103: rejected', async () => {
    const id = await dial('0103');
    await ended('Rejected by the callee');
    const { callLogs } = await settled(id, { callLogs: 1, recordings: 0 });
    assert.equal(callLogs[0].body.call_status, 'busy');
  });

  test('+1 202 555 0104: the callee hangs up after a few seconds', async () => {
    const id = await dial('0104');
    await waitForCallState(page, 'active');
    await ended('Answered, they hung up');
    const { callLogs, recordings } = await settled(id, { callLogs: 1, recordings: 1 });
    assert.equal(callLogs[0].body.call_status, 'completed');
    assert.ok(callLogs[0].body.call_duration_seconds >= 3, `talked ${callLogs[0].body.call_duration_seconds} s`);
    await downloadable(recordings[0].body.recording_url);
  });

  test('+1 202 555 0105: the recording fails', async () => {
    const id = await dial('0105');
    await waitForCallState(page, 'active');
    await sleep(1_500);
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await ended('Answered, you hung up');
    const { callLogs, recordings } = await settled(id, { callLogs: 1, recordings: 1 });
    assert.equal(callLogs[0].body.call_status, 'completed');
    assert.equal(recordings[0].body.recording_status, 'failed');
  });

  test('+1 202 555 0106: the hang-up webhook is never delivered: the recording event settles the call', async () => {
    const id = await dial('0106');
    await waitForCallState(page, 'active');
    await sleep(1_500);
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await ended('Answered, you hung up');
    const { callLogs, recordings } = await settled(id, { callLogs: 1, recordings: 1 });
    assert.equal(callLogs[0].body.call_status, 'completed');
    assert.equal(recordings[0].body.recording_status, 'completed');
  });

  test('+1 202 555 0107: every webhook twice and out of order: still one call log and one recording', async () => {
    const id = await dial('0107');
    await waitForCallState(page, 'active');
    await sleep(1_500);
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await ended('Answered, you hung up');
    const { callLogs, recordings } = await settled(id, { callLogs: 1, recordings: 1 });
    assert.equal(callLogs[0].body.call_status, 'completed');
    await downloadable(recordings[0].body.recording_url);
  });

  test('+1 202 555 0108: not a working number', async () => {
    const id = await dial('0108');
    await ended('Number not in service');
    const { callLogs } = await settled(id, { callLogs: 1, recordings: 0 });
    assert.equal(callLogs[0].body.call_status, 'failed');
  });

  test('the session list shows every outcome', async () => {
    const rows = await page.locator('#calls tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const outcomes = rows.map((cells) => `${cells[0]} ${cells[3]}`).reverse();
    assert.deepEqual(outcomes, [
      `${number('0100')} Answered, you hung up`, `${number('0101')} Busy`, `${number('0102')} No answer`,
      `${number('0103')} Rejected by the callee`, `${number('0104')} Answered, they hung up`,
      `${number('0105')} Answered, you hung up`, `${number('0106')} Answered, you hung up`,
      `${number('0107')} Answered, you hung up`, `${number('0108')} Number not in service`,
    ]);
    await page.screenshot({ path: join(DOCS, 'dialer-test-session.png'), fullPage: true });
  });
});
