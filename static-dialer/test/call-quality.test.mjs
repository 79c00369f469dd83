// The call-quality indicator in Chromium: the real SDK and real WebRTC media between the page and the fake far
// end (harness.mjs), driven through good, degraded and recovered. Silence is real (the microphone track is swapped
// for a silent one); packet loss cannot be made on 127.0.0.1, so it is injected where the browser reports it:
// getStats() is wrapped to count packets as lost, and the page's own code reads and classifies it.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, newDialerPage, openSignedIn, repoRoot, startRunner, waitForCallState } from './harness.mjs';

const ARTIFACTS = join(repoRoot, 'test-artifacts');
const LEVEL_TIMEOUT = 20_000;

describe('call quality on the page', { concurrency: false }, () => {
  let runner;
  let browser;
  let session;
  let page;
  let telnyx;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [runner, browser] = await Promise.all([startRunner(), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await runner?.stop();
  });

  beforeEach(async () => {
    session = await newDialerPage(browser, runner);
    ({ page, telnyx } = session);
    await session.context.addInitScript(() => {
      // Loss as the network would cause it: of the packets that arrive from now on, a share counts as lost.
      window.__injectedLoss = 0;
      const proto = window.RTCPeerConnection.prototype;
      const original = proto.getStats;
      const extra = new WeakMap();
      proto.getStats = async function getStats(...args) {
        const report = await original.apply(this, args);
        const added = extra.get(this) ?? { lost: 0, received: undefined };
        extra.set(this, added);
        const out = new Map();
        report.forEach((stat, id) => {
          if (stat.type === 'inbound-rtp' && stat.kind === 'audio') {
            const share = window.__injectedLoss;
            if (added.received !== undefined && share > 0) {
              added.lost += Math.round(((stat.packetsReceived - added.received) * share) / (1 - share));
            }
            added.received = stat.packetsReceived;
            out.set(id, { ...stat, packetsLost: stat.packetsLost + added.lost });
          } else {
            out.set(id, stat);
          }
        });
        return out;
      };
    });
  });

  afterEach(async () => {
    await session.context.close();
    assert.deepEqual(session.outside, [], 'the page reached for something off this machine');
    assert.deepEqual(session.errors.map(String), [], 'uncaught errors in the page');
  });

  const indicator = () => page.locator('#quality');
  const warning = () => page.locator('#quality-warning');
  const level = (name) => page.locator(`#quality[data-level="${name}"]`).waitFor({ timeout: LEVEL_TIMEOUT });
  const description = () => page.evaluate(() => {
    const element = document.getElementById('quality');
    return document.getElementById(element.getAttribute('aria-describedby')).textContent;
  });

  async function answeredCall() {
    await openSignedIn(session);
    await page.getByLabel('Number to call').fill('+18005551234');
    await page.getByRole('button', { name: 'Dial' }).click();
    const invite = await telnyx.waitForMethod('telnyx_rtc.invite');
    telnyx.ring(invite.params.dialogParams.callID, `v3:quality-test-${Date.now().toString(36)}`);
    await telnyx.answer(invite);
    await waitForCallState(page, 'active');
  }

  test('good, then degraded by packet loss and by a silent microphone, each told in plain words, then recovered',
    async () => {
      assert.equal(await indicator().isHidden(), true, 'no indicator before a call');
      await answeredCall();

      await level('good');
      assert.equal(await page.getByRole('status').filter({ hasText: 'Call quality' }).textContent(), 'Call quality: Good');
      // the far end's receiver reports bring the round trip a few seconds in
      await page.waitForFunction(() => /Round trip \d+ ms/.test(document.getElementById('quality-detail').textContent),
        null, { timeout: LEVEL_TIMEOUT });
      assert.match(await description(),
        /^Estimated MOS 4\.\d of 4\.5 \(ITU-T G\.107\)\. Round trip \d+ ms, jitter \d+ ms, packet loss 0\.0%\.$/);
      assert.equal(await indicator().getAttribute('title'), await description(), 'the figures on hover too');
      assert.equal(await warning().isHidden(), true);

      await page.evaluate(() => { window.__injectedLoss = 0.3; });
      await level('poor');
      assert.equal(await indicator().textContent(), 'Call quality: Poor');
      assert.match(await description(), /packet loss (29|30|31)\.\d%\.$/);
      assert.equal(await warning().getAttribute('role'), 'alert');
      assert.match(await warning().textContent(), /^Your network is badly degrading the call \((29|30|31)% of the audio lost\): the other person may hear you break up\. Pause large downloads or video/);
      await page.screenshot({ path: join(ARTIFACTS, 'dialer-quality-poor.png') });

      await page.evaluate(() => { window.__injectedLoss = 0.08; });
      await level('fair');
      assert.match(await warning().textContent(), /^Your network is degrading the call \(\d+% of the audio lost\)/);

      await page.evaluate(() => { window.__injectedLoss = 0; });
      await level('good');
      assert.equal(await warning().isHidden(), true, 'recovered: no warning');

      // the microphone goes silent for real, as a device muted by its own switch does: its track sends zeros
      const microphone = (enabled) => page.evaluate((on) => {
        window.__peers[0].getSenders().find((s) => s.track?.kind === 'audio').track.enabled = on;
      }, enabled);
      await microphone(false);
      await warning().getByText('Your microphone is sending silence: the other person cannot hear you.')
        .waitFor({ timeout: LEVEL_TIMEOUT });
      assert.equal(await indicator().getAttribute('data-level'), 'good', 'the network is still fine');
      await page.screenshot({ path: join(ARTIFACTS, 'dialer-quality-silent.png') });

      await microphone(true);
      await warning().waitFor({ state: 'hidden', timeout: LEVEL_TIMEOUT });
      assert.equal(await indicator().textContent(), 'Call quality: Good');

      await page.getByRole('button', { name: 'Hang up' }).click();
      await waitForCallState(page, 'hangup');
      assert.equal(await indicator().isHidden(), true, 'no indicator after the call');
      const headers = await page.locator('.history th').allTextContents();
      const cells = await page.locator('#calls tr').first().locator('td').allTextContents();
      assert.equal(headers.at(-1), 'Quality');
      assert.match(cells.at(-1), /^(Good|Fair|Poor) \(MOS \d\.\d\): poor for \d+ s, microphone silent for \d+ s$/);
      await page.screenshot({ path: join(ARTIFACTS, 'dialer-quality-session.png') });
    });

  test('a muted microphone is silent on purpose: no warning; unmuted, a microphone that delivers nothing is', async () => {
    await answeredCall();
    await level('good');
    await page.getByRole('button', { name: 'Mute' }).click();
    // and a track that delivers nothing at all, which is silence too when not muted
    await page.evaluate(() => window.__peers[0].getSenders().find((s) => s.track?.kind === 'audio')
      .replaceTrack(new AudioContext().createMediaStreamDestination().stream.getAudioTracks()[0]));
    await page.waitForTimeout(9_000); // more than SILENT_SAMPLES samples of silence
    assert.equal(await warning().isHidden(), true);
    await page.getByRole('button', { name: 'Unmute' }).click();
    await warning().getByText('Your microphone is sending silence').waitFor({ timeout: LEVEL_TIMEOUT });
    await page.getByRole('button', { name: 'Hang up' }).click();
    await waitForCallState(page, 'hangup');
    assert.match((await page.locator('#calls tr').first().locator('td').allTextContents()).at(-1),
      /^Good \(MOS \d\.\d\): microphone silent for \d+ s$/);
  });
});
