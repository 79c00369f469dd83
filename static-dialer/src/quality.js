// Call quality on the page: every few seconds during a call, the SDK call's peer connection's WebRTC statistics
// (getStats: round-trip time and loss as the far end reports them, jitter and loss of what we receive, the
// microphone's level) become an estimated MOS, a band, and plain words when the problem is on the staff's side.
//
// The bands are stated here once, and the server's alarm uses the same: ITU-T G.107 (the E-model) Annex B maps its
// rating R to MOS, and ITU-T G.109 names the categories. R 70 = MOS 3.6 is the lower edge of "medium" (some users
// dissatisfied); below R 60 = MOS 3.1 nearly all users are dissatisfied.
export const MOS_GOOD = 3.6;
export const MOS_FAIR = 3.1;
/** How often the statistics are read during a call. */
export const SAMPLE_MS = 2000;
/**
 * A microphone whose level (RMS of the samples, 0..1) stays below this is sending digital silence (−80 dBFS): a
 * quiet room is far louder. Muted or held calls are silent on purpose and never warned about.
 */
export const SILENT_LEVEL = 1e-4;
/** Silence is reported after this many silent samples in a row (3 × 2 s), so a pause in speech never is. */
export const SILENT_SAMPLES = 3;

const BAND_TEXT = { good: 'Good', fair: 'Fair', poor: 'Poor' };

/**
 * A MOS from round trip (ms), jitter (ms) and packet loss (%), by the simplified E-model of G.107 (Cole and
 * Rosenbluth's reading): one-way delay = half the round trip + twice the jitter (the jitter buffer) + 20 ms of
 * packetisation; delay impairment Id = 0.024 d + 0.11 (d − 177.3) above 177.3 ms; loss impairment Ie,eff =
 * 95 · P / (P + 25.1) (G.711 with loss concealment: Ie 0, Bpl 25.1, ITU-T G.113 Appendix I); R = 93.2 − Id − Ie,eff.
 */
export function estimateMos({ rttMs = 0, jitterMs = 0, lossPercent = 0 }) {
  const delay = rttMs / 2 + 2 * jitterMs + 20;
  const id = 0.024 * delay + (delay > 177.3 ? 0.11 * (delay - 177.3) : 0);
  const loss = Math.min(100, Math.max(0, lossPercent));
  const ie = (95 * loss) / (loss + 25.1);
  return mosOfR(93.2 - id - ie);
}

/** G.107 Annex B: MOS of a rating R. */
export function mosOfR(r) {
  if (r <= 0) {
    return 1;
  }
  if (r >= 100) {
    return 4.5;
  }
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

/** {@code good}, {@code fair} or {@code poor}. */
export function band(mos) {
  return mos >= MOS_GOOD ? 'good' : mos >= MOS_FAIR ? 'fair' : 'poor';
}

/**
 * The audio statistics of one getStats() report, cumulative as the browser gives them: what we receive
 * ('inbound-rtp'), what the far end says of what we send ('remote-inbound-rtp'), and the microphone ('media-source'
 * of the 'outbound-rtp'). Absent values are {@code undefined}.
 */
export function readReport(report) {
  const all = [];
  report.forEach((stat) => all.push(stat));
  const audio = (stat) => (stat.kind ?? stat.mediaType) === 'audio';
  const inbound = all.find((s) => s.type === 'inbound-rtp' && audio(s));
  const outbound = all.find((s) => s.type === 'outbound-rtp' && audio(s));
  const remote = all.find((s) => s.type === 'remote-inbound-rtp' && audio(s));
  const source = all.find((s) => s.type === 'media-source' && s.id === outbound?.mediaSourceId)
    ?? all.find((s) => s.type === 'media-source' && audio(s));
  return {
    received: inbound?.packetsReceived,
    lost: inbound?.packetsLost,
    jitter: inbound?.jitter,
    remoteJitter: remote?.jitter,
    roundTrip: remote?.roundTripTime,
    remoteFractionLost: remote?.fractionLost,
    sent: outbound?.packetsSent,
    remoteLost: remote?.packetsLost,
    sourceId: source?.id,
    energy: source?.totalAudioEnergy,
    duration: source?.totalSamplesDuration,
  };
}

const delta = (now, before) => (Number.isFinite(now) && Number.isFinite(before) ? now - before : undefined);

/**
 * One sample from two consecutive reads (the earlier may be {@code null}): round trip and jitter in ms, loss in %
 * (the worse direction over the interval), the microphone's RMS level over the interval, the estimated MOS and band.
 * A figure the browser did not give is {@code undefined}; with no network figure at all there is no MOS.
 */
export function sample(now, before) {
  const rttMs = Number.isFinite(now.roundTrip) ? now.roundTrip * 1000 : undefined;
  const jitters = [now.jitter, now.remoteJitter].filter(Number.isFinite);
  const jitterMs = jitters.length ? Math.max(...jitters) * 1000 : undefined;
  const losses = [];
  const received = delta(now.received, before?.received);
  const lost = delta(now.lost, before?.lost);
  if (received !== undefined && lost !== undefined && received + lost > 0) {
    losses.push((100 * Math.max(0, lost)) / (received + Math.max(0, lost)));
  }
  const sent = delta(now.sent, before?.sent);
  const remoteLost = delta(now.remoteLost, before?.remoteLost);
  if (sent > 0 && remoteLost !== undefined) {
    losses.push(Math.min(100, (100 * Math.max(0, remoteLost)) / sent));
  } else if (Number.isFinite(now.remoteFractionLost)) {
    losses.push(100 * now.remoteFractionLost);
  }
  const lossPercent = losses.length ? Math.max(...losses) : undefined;
  let micLevel;
  const samples = now.sourceId === before?.sourceId ? delta(now.duration, before?.duration) : undefined;
  if (samples > 0) {
    micLevel = Math.sqrt(Math.max(0, delta(now.energy, before.energy)) / samples);
  } else if (samples === 0) {
    micLevel = 0; // the microphone delivered no audio at all (unplugged, or its track ended)
  }
  const measured = rttMs !== undefined || jitterMs !== undefined || lossPercent !== undefined;
  const mos = measured ? estimateMos({ rttMs, jitterMs, lossPercent }) : undefined;
  return { rttMs, jitterMs, lossPercent, micLevel, mos, band: mos === undefined ? undefined : band(mos) };
}

const ms = (value) => (value === undefined ? 'not measured yet' : `${Math.round(value)} ms`);
const percent = (value) => (value === undefined ? 'not measured yet' : `${value.toFixed(1)}%`);

/**
 * What the page shows for the call's quality now: {@code level} (measuring, good, fair, poor), a short
 * {@code label}, the figures in a {@code description} (the indicator's accessible description and tooltip), and a
 * {@code warning} in plain words when the staff's microphone or network is the problem, else ''.
 */
export function describe(state) {
  const last = state.last;
  if (!last || last.mos === undefined) {
    return { level: 'measuring', label: 'Call quality: measuring…',
      description: 'Call quality is measured every few seconds once audio flows.', warning: state.silent ? MIC_WARNING : '' };
  }
  const label = `Call quality: ${BAND_TEXT[last.band]}`;
  const description = `Estimated MOS ${last.mos.toFixed(1)} of 4.5 (ITU-T G.107). Round trip ${ms(last.rttMs)}, `
    + `jitter ${ms(last.jitterMs)}, packet loss ${percent(last.lossPercent)}.`;
  let warning = '';
  if (state.silent) {
    warning = MIC_WARNING;
  } else if (last.band !== 'good') {
    warning = `Your network is ${last.band === 'poor' ? 'badly ' : ''}degrading the call`
      + ` (${networkCause(last)}): the other person may hear you break up. Pause large downloads or video, move closer`
      + ' to the Wi-Fi or use a cable, or leave the VPN.';
  }
  return { level: last.band, label, description, warning };
}

const MIC_WARNING = 'Your microphone is sending silence: the other person cannot hear you. Check it is plugged in, '
  + 'not muted on the device or in the system, and chosen under Audio devices.';

function networkCause(last) {
  const causes = [];
  if (last.lossPercent >= 1) {
    causes.push(`${last.lossPercent.toFixed(0)}% of the audio lost`);
  }
  if (last.rttMs >= 300) {
    causes.push(`${Math.round(last.rttMs)} ms round trip`);
  }
  if (last.jitterMs >= 30) {
    causes.push(`${Math.round(last.jitterMs)} ms jitter`);
  }
  return causes.length ? causes.join(', ') : 'delay and loss';
}

/** Folds one sample into the call's quality state (pure): the last sample, silence run, and the call's totals. */
export function step(state, next, { quiet = false } = {}) {
  const silentRun = !quiet && next.micLevel !== undefined && next.micLevel < SILENT_LEVEL ? state.silentRun + 1
    : (next.micLevel === undefined && !quiet ? state.silentRun : 0);
  const measured = next.mos !== undefined;
  return {
    last: measured ? next : state.last,
    silentRun,
    silent: silentRun >= SILENT_SAMPLES,
    samples: state.samples + (measured ? 1 : 0),
    mosTotal: state.mosTotal + (measured ? next.mos : 0),
    poorSamples: state.poorSamples + (measured && next.band === 'poor' ? 1 : 0),
    worst: measured && (state.worst === undefined || next.mos < state.worst) ? next.mos : state.worst,
    silentSamples: state.silentSamples + (silentRun >= SILENT_SAMPLES ? 1 : 0),
  };
}

export const INITIAL = Object.freeze({ last: null, silentRun: 0, silent: false, samples: 0, mosTotal: 0, poorSamples: 0,
  worst: undefined, silentSamples: 0 });

/** The call's quality for the session list: its average band, and any trouble with how long it lasted. */
export function summarize(state, sampleMs = SAMPLE_MS) {
  if (!state || state.samples === 0) {
    return { level: 'none', text: '—' };
  }
  const mos = state.mosTotal / state.samples;
  const level = band(mos);
  const trouble = [];
  if (state.poorSamples > 0) {
    trouble.push(`poor for ${Math.round((state.poorSamples * sampleMs) / 1000)} s`);
  }
  if (state.silentSamples > 0) {
    trouble.push(`microphone silent for ${Math.round((state.silentSamples * sampleMs) / 1000)} s`);
  }
  return { level, text: `${BAND_TEXT[level]} (MOS ${mos.toFixed(1)})${trouble.length ? `: ${trouble.join(', ')}` : ''}` };
}

/**
 * Reads the call's statistics every {@code SAMPLE_MS} while it lasts and calls {@code onChange} after each read.
 * {@code stop()} ends it and returns the call's summary. The peer connection is the SDK call's
 * ({@code call.peer.instance}); a call without one is shown as not measured.
 */
export function watchQuality(call, { onChange = () => {}, every = SAMPLE_MS } = {}) {
  let state = INITIAL;
  let before = null;
  let stopped = false;
  let reading = false;
  const read = async () => {
    const peer = call.peer?.instance;
    if (stopped || reading || !peer?.getStats) {
      return;
    }
    reading = true;
    try {
      const now = readReport(await peer.getStats());
      if (!stopped) {
        const quiet = Boolean(call.isAudioMuted) || call.state === 'held';
        state = step(state, sample(now, before), { quiet });
        before = now;
        onChange();
      }
    } catch (error) {
      console.warn('dialer: call statistics could not be read', error);
    } finally {
      reading = false;
    }
  };
  const timer = setInterval(read, every);
  read();
  return {
    view: () => describe(state),
    stop() {
      stopped = true;
      clearInterval(timer);
      return summarize(state, every);
    },
  };
}

/** Shows {@code watcher}'s view in the indicator and its warning (both hidden without a call being watched). */
export function renderQuality(indicator, warning, watcher) {
  if (!watcher) {
    indicator.hidden = true;
    warning.hidden = true;
    warning.textContent = '';
    return;
  }
  const view = watcher.view();
  indicator.hidden = false;
  indicator.dataset.level = view.level;
  // the indicator is a live region: rewriting the same words would have them read out again every few seconds
  setText(indicator, view.label);
  indicator.title = view.description;
  const described = indicator.ownerDocument.getElementById(indicator.getAttribute('aria-describedby'));
  if (described) {
    setText(described, view.description);
  }
  setText(warning, view.warning);
  warning.hidden = !view.warning;
}

function setText(element, text) {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}

/** The session list's cell for a call's quality summary. */
export function qualityCell(summary, document) {
  const cell = document.createElement('td');
  cell.textContent = summary?.text ?? '—';
  cell.dataset.quality = summary?.level ?? 'none';
  return cell;
}
