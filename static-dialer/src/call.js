// The call: placing it, following the SDK's updates to its end, asking the backend to record it, sampling its
// quality, settling it from the server's truth (truth.js) once it ended, and what the call list keeps of it.
import { describeOutcome } from './outcome.js';
import { watchQuality } from './quality.js';
import { saveHistory } from './state.js';
import { idsOf, lookupId, NOT_KNOWN, recordingOf, settledRow, UNKNOWN_CALL, waitForFinal } from './truth.js';

/** SDK call states after which a call is over. */
const OVER = new Set(['hangup', 'destroy', 'purge']);

/** A new row of the call list for a call to {@code number} started at {@code nowMs}. */
export function newEntry(number, nowMs) {
  return { number, startedAt: new Date(nowMs).toISOString(), talkSeconds: 0, outcome: null,
    recording: { state: 'none', text: '—' }, ids: {}, hungUpByUs: null, settled: false, detail: '' };
}

/** The page's guess at why the call ended until the server's truth comes: a failure the SDK reported, else outcome.js's. */
export function callOutcome(tracked) {
  if (tracked.lost) {
    return { kind: 'unknown', text: 'Connection lost: checking how the call ended…' };
  }
  return tracked.error && !tracked.answeredAt && !tracked.hungUpByUs
    ? { kind: 'failed', text: 'Call failed' }
    : describeOutcome(tracked.call, { answered: Boolean(tracked.answeredAt), hungUpByUs: tracked.hungUpByUs });
}

/** The ended call's codes for its details line: "USER_BUSY (17), SIP 486 Busy Here", and the SDK's error. */
export function endCause(call, error = null) {
  return [call.cause && `${call.cause}${call.causeCode ? ` (${call.causeCode})` : ''}`,
    call.sipCode && `SIP ${call.sipCode}${call.sipReason ? ` ${call.sipReason}` : ''}`, error].filter(Boolean).join(', ');
}

/** The recording at the call's end, until the server's truth: never "Started" once the call is over. */
export function recordingAtEnd(recording, answered) {
  if (recording.state === 'none') {
    return { state: 'none', text: answered ? 'Not asked: Telnyx sent no call id' : '—' };
  }
  return recording.state === 'failed' ? recording : recordingOf({ state: recording.state }, false);
}

/** The custom SIP header that carries the page's own id for its call (the backend indexes the call by it). */
export const PAGE_CALL_HEADER = 'X-Cold-Call-Page-Id';

/** A random id for a call, from the browser's CSPRNG. */
function randomId() {
  return globalThis.crypto.randomUUID();
}

/** Merges the ids the SDK now knows into {@code known}; true when one was new. */
export function learnIds(known, call) {
  let learned = false;
  for (const [name, value] of Object.entries(idsOf(call))) {
    if (value && known[name] !== value) {
      known[name] = value;
      learned = true;
    }
  }
  return learned;
}

/** What the page says when the browser would not open the microphone. */
export function microphoneProblem(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Microphone access is blocked. Allow the microphone for this site (the icon in the address bar), then dial again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone found. Plug one in or choose another under Audio devices, then dial again.';
    case 'NotReadableError':
      return 'The microphone is in use by another program or could not be opened.';
    case 'TypeError':
      return 'The microphone needs this page to be opened over HTTPS.';
    default:
      return `The microphone could not be opened: ${error?.message || error}`;
  }
}

/**
 * The calls over {@code state}: {@code storage} keeps the history; {@code view} renders (all, or the talk time
 * alone), asks for the API key and gives the number field the focus back; {@code truth} tunes the polling of the
 * server's truth (tests).
 */
export function createCalls(state, { api, storage, view, truth = {} }) {
  const save = () => saveHistory(storage, state.history);
  const settling = new Set();
  const strangers = new Set();
  /** True while the SDK places a call: its first updates come before newCall() returns the call they are about. */
  let starting = false;

  /** Places a call with the microphone's {@code stream}; throws (the history as it was) when the SDK refuses it. */
  function start(number, stream, remoteElement) {
    if (state.current) {
      throw new Error('a call is already in progress');
    }
    const entry = newEntry(number, Date.now());
    // the page's own name for the call, sent on its INVITE: the backend finds the call by it even when Telnyx never
    // named the call to the page (refused before it rang)
    entry.ids.pageCallId = randomId();
    state.history.unshift(entry);
    save();
    state.lastEnded = null;
    state.notice = '';
    try {
      starting = true;
      const call = state.client.newCall({
        destinationNumber: number,
        callerNumber: state.callerNumber,
        localStream: stream,
        remoteElement,
        audio: true,
        video: false,
        customHeaders: [{ name: PAGE_CALL_HEADER, value: entry.ids.pageCallId },
          ...(state.repTag ? [{ name: 'X-Cold-Call-Rep', value: state.repTag }] : [])],
      });
      state.ownCallIds.add(call.id);
      state.current = { call, entry, stream, answeredAt: null, hungUpByUs: false, recordingRequested: false,
        error: null, lost: false };
    } catch (error) {
      stream.getTracks().forEach((track) => track.stop());
      state.history.shift();
      throw error;
    } finally {
      starting = false;
    }
  }

  function isCurrent(callId) {
    return Boolean(state.current) && state.current.call.id === callId;
  }

  /** A `telnyx.error` that names a call: shown with the call's state while it lasts. */
  function onCallError(callId, text) {
    if (isCurrent(callId)) {
      state.current.error = text;
      view.render();
    }
  }

  function onNotification(notification) {
    if (notification?.type === 'callUpdate') {
      onCallUpdate(notification.call);
    } else if (notification?.type === 'userMediaError' && state.current) {
      state.current.error = 'The microphone could not be opened';
      view.render();
    }
  }

  /**
   * A `telnyx_rtc.ringing` for the call: the SDK changes no state on it (an outbound call stays "trying" until the
   * answer or early media), so the page marks it ringing itself, and learns the ids it carries.
   */
  function onSocketMessage(message) {
    const params = message?.params;
    if (message?.method !== 'telnyx_rtc.ringing' || !isCurrent(params?.callID)) {
      return;
    }
    const current = state.current;
    current.ringing = true;
    if (learnIds(current.entry.ids, { telnyxIDs: { telnyxCallControlId: params.telnyx_call_control_id,
      telnyxLegId: params.telnyx_leg_id, telnyxSessionId: params.telnyx_session_id } })) {
      save();
    }
    view.render();
  }

  /**
   * A live call that is not the one the page shows (an inbound call, a second outbound, a call the SDK reattached
   * after the page gave it up): hung up at once, logged with its ids, and told to the rep.
   */
  function hangUpStranger(call) {
    const seen = { id: call.id, state: call.state, from: call.options?.remoteCallerNumber || null, ...idsOf(call) };
    call.hangup?.();
    if (strangers.has(call.id)) {
      return;
    }
    strangers.add(call.id);
    console.warn('dialer: hung up a call this page does not show', seen);
    // the SDK names a call inbound only once answered: one the page did not place and that has a caller is one
    const inbound = call.direction === 'inbound' || (!state.ownCallIds.has(call.id) && seen.from);
    state.notice = inbound ? 'An incoming call was declined: this page only places calls.'
      : state.ownCallIds.has(call.id) ? 'A call this page no longer showed was hung up.'
        : 'A call this page did not place was hung up.';
    view.render();
  }

  function onCallUpdate(call) {
    const current = state.current;
    if (starting && !current) {
      return; // the call being placed, not yet returned by newCall(): its state is rendered once it is
    }
    if (!isCurrent(call.id)) {
      if (!OVER.has(String(call.state).toLowerCase())) {
        hangUpStranger(call);
      }
      return;
    }
    if (learnIds(current.entry.ids, call)) {
      save();
    }
    if ((call.state === 'active' || call.state === 'held') && !current.answeredAt) {
      current.answeredAt = Date.now();
      state.timerId = setInterval(view.renderTimer, 1000);
      current.quality = watchQuality(call, { onChange: view.render });
    }
    if (OVER.has(call.state)) {
      finish(current);
      return;
    }
    requestRecording(current);
    view.render();
  }

  /** Once per call, as soon as the SDK knows Telnyx's call control id (with the answer; never the SDK's call.id). */
  async function requestRecording(tracked) {
    const callControlId = tracked.call.telnyxIDs?.telnyxCallControlId;
    if (!callControlId || tracked.recordingRequested) {
      return;
    }
    tracked.recordingRequested = true;
    tracked.entry.recording = { state: 'requesting', text: 'Starting…' };
    view.render();
    let recording;
    try {
      recording = await api.startRecording(callControlId, tracked.entry.number, state.callerNumber);
    } catch (error) {
      recording = { state: 'failed', text: 'Failed: the API key was refused' };
      view.askForKey('The API key was refused (401) when starting the recording. Enter it again.');
    }
    if (!tracked.finished) {
      tracked.entry.recording = recording;
    } else if (!tracked.entry.settled) {
      tracked.entry.recording = recordingAtEnd(recording, Boolean(tracked.answeredAt));
    }
    save();
    view.render();
  }

  /** Ends the page's part in the call; {@code why} (hung_up, lost) is reported to the backend. */
  function finish(tracked) {
    if (tracked.finished) {
      return;
    }
    tracked.finished = true;
    clearInterval(state.timerId);
    state.timerId = null;
    const { call, entry } = tracked;
    learnIds(entry.ids, call);
    entry.hungUpByUs = tracked.lost && !tracked.hungUpByUs ? null : tracked.hungUpByUs; // null: not known
    entry.talkSeconds = tracked.answeredAt ? Math.round((Date.now() - tracked.answeredAt) / 1000) : 0;
    entry.outcome = callOutcome(tracked);
    entry.detail = endCause(call, tracked.error);
    entry.quality = tracked.quality?.stop() ?? null;
    entry.recording = recordingAtEnd(entry.recording, Boolean(tracked.answeredAt));
    tracked.stream.getTracks().forEach((track) => track.stop());
    state.current = null;
    state.lastEnded = { entry, tracked };
    save();
    const why = tracked.lost ? 'lost' : (tracked.hungUpByUs ? 'hung_up' : null);
    if (why) {
      api.reportEnded(lookupId(entry.ids), why);
    }
    view.render();
    view.focusNumber();
    settle(entry);
  }

  /**
   * Settles a row from the server's truth: asked every half second until the call log is final, at most ~10 s;
   * then "Outcome not known yet", and the row is asked about again on the next load.
   */
  async function settle(entry) {
    const id = lookupId(entry.ids);
    if (entry.settled || settling.has(entry)) {
      return;
    }
    if (!id) {
      // a row kept from before the page named its calls, and Telnyx never named it: nothing to look it up by
      entry.settled = true;
      if (entry.outcome?.kind === 'unknown') {
        entry.outcome = NOT_KNOWN;
      }
      save();
      view.render();
      return;
    }
    settling.add(entry);
    entry.checking = true;
    view.render();
    const final = await waitForFinal(api.callTruth, id, { ...truth, onFinal: (answer) => {
      entry.checking = false;
      Object.assign(entry, settledRow(entry, answer));
      save();
      view.render();
    } });
    settling.delete(entry);
    entry.checking = false;
    if (final === UNKNOWN_CALL) {
      // Telnyx never told the backend of this call: there is no call log to disagree with, the page's words stand
      entry.settled = true;
      entry.detail = [entry.detail, 'not in the call log: the backend never heard of this call'].filter(Boolean)
        .join('; ');
    } else if (final) {
      Object.assign(entry, settledRow(entry, final));
    } else {
      if (entry.outcome && entry.outcome.kind !== 'unknown') {
        entry.detail = [`The page saw: ${entry.outcome.text}`, entry.detail].filter(Boolean).join('. ');
      }
      entry.outcome = NOT_KNOWN;
    }
    save();
    view.render();
  }

  /** The signalling is gone: the call the page can no longer see is ended here and settled from the server. */
  function onSignallingLost() {
    const current = state.current;
    if (!current || current.finished) {
      return;
    }
    current.lost = true;
    try {
      current.call.hangup?.(); // lets its peer connection go; Telnyx hears of it from the backend (why: lost)
    } catch {
      // the SDK may refuse without its socket
    }
    finish(current);
  }

  /**
   * The page is going away during a call (pagehide, after the rep confirmed leaving): the backend is told (keepalive)
   * and the SDK hangs up; the row stays without an outcome, and the next load settles it from the server.
   */
  function onPageClose() {
    const current = state.current;
    if (!current || current.finished) {
      return;
    }
    current.finished = true;
    api.reportEnded(lookupId({ ...current.entry.ids, ...idsOf(current.call) }), 'page_closed');
    try {
      sdkHangup(current);
    } catch {
      // the page is being torn down: the backend hangs the call up
    }
  }

  function hangup() {
    const current = state.current;
    if (!current || current.finished) {
      return;
    }
    current.hungUpByUs = true;
    sdkHangup(current);
  }

  function sdkHangup(current) {
    if (current.answeredAt) {
      current.call.hangup();
    } else {
      // Without a cause the SDK sends USER_BUSY/17 for any hang-up before answer, which reads as "busy". Its public
      // hangup() takes no cause; this is the overload its type declarations mark @internal.
      // test/sdk-contract.test.mjs fails the day the installed SDK changes it.
      current.call.hangup({ cause: 'ORIGINATOR_CANCEL', causeCode: 487 }, true);
    }
  }
  /** Sends the keypad's {@code key} as a tone when the call is connected; false when there is no such call. */
  function sendTone(key) {
    if (state.current?.call.state !== 'active') {
      return false;
    }
    state.current.call.dtmf(key);
    return true;
  }

  function toggleMute() {
    if (!state.current) {
      return;
    }
    if (state.current.call.isAudioMuted) {
      state.current.call.unmuteAudio();
    } else {
      state.current.call.muteAudio();
    }
    view.render();
  }

  /** Holds or resumes the call; the view renders when the SDK has done it, or failed to. */
  async function toggleHold() {
    const { call } = state.current;
    try {
      await (call.state === 'held' ? call.unhold() : call.hold());
    } finally {
      view.render();
    }
  }

  function changeMic(deviceId) {
    if (state.current && deviceId) {
      state.current.call.setAudioInDevice(deviceId);
    }
  }

  return { start, onCallError, onNotification, onSocketMessage, hangup, sendTone, toggleMute, toggleHold, changeMic, settle,
    onSignallingLost, onPageClose };
}
