// The server's truth about a call (GET /calls/{id}, docs/dialer-page.md "The server's truth"): once a call ends,
// is lost, or was left unsettled by a closed tab, the page asks the backend until the call log is final and shows
// what the call log says (its ending, talk time and recording), not its own guess from the SDK.
import table from './call-endings.json' with { type: 'json' };

const { endings, words } = table;
export const POLL_EVERY_MS = 500;
export const GIVE_UP_AFTER_MS = 10_000;
export const NOT_KNOWN = { kind: 'unknown', text: 'Outcome not known yet' };

/**
 * The id the backend finds the call by: the call control id, else the browser leg's id, else its session id, else
 * the page's own id for the call (sent on its INVITE as a custom SIP header).
 */
export function lookupId(ids) {
  return ids?.callControlId || ids?.legId || ids?.sessionId || ids?.pageCallId || null;
}

/** The ids the SDK knows of its call (Telnyx sends the call control id only with the answer). */
export function idsOf(call) {
  const t = call?.telnyxIDs || {};
  return { callControlId: t.telnyxCallControlId || null, legId: t.telnyxLegId || null,
    sessionId: t.telnyxSessionId || null };
}

/** The outcome's words for the backend's {@code ending}; {@code hungUpByUs} picks who ended an answered call. */
export function outcomeOf(truth, hungUpByUs = null) {
  const key = truth?.ending;
  const ending = endings[key];
  if (!ending) {
    return NOT_KNOWN;
  }
  let text = ending.text;
  if (key === 'completed') {
    text = hungUpByUs === true ? words.answered_we_hung_up
      : hungUpByUs === false ? words.answered_they_hung_up : words.answered;
  } else if (key === 'canceled') {
    text = hungUpByUs === false ? words.canceled : words.we_cancelled;
  }
  const reason = typeof truth.reason === 'string' ? truth.reason.trim().slice(0, 200) : '';
  if ((key === 'blocked' || key === 'limited') && reason) {
    text = `${text}: ${reason}`;
  }
  return { kind: ending.kind, text };
}

/** The recording as the page shows it: during the call ({@code live}) or after it. Never "Started" once it ended. */
export function recordingOf(recording, live) {
  const reason = typeof recording?.reason === 'string' && recording.reason ? `: ${recording.reason.slice(0, 200)}` : '';
  switch (recording?.state) {
    case 'requesting': return { state: 'requesting', text: live ? 'Starting…' : 'Not known yet' };
    case 'started': return live ? { state: 'started', text: 'Started' } : { state: 'saving', text: 'Saving…' };
    case 'saved': return { state: 'saved', text: 'Saved' };
    case 'pending': return live ? { state: 'pending', text: 'Pending: starts when answered' }
      : { state: 'none', text: 'Not recorded: not answered' };
    case 'call_ended': return { state: 'none', text: 'Not recorded: the call ended first' };
    case 'failed': return { state: 'failed', text: `Failed${reason}` };
    case 'error': return { state: 'failed', text: `Failed${reason || ': the recording was lost'}` };
    default: return { state: 'none', text: '—' };
  }
}

/**
 * A row of the call list settled by the backend's final {@code truth}: its outcome in words, the call log's talk
 * time, the recording, and the codes for its details line.
 */
export function settledRow(entry, truth) {
  return { ...entry, settled: true, outcome: outcomeOf(truth, entry.hungUpByUs ?? null),
    talkSeconds: Number.isInteger(truth.talk_seconds) ? truth.talk_seconds : entry.talkSeconds,
    recording: recordingOf(truth.recording, false), detail: typeof truth.detail === 'string' ? truth.detail : '' };
}

/**
 * How long the backend may not know a call that ended before the page takes it that the backend never heard of it
 * (Telnyx names a call to the backend as it starts, well before it ends): then the page's own words are all there is.
 */
export const UNKNOWN_AFTER_MS = 3_000;
/** What {@link waitForFinal} answers for a call the backend does not know. */
export const UNKNOWN_CALL = Object.freeze({ unknown: true });

/** Recording states that may still change after the call log is final: Telnyx has yet to save it, or fail it. */
const RECORDING_UNDER_WAY = new Set(['requesting', 'started']);

/**
 * Asks {@code lookup(id)} (→ {status, answer}) every {@code everyMs} until the answer is final, for at most
 * {@code forMs}: the final answer, or null when it did not come in time (unknown call, backend down, not final). A
 * final answer whose recording is still under way is handed to {@code onFinal} at once and asked again until the
 * recording is saved or failed (or the time is up): the last final answer is returned. A call the backend still does
 * not know {@code unknownAfterMs} after the first ask is {@link UNKNOWN_CALL}.
 */
export async function waitForFinal(lookup, id, { everyMs = POLL_EVERY_MS, forMs = GIVE_UP_AFTER_MS,
  unknownAfterMs = UNKNOWN_AFTER_MS, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now = Date.now, onFinal = () => {} } = {}) {
  const asked = now();
  const until = asked + forMs;
  let final = null;
  let known = false;
  for (;;) {
    try {
      const { status, answer } = await lookup(id);
      known ||= status === 200;
      if (status === 404 && !known && now() - asked >= unknownAfterMs) {
        return UNKNOWN_CALL;
      }
      if (status === 200 && answer?.final === true) {
        final = answer;
        if (!RECORDING_UNDER_WAY.has(answer.recording?.state)) {
          return answer;
        }
        onFinal(answer);
      }
    } catch (error) {
      if (error?.name === 'Unauthorized') {
        return final; // the key is asked for again; the row is settled on the next load
      }
    }
    if (now() + everyMs > until) {
      return final;
    }
    await sleep(everyMs);
  }
}
