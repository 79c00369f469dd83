// quality.js's pure parts: the E-model estimate, the bands, what a getStats() report gives, the words shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INITIAL, MOS_FAIR, MOS_GOOD, SILENT_SAMPLES, band, describe, estimateMos, mosOfR, readReport, sample, step, summarize,
  watchQuality,
} from '../src/quality.js';

const near = (actual, expected, tolerance = 0.01) => assert.ok(Math.abs(actual - expected) <= tolerance,
  `${actual} is not within ${tolerance} of ${expected}`);

test('the bands are G.107 Annex B MOS of ratings 70 and 60', () => {
  near(mosOfR(70), MOS_GOOD, 0.005);
  near(mosOfR(60), MOS_FAIR, 0.005);
  assert.equal(mosOfR(-5), 1);
  assert.equal(mosOfR(120), 4.5);
  assert.equal(band(4.4), 'good');
  assert.equal(band(3.6), 'good');
  assert.equal(band(3.59), 'fair');
  assert.equal(band(3.1), 'fair');
  assert.equal(band(3.09), 'poor');
});

test('the E-model estimate: a clean LAN call is good, loss and delay bring it down', () => {
  near(estimateMos({ rttMs: 20, jitterMs: 2, lossPercent: 0 }), 4.4, 0.05);
  assert.equal(band(estimateMos({ rttMs: 40, jitterMs: 5, lossPercent: 2 })), 'good');
  assert.equal(band(estimateMos({ rttMs: 40, jitterMs: 5, lossPercent: 10 })), 'fair');
  assert.equal(band(estimateMos({ rttMs: 40, jitterMs: 5, lossPercent: 25 })), 'poor');
  assert.equal(band(estimateMos({ rttMs: 700, jitterMs: 5, lossPercent: 0 })), 'fair');
  assert.equal(band(estimateMos({ rttMs: 300, jitterMs: 150, lossPercent: 5 })), 'poor');
  assert.ok(estimateMos({ lossPercent: 400 }) >= 1, 'absurd input stays on the scale');
});

/** A getStats()-shaped report: a Map of stats by id, as RTCStatsReport is. */
function report({ received = 1000, lost = 0, jitter = 0.004, rtt = 0.03, fractionLost = 0, sent = 1000, remoteLost = 0,
  energy = 1, duration = 20, sourceId = 'S1' } = {}) {
  const stats = [
    { id: 'IT1', type: 'inbound-rtp', kind: 'audio', packetsReceived: received, packetsLost: lost, jitter },
    { id: 'OT1', type: 'outbound-rtp', kind: 'audio', packetsSent: sent, mediaSourceId: sourceId },
    { id: 'RI1', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: rtt, jitter: 0.002, fractionLost,
      packetsLost: remoteLost },
    { id: sourceId, type: 'media-source', kind: 'audio', totalAudioEnergy: energy, totalSamplesDuration: duration },
    { id: 'IT2', type: 'inbound-rtp', kind: 'video', packetsReceived: 5, packetsLost: 5 },
  ];
  return new Map(stats.map((s) => [s.id, s]));
}

test('a sample: loss over the interval in the worse direction, round trip and jitter in ms, the mic level', () => {
  const before = readReport(report());
  const now = readReport(report({ received: 1090, lost: 10, sent: 1100, remoteLost: 2, energy: 1.5, duration: 22 }));
  const s = sample(now, before);
  near(s.lossPercent, 10);
  near(s.rttMs, 30);
  near(s.jitterMs, 4);
  near(s.micLevel, 0.5);
  assert.equal(s.band, band(s.mos));
});

test('the far end\'s fraction lost counts when there is no interval yet', () => {
  const s = sample(readReport(report({ fractionLost: 0.25, lost: 0 })), null);
  near(s.lossPercent, 25);
  assert.equal(s.micLevel, undefined, 'no level without an interval');
  assert.equal(s.band, 'poor');
});

test('a report without audio statistics gives no MOS', () => {
  const s = sample(readReport(new Map()), null);
  assert.equal(s.mos, undefined);
  assert.equal(describe(step(INITIAL, s)).level, 'measuring');
});

test('a new microphone source (another device) gives no level for that interval', () => {
  const s = sample(readReport(report({ sourceId: 'S2', energy: 0, duration: 1 })), readReport(report()));
  assert.equal(s.micLevel, undefined);
});

test('a microphone that delivers no samples at all is silent', () => {
  assert.equal(sample(readReport(report()), readReport(report())).micLevel, 0);
});

test('silence is reported after SILENT_SAMPLES silent samples, never while muted, and clears on sound', () => {
  const silent = { mos: 4.4, band: 'good', micLevel: 0, rttMs: 30, jitterMs: 4, lossPercent: 0 };
  let state = INITIAL;
  for (let i = 1; i < SILENT_SAMPLES; i += 1) {
    state = step(state, silent);
    assert.equal(state.silent, false, `after ${i}`);
  }
  state = step(state, silent);
  assert.equal(state.silent, true);
  const view = describe(state);
  assert.match(view.warning, /^Your microphone is sending silence: the other person cannot hear you\./);
  assert.equal(view.level, 'good', 'the network is fine: the band says so');
  assert.equal(step(state, { ...silent, micLevel: 0.05 }).silent, false);
  let muted = INITIAL;
  for (let i = 0; i < SILENT_SAMPLES + 2; i += 1) {
    muted = step(muted, silent, { quiet: true });
  }
  assert.equal(muted.silent, false, 'a muted call is silent on purpose');
});

test('the words: the band as the label, the figures in the description, the network named as the cause', () => {
  const good = describe(step(INITIAL, sample(readReport(report()), null)));
  assert.equal(good.label, 'Call quality: Good');
  assert.match(good.description, /^Estimated MOS 4\.\d of 4\.5 \(ITU-T G\.107\)\. Round trip 30 ms, jitter 4 ms, packet loss 0\.0%\.$/);
  assert.equal(good.warning, '');
  const lossy = describe(step(INITIAL, { rttMs: 30, jitterMs: 4, lossPercent: 22, mos: 2.6, band: 'poor' }));
  assert.equal(lossy.label, 'Call quality: Poor');
  assert.match(lossy.warning, /^Your network is badly degrading the call \(22% of the audio lost\): the other person may hear you break up\./);
  const slow = describe(step(INITIAL, { rttMs: 700, jitterMs: 40, lossPercent: 0, mos: 3.3, band: 'fair' }));
  assert.match(slow.warning, /^Your network is degrading the call \(700 ms round trip, 40 ms jitter\)/);
  const partial = describe(step(INITIAL, { rttMs: undefined, jitterMs: 4, lossPercent: undefined, mos: 4.4, band: 'good' }));
  assert.match(partial.description, /Round trip not measured yet, jitter 4 ms, packet loss not measured yet\./);
});

test('the session list summary: the call\'s average band, with how long it was poor or silent', () => {
  assert.deepEqual(summarize(INITIAL), { level: 'none', text: '—' });
  let state = INITIAL;
  for (const mos of [4.4, 4.4, 4.4, 2.5]) {
    state = step(state, { mos, band: band(mos), micLevel: 0.1 });
  }
  assert.deepEqual(summarize(state, 2000), { level: 'good', text: 'Good (MOS 3.9): poor for 2 s' });
  for (let i = 0; i < SILENT_SAMPLES; i += 1) {
    state = step(state, { mos: 3.3, band: 'fair', micLevel: 0 });
  }
  assert.deepEqual(summarize(state, 2000), { level: 'good', text: 'Good (MOS 3.7): poor for 2 s, microphone silent for 2 s' });
});

test('watchQuality reads the SDK call\'s peer connection until stopped, then summarises', async () => {
  let reads = 0;
  const call = { state: 'active', isAudioMuted: false,
    peer: { instance: { getStats: async () => { reads += 1; return report({ received: 1000 + reads * 100 }); } } } };
  let changes = 0;
  const watcher = watchQuality(call, { every: 10, onChange: () => { changes += 1; } });
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(changes >= 2, `changes: ${changes}`);
  assert.equal(watcher.view().label, 'Call quality: Good');
  const summary = watcher.stop();
  assert.equal(summary.level, 'good');
  const after = reads;
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(reads, after, 'no reads after stop');
  const unmeasured = watchQuality({ state: 'active' }, { every: 10 });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(unmeasured.view().level, 'measuring');
  assert.deepEqual(unmeasured.stop(), { level: 'none', text: '—' });
});
