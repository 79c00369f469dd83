// The parked flow end to end: the page in Chromium, the real runner, its Telnyx twin. The parked flow (CALL_FLOW=parked:
// the browser's leg waits until our backend transfers it) for every outcome, and the spec-minimal recording event in
// the direct flow. Each test checks what the twin received from the backend (one transfer per call, a hang-up of the
// browser's leg naming the destination's outcome when the transfer failed) and what the Web Backend stand-in holds
// (exactly one call log with Telnyx's numbers and the destination's outcome; one recording with a live link, or none).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_KEY, CALLER_NUMBER, launchBrowser, newTwinPage, startRunner, waitForCallState, waitForConnection }
  from './harness.mjs';

const number = (line) => `+1202555${line}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The backend's stale-call sweep, made as quick as it goes (a whole minute) for the lost hang-up (0106). */
const STALE_AFTER = { STALE_CALL_AFTER_MINUTES: '1' };
const OUTCOME_HEADER = 'X-Cold-Call-Outcome';

/** A browser session against a runner: dial a test number, read the twin's and the Web Backend's records. */
function twinSession(options) {
  const s = {};
  s.start = async () => {
    [s.runner, s.browser] = await Promise.all([startRunner(options), launchBrowser()]);
    s.session = await newTwinPage(s.browser, s.runner);
    s.page = s.session.page;
    await s.page.goto(s.session.url);
    await s.page.getByLabel('Internal API key').fill(API_KEY);
    await s.page.getByRole('button', { name: 'Save key' }).click();
    await waitForConnection(s.page, 'ready');
  };
  s.stop = async () => {
    await s.session?.context.close();
    await s.browser?.close();
    await s.runner?.stop();
    assert.deepEqual(s.session?.outside ?? [], [], 'the page reached for something off this machine');
    assert.deepEqual((s.session?.errors ?? []).map(String), [], 'uncaught errors in the page');
  };
  /** Dials a test number; returns leg A's call control id (the page's call). */
  s.dial = async (line) => {
    const before = (await s.runner.json('/_local/telnyx/twin')).calls.length;
    await s.page.getByLabel('Number to call').fill(number(line));
    await s.page.getByRole('button', { name: 'Dial', exact: true }).click();
    for (let i = 0; i < 50; i += 1) {
      const { calls } = await s.runner.json('/_local/telnyx/twin');
      if (calls.length > before) {
        return calls.at(-1).call_control_id;
      }
      await sleep(100);
    }
    throw new Error(`the twin got no call to ${number(line)}`);
  };
  /** The twin's record of the call whose leg A is {@code a}: its legs and steps. */
  s.twinCall = async (a) => (await s.runner.json('/_local/telnyx/twin')).calls.find((c) => c.call_control_id === a);
  /** Every leg id of the call: a call log or recording may name leg A or leg B. */
  s.legIds = async (a) => (await s.twinCall(a)).legs.map((leg) => leg.call_control_id);
  /** The Call Control requests the twin got for leg A. */
  s.commands = async (a, command) => (await s.runner.json('/_local/telnyx')).received
    .filter((r) => r.call_control_id === a && (!command || r.command === command));
  s.posts = async (ids) => {
    const { received } = await s.runner.json('/_local/web-backend');
    return {
      callLogs: received.filter((r) => r.path === '/api/v1/call-logs' && ids.includes(r.body.twilio_call_sid)),
      recordings: received.filter((r) => r.path === '/api/v1/recordings' && ids.includes(r.body.call_sid)),
    };
  };
  /** Waits until the Web Backend has what is expected, then a while longer: nothing more may come. */
  s.settled = async (a, { callLogs, recordings, within = 15_000 }) => {
    const deadline = Date.now() + within;
    let seen = await s.posts(await s.legIds(a));
    while ((seen.callLogs.length < callLogs || seen.recordings.length < recordings) && Date.now() < deadline) {
      await sleep(250);
      seen = await s.posts(await s.legIds(a));
    }
    await sleep(2_500); // duplicates and retries would arrive within this
    seen = await s.posts(await s.legIds(a));
    assert.equal(seen.callLogs.length, callLogs, `call logs for the call of ${a}: ${JSON.stringify(seen.callLogs)}`);
    assert.equal(seen.recordings.length, recordings, `recording posts for the call of ${a}`);
    return seen;
  };
  /** A test that failed mid-call leaves the call up: end it, so the next test starts from "No call" or "ended". */
  s.idle = async () => {
    const hangup = s.page.getByRole('button', { name: 'Hang up', exact: true });
    if (await hangup.isEnabled()) {
      await hangup.click();
      await waitForCallState(s.page, 'hangup');
    }
  };
  /** The page's final words: its own guess at the hang-up, then the server's truth (up to the truth's bound). */
  s.ended = async (text) => {
    await waitForCallState(s.page, 'hangup');
    await s.page.waitForFunction((words) => document.querySelector('#call-state').textContent === words,
      `Call ended: ${text}`, { timeout: 10_000 }).catch(() => {});
    assert.equal(await s.page.locator('#call-state').textContent(), `Call ended: ${text}`);
  };
  return s;
}

/** Telnyx's numbers, not the page's: our caller ID and the number dialled. */
function assertNumbers(callLog, line) {
  assert.equal(callLog.body.caller_phone_number, CALLER_NUMBER);
  assert.equal(callLog.body.to_phone_number, number(line));
  assert.equal(callLog.body.call_direction, 'OUTBOUND');
}

async function assertLiveLink(url) {
  const response = await fetch(url);
  assert.equal(response.status, 200, `the recording link ${url} is live`);
  assert.equal(response.headers.get('content-type'), 'audio/mpeg');
  assert.ok((await response.arrayBuffer()).byteLength > 417, 'more than one MP3 frame');
}

describe('parked flow through the Telnyx twin', { concurrency: false }, () => {
  const s = twinSession({ twin: true, drainEvery: 2, env: { CALL_FLOW: 'parked', ...STALE_AFTER } });
  before(s.start);
  beforeEach(() => s.idle());
  after(s.stop);

  /** Exactly one transfer of leg A (a retry may repeat its command_id), as the backend sends it. */
  async function assertOneTransfer(a, line) {
    const transfers = await s.commands(a, 'transfer');
    assert.equal(new Set(transfers.map((t) => t.body.command_id)).size, 1, `one transfer attempt: ${JSON.stringify(transfers)}`);
    const accepted = transfers.filter((t) => !t.repeat);
    assert.equal(accepted.length, 1);
    assert.equal(accepted[0].status, 200, JSON.stringify(accepted[0]));
    const body = accepted[0].body;
    assert.equal(body.to, number(line));
    assert.equal(body.from, CALLER_NUMBER, 'our caller ID');
    assert.equal(body.record, 'record-from-answer');
    assert.equal(body.record_format, 'mp3');
    assert.equal(body.record_channels, 'dual');
    assert.equal(typeof body.timeout_secs, 'number');
    for (const field of ['client_state', 'target_leg_client_state']) {
      assert.match(body[field] ?? '', /^[A-Za-z0-9+/]+={0,2}$/, `${field} is base64 on one line`);
    }
    assert.ok(body.command_id, 'a command_id');
  }

  /** The backend hung up leg A once, naming the destination's outcome for the page. */
  async function assertHangupOfA(a, outcome) {
    const hangups = (await s.commands(a, 'hangup')).filter((h) => !h.repeat);
    assert.equal(hangups.length, 1, `one hang-up of leg A: ${JSON.stringify(hangups)}`);
    assert.equal(hangups[0].status, 200);
    const header = (hangups[0].body.custom_headers ?? []).find((h) => h.name === OUTCOME_HEADER);
    assert.equal(header?.value, outcome, `${OUTCOME_HEADER} on the hang-up`);
  }

  test('the browser leg is parked and rings until the backend transfers it', async () => {
    const a = await s.dial('0100');
    const twin = await s.twinCall(a);
    assert.equal(twin.flow, 'parked');
    await waitForCallState(s.page, 'active');
    const steps = (await s.twinCall(a)).steps.map((step) => step.step);
    assert.ok(steps.indexOf('transfer') > steps.indexOf('invite'), `the backend transferred the parked leg: ${steps}`);
    await sleep(1_200);
    await s.page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await s.ended('Answered, you hung up');
    await assertOneTransfer(a, '0100');
    const { callLogs, recordings } = await s.settled(a, { callLogs: 1, recordings: 1 });
    assertNumbers(callLogs[0], '0100');
    assert.equal(callLogs[0].body.call_status, 'completed');
    assert.ok(callLogs[0].body.call_duration_seconds >= 1, `talked ${callLogs[0].body.call_duration_seconds} s`);
    assert.equal(recordings[0].body.recording_status, 'completed');
    assert.equal(recordings[0].body.recording_channels, 2);
    await assertLiveLink(recordings[0].body.recording_url);
    // the backend may hang up the other leg when one leg's hang-up comes first (the twin answers 90018: already
    // ended), but never names a failed destination for an answered call
    const outcomes = (await s.commands(a, 'hangup'))
      .filter((h) => (h.body.custom_headers ?? []).some((header) => header.name === OUTCOME_HEADER));
    assert.deepEqual(outcomes, [], 'no destination outcome on an answered call');
  });

  for (const [line, words, outcome, status] of [
    ['0101', 'Busy', 'busy', 'busy'],
    ['0102', 'No answer', 'no-answer', 'no-answer'],
    ['0103', 'Rejected by the callee', 'rejected', 'busy'],
    ['0108', 'Number not in service', 'invalid-number', 'failed'],
  ]) {
    test(`+1 202 555 ${line}: the transfer fails, the page says "${words}", the call log says ${status}`, async () => {
      const a = await s.dial(line);
      await s.ended(words);
      await assertOneTransfer(a, line);
      await assertHangupOfA(a, outcome);
      const { callLogs } = await s.settled(a, { callLogs: 1, recordings: 0 });
      assertNumbers(callLogs[0], line);
      assert.equal(callLogs[0].body.call_status, status);
      assert.equal(callLogs[0].body.call_duration_seconds, 0);
    });
  }

  test('cancel before the answer: the page cancels, the call log says canceled, nothing is recorded', async () => {
    const a = await s.dial('0102');
    for (let i = 0; i < 50 && (await s.commands(a, 'transfer')).length === 0; i += 1) {
      await sleep(100);
    }
    await sleep(500); // leg B rings
    await s.page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await s.ended('You cancelled it before it was answered');
    await assertOneTransfer(a, '0102');
    const { callLogs } = await s.settled(a, { callLogs: 1, recordings: 0 });
    assertNumbers(callLogs[0], '0102');
    assert.equal(callLogs[0].body.call_status, 'canceled');
  });

  test('+1 202 555 0109: the recording event has no call_control_id nor recording_id; still one recording', async () => {
    const a = await s.dial('0109');
    await waitForCallState(s.page, 'active');
    await sleep(1_500);
    await s.page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await s.ended('Answered, you hung up');
    const { callLogs, recordings } = await s.settled(a, { callLogs: 1, recordings: 1 });
    assert.equal(callLogs[0].body.call_status, 'completed');
    assert.ok(recordings[0].body.recording_sid, 'the recording id, from the recordings API');
    assert.equal(recordings[0].body.recording_status, 'completed');
    await assertLiveLink(recordings[0].body.recording_url);
  });

  test('+1 202 555 0106: no hang-up webhook ever; the stale-call sweep asks Telnyx and settles the call', async () => {
    const a = await s.dial('0106');
    await waitForCallState(s.page, 'active');
    await sleep(1_500);
    await s.page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await s.ended('Answered, you hung up');
    const { callLogs, recordings } = await s.settled(a, { callLogs: 1, recordings: 1, within: 150_000 });
    assertNumbers(callLogs[0], '0106');
    assert.equal(callLogs[0].body.call_status, 'completed');
    const ids = await s.legIds(a);
    const asked = (await s.runner.json('/_local/telnyx')).received
      .filter((r) => r.command === 'retrieve_call_status' && ids.includes(r.call_control_id));
    assert.ok(asked.some((r) => r.status === 200), `the sweep read the call's status: ${JSON.stringify(asked)}`);
    assert.equal(recordings[0].body.recording_status, 'completed');
  });
});

describe('direct flow, spec-minimal recording event', { concurrency: false }, () => {
  const s = twinSession({ twin: true, env: { CALL_FLOW: 'direct' } });
  before(s.start);
  beforeEach(() => s.idle());
  after(s.stop);

  test('+1 202 555 0109: a recording event without call_control_id and recording_id still becomes one recording', async () => {
    const a = await s.dial('0109');
    await waitForCallState(s.page, 'active');
    await sleep(1_500);
    await s.page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await s.ended('Answered, you hung up');
    const { callLogs, recordings } = await s.settled(a, { callLogs: 1, recordings: 1 });
    assertNumbers(callLogs[0], '0109');
    assert.equal(recordings[0].body.call_sid, a);
    assert.ok(recordings[0].body.recording_sid);
    await assertLiveLink(recordings[0].body.recording_url);
  });
});
