// The dialer page in Chromium, against the real local runner (functions, Redis, stand-ins) and a fake of
// Telnyx's signalling socket. Run with `npm test` (builds dist/ first).
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  API_KEY, CALLER_NUMBER, launchBrowser, newDialerPage, openSignedIn, repoRoot, startRunner, waitForCallState,
  waitForConnection,
} from './harness.mjs';

const ARTIFACTS = join(repoRoot, 'test-artifacts');
const DIST = join(repoRoot, 'static-dialer/dist');
const DEV_ENV = JSON.parse(readFileSync(join(repoRoot, 'events/env.json'), 'utf8')).Parameters;
const RUN = Date.now().toString(36);
let callSerial = 0;

/** A Telnyx-shaped call control id, new on every run (Redis remembers the recordings of earlier runs). */
function callControlId() {
  callSerial += 1;
  return `v3:browser-test-${RUN}-${callSerial}`;
}

/** An unsigned JWT whose only use here is its `exp` (the SDK warns before it) and `iat` (the page renews at half-life). */
function jwt(expiresInSeconds, claims = {}) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'dev-credential', exp: now + expiresInSeconds, ...claims })}.sig`;
}

/**
 * Stands in for the backend's truth routes (GET /calls/{id}, POST /calls/{id}/ended: docs/dialer-page.md) until they
 * are merged into this branch: the page's requests to them are answered here with {@code answer(id)} (a body, or null
 * for 404 unknown_call) and kept in the returned list as {method, id, body}. Once the routes exist, the twin tests
 * cover the same through the real runner.
 */
async function routeTruth(context, answer) {
  const requests = [];
  await context.route(/\/cold-call\/calls\//, async (route) => {
    const request = route.request();
    const [, id, ended] = new URL(request.url()).pathname.match(/\/calls\/([^/]+)(\/ended)?$/) || [];
    requests.push({ method: request.method(), id: decodeURIComponent(id), body: request.postDataJSON?.() ?? null,
      ended: Boolean(ended) });
    const body = answer(decodeURIComponent(id), request);
    await route.fulfill(body ? { status: ended ? 202 : 200, json: body }
      : { status: 404, json: { error: 'unknown_call', message: 'no such call' } });
  });
  return requests;
}

/** A final answer of the truth route. */
function finalTruth(extra = {}) {
  return { call_control_id: 'v3:x', stage: 'ended', final: true, logged: true, ending: 'completed',
    call_status: 'completed', talk_seconds: 3, reason: null, detail: 'normal_clearing',
    recording: { state: 'saved', reason: null }, ...extra };
}

describe('dialer page', { concurrency: false }, () => {
  let runner;
  let browser;
  let session;
  let page;
  let telnyx;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // the shared SIP login these tests check (password, then tokens they hand the page); twin.test.mjs runs the
    // default mode, each rep's own credential
    [runner, browser] = await Promise.all([startRunner({ env: { CREDENTIALS_MODE: 'password' } }), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await runner?.stop();
  });

  beforeEach(async () => {
    session = await newDialerPage(browser, runner);
    ({ page, telnyx } = session);
  });

  afterEach(async () => {
    await session.context.close();
    assert.deepEqual(session.outside, [], 'the page reached for something off this machine');
    assert.deepEqual(session.errors.map(String), [], 'uncaught errors in the page');
  });

  async function dial(number) {
    await page.getByLabel('Number to call').fill(number);
    await page.getByRole('button', { name: 'Dial' }).click();
    return telnyx.waitFor((m) => m.method === 'telnyx_rtc.invite' && !telnyx.handled?.has(m.id), 'invite')
      .then((invite) => {
        (telnyx.handled ||= new Set()).add(invite.id);
        return invite;
      });
  }

  async function answeredCall(number) {
    const invite = await dial(number);
    const id = callControlId();
    await runner.initiated(id, invite.params.dialogParams.destination_number, CALLER_NUMBER);
    telnyx.ring(invite.params.dialogParams.callID, id);
    await telnyx.answer(invite);
    await waitForCallState(page, 'active');
    return { invite, callID: invite.params.dialogParams.callID, callControlId: id };
  }

  test('asks for the API key, fetches the credentials once per session and logs in with them', async () => {
    const credentialRequests = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/webrtc-credentials')) {
        credentialRequests.push(request.url());
      }
    });
    await page.goto(session.url);

    const keyInput = page.getByLabel('Internal API key');
    await keyInput.waitFor();
    assert.equal(await keyInput.evaluate((input) => input === document.activeElement), true, 'the key field has focus');
    await keyInput.fill('not-the-key');
    await page.keyboard.press('Enter');
    await page.getByText('The API key was refused (401). Enter it again.').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dialer-api-key.png') });
    assert.equal(await page.locator('#connection').getAttribute('data-state'), 'error');
    assert.equal(await page.getByRole('button', { name: 'Reconnect' }).isHidden(), true, 'a new key, not a retry, helps');

    await keyInput.fill(API_KEY);
    await page.keyboard.press('Enter');
    await waitForConnection(page, 'ready');
    assert.equal(await page.locator('#key-form').isHidden(), true);
    assert.equal(await page.locator('#caller-number').textContent(), CALLER_NUMBER);
    const login = await telnyx.waitForMethod('login');
    assert.equal(login.params.login, DEV_ENV.TELNYX_SIP_USERNAME);
    assert.equal(login.params.passwd === DEV_ENV.TELNYX_SIP_PASSWORD, true, 'password login without a token');
    assert.equal(credentialRequests.length, 2);
    assert.equal(page.url(), session.url, 'the key never goes into the URL');
    await page.screenshot({ path: join(ARTIFACTS, 'dialer-idle.png') });

    await page.reload();
    await waitForConnection(page, 'ready');
    assert.equal(await page.locator('#key-form').isHidden(), true, 'no second prompt in the same session');
    assert.equal(credentialRequests.length, 2, 'the credentials come from the session cache after a reload');
    assert.equal(telnyx.messages('login').length, 2);
  });

  test('an invalid number gets a clear message and places no call', async () => {
    await openSignedIn(session);
    const number = page.getByLabel('Number to call');
    await number.fill('555-1234');
    await number.press('Enter');
    const error = page.locator('#number-error');
    await error.getByText('not a 10-digit US/Canada number').waitFor();
    assert.equal(await number.getAttribute('aria-invalid'), 'true');
    assert.equal(await error.getAttribute('role'), 'alert');
    await number.fill('+1 800 FLOWERS');
    await number.press('Enter');
    await error.getByText('digits only').waitFor();
    await number.fill('+999 123 456 789');
    await number.press('Enter');
    await error.getByText('not a country code in use').waitFor();
    await number.fill('+1 800 555');
    for (const key of ['*', '#']) {
      assert.equal(await page.locator(`#keypad [data-key="${key}"]`).isDisabled(), true, `${key} is a tone, for calls only`);
    }
    await page.locator('#keypad [data-key="5"]').click();
    assert.equal(await number.inputValue(), '+1 800 5555');
    await page.waitForTimeout(300);
    assert.equal(telnyx.messages('telnyx_rtc.invite').length, 0);
  });

  test('a call rings, is answered, recorded under the Telnyx call control id, timed, muted, sent tones, held and hung up',
    async () => {
      let asked = 0;
      const truths = await routeTruth(session.context, (id, request) => {
        if (!id.startsWith('v3:')) {
          return null;
        }
        asked += request.method() === 'GET' ? 1 : 0;
        return asked < 3 // not final at first: the call log is built a moment after the hang-up
          ? finalTruth({ call_control_id: id, final: false, ending: null, recording: { state: 'started', reason: null } })
          : finalTruth({ call_control_id: id, talk_seconds: 4, recording: { state: 'saved', reason: null } });
      });
      await openSignedIn(session);
      const invite = await dial('(800) 555-1234');
      const { dialogParams } = invite.params;
      assert.equal(dialogParams.destination_number, '+18005551234');
      assert.equal(dialogParams.caller_id_number, CALLER_NUMBER);
      assert.equal(await page.getByLabel('Number to call').inputValue(), '+18005551234');
      assert.match(await page.locator('#call-state').getAttribute('data-state'), /^(requesting|trying)$/);
      assert.equal(await page.locator('#call-state').textContent(), 'Calling…');

      const id = callControlId();
      await runner.initiated(id, dialogParams.destination_number, CALLER_NUMBER); // Telnyx's webhook: the call is ours
      telnyx.ring(dialogParams.callID, id, { withCallControlId: false }); // as Telnyx: the id comes with the answer
      await waitForCallState(page, 'ringing');
      assert.equal(await page.locator('#call-state').textContent(), 'Ringing…');
      await page.waitForTimeout(300);
      assert.equal(await page.locator('#recording').getAttribute('data-state'), 'none', 'no call control id yet');
      await telnyx.answer(invite, id);
      await waitForCallState(page, 'active');
      assert.equal(await page.locator('#call-state').textContent(), 'Connected');

      await page.locator('#recording[data-state="started"]').waitFor();
      const atTelnyx = (await runner.json('/_local/telnyx')).received.filter((r) => r.command === 'record_start');
      const mine = atTelnyx.filter((r) => r.call_control_id === id);
      assert.equal(mine.length, 1, `record_start for ${id}: ${JSON.stringify(atTelnyx)}`);
      assert.deepEqual({ format: mine[0].body.format, channels: mine[0].body.channels }, { format: 'mp3', channels: 'dual' });
      assert.equal(atTelnyx.some((r) => r.call_control_id === dialogParams.callID), false, 'never the SDK call.id');

      const audio = await page.evaluate(() => {
        const element = document.getElementById('remote-audio');
        return { tracks: element.srcObject?.getAudioTracks().length ?? 0, paused: element.paused };
      });
      assert.deepEqual(audio, { tracks: 1, paused: false }, 'the far end plays through the <audio> element');

      await page.waitForFunction(() => document.getElementById('timer').textContent >= '00:02', null, { timeout: 5000 });

      const sendingAudio = () => page.evaluate(() => window.__peers[0].getSenders()
        .find((sender) => sender.track?.kind === 'audio').track.enabled);
      await page.getByRole('button', { name: 'Mute' }).click();
      assert.equal(await page.locator('#mute').getAttribute('aria-pressed'), 'true');
      assert.equal(await sendingAudio(), false, 'muted: the microphone track is off');
      assert.equal(await page.locator('#call-flags').textContent(), 'Muted: they cannot hear you', 'in the call panel');
      await page.getByRole('button', { name: 'Unmute' }).click();
      assert.equal(await sendingAudio(), true);
      assert.equal(await page.locator('#call-flags').isHidden(), true);
      await page.getByLabel('Number to call').focus(); // read-only during the call: the hotkeys work from it
      await page.keyboard.press('m');
      assert.equal(await page.locator('#mute').getAttribute('aria-pressed'), 'true', 'M mutes');
      await page.keyboard.press('M');
      assert.equal(await sendingAudio(), true, 'M again unmutes');

      await page.locator('#keypad [data-key="5"]').click();
      await page.locator('#keypad [data-key="#"]').focus();
      await page.keyboard.press('Enter');
      await telnyx.waitForMethod('telnyx_rtc.info', (m) => m.params.dtmf === '5');
      await telnyx.waitForMethod('telnyx_rtc.info', (m) => m.params.dtmf === '#');
      assert.equal(telnyx.messages('telnyx_rtc.info').every((m) => m.params.dialogParams.callID === dialogParams.callID),
        true);

      const microphones = await page.locator('#mic option').allTextContents();
      assert.ok(microphones.includes('Fake Audio Input 2'), `microphones listed: ${microphones}`);
      await page.getByLabel('Microphone').selectOption({ label: 'Fake Audio Input 2' });
      await page.waitForFunction(() => window.__peers[0].getSenders()
        .find((sender) => sender.track?.kind === 'audio')?.track.label === 'Fake Audio Input 2');
      const speaker = await page.locator('#speaker option', { hasText: 'Fake Audio Output 1' }).getAttribute('value');
      await page.getByLabel('Speaker').selectOption(speaker);
      await page.waitForFunction((id) => document.getElementById('remote-audio').sinkId === id, speaker);

      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('h');
      await telnyx.waitForMethod('telnyx_rtc.modify', (m) => m.params.action === 'hold');
      await waitForCallState(page, 'held');
      assert.equal(await page.locator('#call-state').textContent(), 'On hold');
      assert.equal(await page.locator('#call-flags').textContent(), 'On hold: they hear nothing');
      await page.screenshot({ path: join(ARTIFACTS, 'dialer-on-hold.png') });
      await page.getByRole('button', { name: 'Resume' }).click();
      await waitForCallState(page, 'active');
      await page.screenshot({ path: join(ARTIFACTS, 'dialer-in-call.png') });

      await page.keyboard.press('Escape');
      const bye = await telnyx.waitForMethod('telnyx_rtc.bye');
      assert.deepEqual({ cause: bye.params.cause, causeCode: bye.params.causeCode },
        { cause: 'NORMAL_CLEARING', causeCode: 16 });
      await waitForCallState(page, 'hangup');
      assert.equal(await page.locator('#call-state').textContent(), 'Call ended: Answered, you hung up');
      assert.equal(await page.locator('#recording').textContent(), 'Saving…', 'never "Started" once the call is over');
      await page.locator('#calls td[data-settled="true"]').first().waitFor();
      const row = await page.locator('#calls tr').first().locator('td').allTextContents();
      assert.equal(row[0], '+18005551234');
      assert.deepEqual(row.slice(2, 5), ['00:04', 'Answered, you hung up', 'Saved'], 'the call log\'s talk time and recording');
      assert.equal(await page.locator('#call-detail').textContent(), 'Details: normal_clearing');
      assert.deepEqual(truths.map((r) => [r.method, r.id, r.body]).slice(0, 2),
        [['POST', id, { why: 'hung_up' }], ['GET', id, null]], 'the page\'s end reported, then the truth asked');
      assert.equal(telnyx.messages('telnyx_rtc.invite').length, 1);
      await page.screenshot({ path: join(ARTIFACTS, 'dialer-ended.png') });
    });

  test('cancelling a call that rings sends ORIGINATOR_CANCEL, not the busy cause the SDK sends by default', async () => {
    await openSignedIn(session);
    const invite = await dial(' +1 800.555.1234 ');
    assert.equal(invite.params.dialogParams.destination_number, '+18005551234');
    const id = callControlId();
    await runner.initiated(id, invite.params.dialogParams.destination_number, CALLER_NUMBER);
    telnyx.ring(invite.params.dialogParams.callID, id);
    await page.getByRole('button', { name: 'Hang up' }).click();
    const bye = await telnyx.waitForMethod('telnyx_rtc.bye');
    assert.deepEqual({ cause: bye.params.cause, causeCode: bye.params.causeCode },
      { cause: 'ORIGINATOR_CANCEL', causeCode: 487 });
    await waitForCallState(page, 'hangup');
    assert.equal(await page.locator('#call-state').textContent(), 'Call ended: You cancelled it before it was answered');
    assert.equal((await runner.json('/_local/telnyx')).received
      .some((r) => r.call_control_id === id && r.command === 'record_start'), false,
    'no recording asked for a cancelled call');
  });

  test('busy and no answer are told in plain words and listed', async () => {
    await openSignedIn(session);
    const busy = await dial('0018005550101');
    telnyx.bye(busy.params.dialogParams.callID, { cause: 'USER_BUSY', causeCode: 17, sipCode: 486, sipReason: 'Busy Here' });
    await waitForCallState(page, 'hangup');
    assert.equal(await page.locator('#call-state').textContent(), 'Call ended: Busy');
    // this fake Telnyx tells the backend nothing: once it is clear the backend never heard of the call, the page's
    // own words stand, and the details say so
    const details = 'Details: USER_BUSY (17), SIP 486 Busy Here; not in the call log: the backend never heard of this call';
    await page.waitForFunction((text) => document.querySelector('#call-detail').textContent === text, details,
      { timeout: 8_000 }).catch(() => {});
    assert.equal(await page.locator('#call-detail').textContent(), details, 'the codes only in the details line');

    const unanswered = await dial('800 555 0102');
    telnyx.ring(unanswered.params.dialogParams.callID, callControlId());
    telnyx.bye(unanswered.params.dialogParams.callID,
      { cause: 'NO_ANSWER', causeCode: 19, sipCode: 480, sipReason: 'Temporarily Unavailable' });
    await page.getByText('Call ended: No answer').waitFor();

    const rows = await page.locator('#calls tr').evaluateAll((trs) => trs.map((tr) =>
      [...tr.cells].map((cell) => cell.textContent)));
    assert.deepEqual(rows.map((r) => [r[0], r[2], r[3], r[4]]), [
      ['+18005550102', '00:00', 'No answer', '—'],
      ['+18005550101', '00:00', 'Busy', '—'],
    ]);
  });

  test('a refused microphone is explained before dialling and no call is placed', async () => {
    const refusing = await launchBrowser({ acceptMicrophone: false });
    try {
      const refused = await newDialerPage(refusing, runner);
      await openSignedIn(refused);
      await refused.page.getByLabel('Number to call').fill('800 555 1234');
      await refused.page.getByRole('button', { name: 'Dial' }).click();
      await refused.page.locator('#number-error').getByText('Microphone access is blocked').waitFor();
      assert.equal(await refused.page.locator('#call-state').getAttribute('data-state'), 'idle');
      assert.equal(await refused.page.getByRole('button', { name: 'Dial' }).isEnabled(), true);
      assert.equal(refused.telnyx.messages('telnyx_rtc.invite').length, 0);
      await refused.page.screenshot({ path: join(ARTIFACTS, 'dialer-microphone-refused.png') });
      assert.deepEqual(refused.outside, []);
      assert.deepEqual(refused.errors.map(String), []);
    } finally {
      await refusing.close();
    }
  });

  test('when the signalling socket drops, the page says reconnecting and is ready again', async () => {
    await openSignedIn(session);
    await telnyx.drop();
    await waitForConnection(page, 'reconnecting');
    assert.match(await page.locator('#connection').textContent(), /reconnecting/i);
    await waitForConnection(page, 'ready');
    assert.equal(telnyx.sockets.length, 2);
    const logins = telnyx.messages('login');
    assert.equal(logins.length, 2);
    assert.equal(logins[1].socket, 1, 'logged in again on the new socket');
  });

  test('a login Telnyx refuses is shown with its reason, and Reconnect tries again with fresh credentials', async () => {
    telnyx.refuseLogins = 1;
    const credentialRequests = [];
    page.on('request', (request) => request.url().endsWith('/webrtc-credentials') && credentialRequests.push(request));
    await page.goto(session.url);
    await page.getByLabel('Internal API key').fill(API_KEY);
    await page.keyboard.press('Enter');
    await waitForConnection(page, 'error');
    assert.equal(await page.locator('#connection').textContent(), 'Telnyx refused the login: Authentication failed');
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await waitForConnection(page, 'ready');
    assert.equal(await page.getByRole('button', { name: 'Reconnect' }).isHidden(), true);
    assert.equal(telnyx.messages('login').length, 2);
    assert.equal(credentialRequests.length, 2, 'the cached credentials are dropped after a refused login');
  });

  test('an expiring login token is replaced on the live connection without dropping the call', async () => {
    // The runner's token stand-in mints opaque tokens; here the answer carries JWTs whose `exp` the SDK reads.
    const first = jwt(120 + 6); // the SDK warns 120 s before expiry: about 6 s after login
    const second = jwt(24 * 3600);
    const tokens = [first, second];
    await page.route('**/webrtc-credentials', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      assert.equal(response.status(), 200);
      delete body.sip_password;
      body.login_token = tokens.shift() ?? second;
      await route.fulfill({ response, json: body });
    });
    await openSignedIn(session);
    const login = await telnyx.waitForMethod('login');
    assert.equal(login.params.login_token, first);
    assert.equal(login.params.passwd, undefined, 'the token is preferred to the password');

    await answeredCall('800 555 0103');
    const relogin = await telnyx.waitForMethod('login', (m) => m.params.login_token === second);
    assert.equal(relogin.socket, 0, 'same socket: no reconnect');
    await page.waitForTimeout(500);
    assert.equal(await page.locator('#call-state').getAttribute('data-state'), 'active', 'the call goes on');
    assert.equal(telnyx.messages('telnyx_rtc.bye').length, 0);
    await page.getByRole('button', { name: 'Hang up' }).click();
    await waitForCallState(page, 'hangup');
  });

  test('the login token is renewed at half of its life, long before the SDK warns of its expiry', async () => {
    const now = Math.floor(Date.now() / 1000);
    // a 10-minute token 292 s old: half of its life is 8 s away, the SDK's warning (120 s before the end) 188 s
    const first = jwt(308, { iat: now - 292 });
    const second = jwt(24 * 3600, { iat: now });
    const tokens = [first, second];
    await page.route('**/webrtc-credentials', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.login_token = tokens.shift() ?? second;
      await route.fulfill({ response, json: body });
    });
    await openSignedIn(session);
    const login = await telnyx.waitForMethod('login');
    assert.equal(login.params.login_token, first);
    await answeredCall('800 555 0104');
    const relogin = await telnyx.waitFor((m) => m.method === 'login' && m.params.login_token === second,
      'a login with the renewed token', 20_000);
    const after = (relogin.at - login.at) / 1000;
    assert.ok(after >= 6 && after < 15, `renewed ${after.toFixed(1)} s after the first login: at half of its life`);
    assert.equal(relogin.socket, 0, 'same socket: no reconnect');
    assert.equal(await page.locator('#call-state').getAttribute('data-state'), 'active', 'the call goes on');
    assert.equal(telnyx.messages('telnyx_rtc.bye').length, 0);
    await page.waitForTimeout(1_500);
    assert.equal(telnyx.messages('login').length, 2, 'the new 24 h token is not renewed again at once');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await waitForCallState(page, 'hangup');
  });

  test("parked flow: the server's truth names the destination's outcome, looked up by the leg id before any answer",
    async () => {
      const endings = new Map();
      const truths = await routeTruth(session.context, (id) => (endings.has(id) ? endings.get(id) : null));
      await openSignedIn(session);
      const outcomes = [['no-answer', 'No answer'], ['busy', 'Busy'], ['invalid-number', 'Number not in service'],
        ['blocked', 'Not called: this number cannot be called: a premium-rate number']];
      for (const [ending, words] of outcomes) {
        const invite = await dial('800 555 0199');
        const id = callControlId();
        endings.set(`leg-${id}`, finalTruth({ ending, talk_seconds: 0, detail: 'normal_clearing, SIP 487',
          reason: ending === 'blocked' ? 'a premium-rate number' : null, recording: { state: 'none', reason: null } }));
        telnyx.ring(invite.params.dialogParams.callID, id, { withCallControlId: false });
        await waitForCallState(page, 'ringing');
        // what the twin sends for our backend's hang-up of the parked leg: no outcome of its own
        telnyx.bye(invite.params.dialogParams.callID, { cause: 'NORMAL_CLEARING', causeCode: 16 });
        await waitForCallState(page, 'hangup');
        await page.getByText(`Call ended: ${words}`).waitFor();
        assert.equal(await page.locator('#call-detail').textContent(), 'Details: normal_clearing, SIP 487');
      }
      assert.ok(truths.every((r) => r.method === 'GET' && r.id.startsWith('leg-')), 'unanswered: by the leg id');
      const rows = await page.locator('#calls tr').evaluateAll((trs) => trs.map((tr) => tr.cells[3].textContent));
      assert.deepEqual(rows.slice(0, 4), outcomes.map(([, words]) => words).reverse());
    });

  test('exactly one call per Dial: a double click and a triple Enter each place one INVITE', async () => {
    await openSignedIn(session);
    const number = page.getByLabel('Number to call');
    await number.fill('800 555 0120');
    await page.getByRole('button', { name: 'Dial' }).dblclick();
    const first = await telnyx.waitForMethod('telnyx_rtc.invite');
    await page.waitForTimeout(1_000);
    assert.equal(telnyx.messages('telnyx_rtc.invite').length, 1, 'a double click places one call');
    assert.equal(await page.getByRole('button', { name: 'Dial' }).isDisabled(), true, 'Dial is off during the call');
    telnyx.bye(first.params.dialogParams.callID, { cause: 'USER_BUSY', causeCode: 17 });
    await waitForCallState(page, 'hangup');

    await number.fill('800 555 0121');
    await number.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await telnyx.waitFor((m) => m.method === 'telnyx_rtc.invite' && m.id !== first.id, 'a second invite');
    await page.waitForTimeout(1_000);
    assert.equal(telnyx.messages('telnyx_rtc.invite').length, 2, 'a triple Enter places one call');
    assert.equal(await page.locator('#calls tr').count(), 2, 'one row per call');
    await page.keyboard.press('Escape');
    await waitForCallState(page, 'hangup');
  });

  test('a call the page did not place (inbound) is hung up at once, logged with its ids and shown', async () => {
    const warnings = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    await openSignedIn(session);
    const callID = await telnyx.inboundInvite();
    const bye = await telnyx.waitForMethod('telnyx_rtc.bye', (m) => m.params.dialogParams?.callID === callID
      || m.params.callID === callID);
    assert.ok(bye, 'hung up');
    await page.locator('#notice').getByText('An incoming call was declined').waitFor();
    assert.ok(warnings.some((w) => w.includes('dialer: hung up a call this page does not show')), warnings.join('\n'));
    assert.equal(await page.locator('#call-state').getAttribute('data-state'), 'idle', 'no call shown as ours');
  });

  test('signalling lost during a call: said at once, no running timer, the call settled from the server, Ready back',
    async () => {
      const truths = await routeTruth(session.context, (id) => (id.startsWith('v3:')
        ? finalTruth({ call_control_id: id, talk_seconds: 2, recording: { state: 'error', reason: 'no media' } })
        : null));
      await openSignedIn(session);
      const { callControlId: id } = await answeredCall('800 555 0130');
      await page.evaluate(() => {
        const pill = document.getElementById('connection');
        window.__connectionTexts = [];
        new MutationObserver(() => window.__connectionTexts.push(pill.textContent))
          .observe(pill, { childList: true, characterData: true, subtree: true });
      });
      await telnyx.drop();
      await waitForCallState(page, 'hangup');
      const timer = await page.locator('#timer').textContent();
      await page.locator('#calls td[data-settled="true"]').first().waitFor();
      const row = await page.locator('#calls tr').first().locator('td').allTextContents();
      assert.deepEqual(row.slice(2, 5), ['00:02', 'Answered', 'Failed: no media'], 'the server\'s words');
      assert.deepEqual(truths[0], { method: 'POST', id, body: { why: 'lost' }, ended: true });
      await waitForConnection(page, 'ready');
      assert.equal((await page.evaluate(() => window.__connectionTexts))[0], 'Connection lost — reconnecting…',
        'said at once, before anything else');
      await page.waitForTimeout(1_200);
      assert.equal(await page.locator('#timer').textContent(), '00:02', `no timer running (was ${timer} at the loss)`);
      assert.equal(await page.getByRole('button', { name: 'Dial' }).isEnabled(), true);
    });

  test('network back: "Ready" returns without a click and the stale "wait for Ready" goes', async () => {
    await openSignedIn(session);
    telnyx.refuseSockets = true;
    await telnyx.drop();
    await waitForConnection(page, 'reconnecting');
    await page.getByLabel('Number to call').fill('800 555 0140');
    await page.getByRole('button', { name: 'Dial' }).click();
    await page.locator('#number-error').getByText('wait for "Ready"').waitFor();
    telnyx.refuseSockets = false;
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitForConnection(page, 'ready');
    assert.equal(await page.locator('#number-error').textContent(), '', 'the stale message is gone');
    assert.equal(telnyx.messages('telnyx_rtc.invite').length, 0);
  });

  test('the browser offline then online: "Device is offline" does not stick, "Ready" returns without a click', async () => {
    await openSignedIn(session);
    await page.evaluate(() => {
      const pill = document.getElementById('connection');
      window.__connectionTexts = [];
      new MutationObserver(() => window.__connectionTexts.push(pill.textContent))
        .observe(pill, { childList: true, characterData: true, subtree: true });
    });
    telnyx.refuseSockets = true; // the network is gone: no socket opens until it is back
    await session.context.setOffline(true);
    await telnyx.drop();
    await page.locator('#connection[data-state="reconnecting"]').waitFor();
    const offlineText = await page.locator('#connection').textContent();
    telnyx.refuseSockets = false;
    await session.context.setOffline(false); // the browser fires `online`
    await waitForConnection(page, 'ready');
    const texts = await page.evaluate(() => window.__connectionTexts);
    assert.equal(texts[0], 'Device is offline — reconnecting when the network is back…', 'said at once');
    assert.equal(await page.locator('#connection').textContent(), 'Ready', `was: ${offlineText}`);
    await page.waitForTimeout(1_000);
    assert.equal(await page.locator('#connection').textContent(), 'Ready', 'stays Ready');
  });

  test('a call in progress asks before the page goes; after the reload the server settles it, not "failed"',
    async () => {
      const truths = await routeTruth(session.context, (id) => (id.startsWith('leg-')
        ? finalTruth({ ending: 'canceled', call_status: 'canceled', talk_seconds: 0, detail: 'originator_cancel',
          recording: { state: 'none', reason: null } }) : null));
      await openSignedIn(session);
      const invite = await dial('800 555 0150');
      const id = callControlId();
      telnyx.ring(invite.params.dialogParams.callID, id, { withCallControlId: false });
      await waitForCallState(page, 'ringing');
      // what the page does as it goes (pagehide), seen while it is still here: a real unload's keepalive request and
      // last socket frame leave a page Playwright no longer watches
      await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false })));
      const bye = await telnyx.waitForMethod('telnyx_rtc.bye');
      assert.equal(bye.params.cause, 'ORIGINATOR_CANCEL', 'not answered: cancelled, not "busy"');
      const told = () => truths.filter((r) => r.method === 'POST');
      for (let i = 0; i < 50 && !told().length; i += 1) {
        await page.waitForTimeout(100);
      }
      assert.deepEqual(told(), [{ method: 'POST', id: `leg-${id}`, body: { why: 'page_closed' }, ended: true }],
        'the backend is told (keepalive) to hang the call up');
      const dialogs = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.type());
        dialog.accept();
      });
      await page.reload();
      assert.deepEqual(dialogs, ['beforeunload'], 'the page asked before it went');
      await waitForConnection(page, 'ready');
      await page.getByText('Call ended: You cancelled it before it was answered').waitFor();
      const row = await page.locator('#calls tr').first().locator('td').allTextContents();
      assert.deepEqual([row[0], row[3]], ['+18005550150', 'You cancelled it before it was answered'],
        'settled from the server, not "failed"');
      assert.ok(truths.some((r) => r.method === 'GET' && r.id === `leg-${id}`));
    });

  test('390 px wide: the call panel is on the first screen and nothing overflows sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openSignedIn(session);
    await answeredCall('800 555 0160');
    const layout = await page.evaluate(() => {
      const box = (id) => document.getElementById(id).getBoundingClientRect();
      return { scrollWidth: document.documentElement.scrollWidth,
        parts: Object.fromEntries(['call-state', 'timer', 'mute', 'hold', 'hangup'].map((id) => [id, box(id).bottom])) };
    });
    await page.screenshot({ path: join(ARTIFACTS, 'dialer-390px-in-call.png'), fullPage: false });
    assert.ok(layout.scrollWidth <= 390, `page width ${layout.scrollWidth}`);
    for (const [id, bottom] of Object.entries(layout.parts)) {
      assert.ok(bottom <= 844, `${id} ends at ${bottom} px, below the first screen`);
    }
    await page.keyboard.press('Escape');
    await waitForCallState(page, 'hangup');
  });

  test('the page loads and its load time is printed', async () => {
    // Printed, not asserted: a figure to watch, measured on a shared machine. A context without this suite's
    // request interception, which would slow every request down.
    const context = await browser.newContext();
    const loads = [];
    for (let i = 0; i < 4; i++) {
      const fresh = await context.newPage();
      await fresh.goto(`${runner.base}/`);
      await fresh.getByLabel('Internal API key').waitFor();
      loads.push(await fresh.evaluate(() => performance.getEntriesByType('navigation')[0].toJSON()));
      await fresh.close();
    }
    await context.close();
    const ms = (value) => `${Math.round(value)} ms`;
    const warm = loads.slice(1).sort((a, b) => a.loadEventEnd - b.loadEventEnd)[1];
    for (const [name, timing] of [['first load', loads[0]], ['median of 3 more', warm]]) {
      console.log(`page ${name} in Chromium (navigation timing): DOMContentLoaded ${ms(timing.domContentLoadedEventEnd)}, `
        + `load ${ms(timing.loadEventEnd)}, HTML in ${ms(timing.responseEnd)}`);
    }
    assert.ok(loads.every((timing) => timing.loadEventEnd > 0), 'every load completed');
  });

  test('the bundle is small', () => {
    const files = readdirSync(DIST);
    assert.deepEqual(files.filter((f) => f.endsWith('.js')).length, 2, `one bundle plus config.js: ${files}`);
    for (const file of files) {
      const bytes = readFileSync(join(DIST, file));
      console.log(`dist/${file}: ${statSync(join(DIST, file)).size} bytes, ${gzipSync(bytes).length} gzipped`);
    }
    const bundle = files.find((f) => /^app-.*\.js$/.test(f));
    assert.ok(gzipSync(readFileSync(join(DIST, bundle))).length < 120_000, 'the bundle stays under 120 kB gzipped');
    assert.equal(readFileSync(join(DIST, bundle), 'utf8').includes(API_KEY), false);
  });
});
