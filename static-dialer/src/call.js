// The call: placing it, following the SDK's updates to its end, asking the backend to record it, sampling its
// quality, and what the session list keeps of it.
import { describeOutcome, destinationOutcome } from './outcome.js';
import { watchQuality } from './quality.js';
import { saveHistory } from './state.js';

/** A new row of the session list for a call to {@code number} started at {@code nowMs}. */
export function newEntry(number, nowMs) {
  return { number, startedAt: new Date(nowMs).toISOString(), talkSeconds: 0, outcome: null,
    recording: { state: 'none', text: '—' } };
}

/** Why the call ended, as the session list says it: a failure the SDK reported first, else describeOutcome's. */
export function callOutcome(tracked) {
  return tracked.error && !tracked.answeredAt && !tracked.hungUpByUs
    ? { kind: 'failed', text: `Call failed: ${tracked.error}` }
    : describeOutcome(tracked.call, { answered: Boolean(tracked.answeredAt), hungUpByUs: tracked.hungUpByUs,
      destination: tracked.destination });
}

/** The ended call's cause and SIP answer, shown under its outcome: "USER_BUSY (17), SIP 486 Busy Here". */
export function endCause(call) {
  return [call.cause && `${call.cause}${call.causeCode ? ` (${call.causeCode})` : ''}`,
    call.sipCode && `SIP ${call.sipCode}${call.sipReason ? ` ${call.sipReason}` : ''}`].filter(Boolean).join(', ');
}

/** The recording at the call's end: one never asked for says why when the call was answered. */
export function recordingAtEnd(recording, answered) {
  return recording.state === 'none' ? { state: 'none', text: answered ? 'Not asked: Telnyx sent no call id' : '—' }
    : recording;
}

/** The SDK's call id a `telnyx_rtc.bye` names. */
export function byeCallId(params) {
  return params?.callID || params?.dialogParams?.callID;
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
 * alone), asks for the API key and gives the number field the focus back.
 */
export function createCalls(state, { api, storage, view }) {
  const save = () => saveHistory(storage, state.history);

  /** Places a call with the microphone's {@code stream}; throws (the history as it was) when the SDK refuses it. */
  function start(number, stream, remoteElement) {
    const entry = newEntry(number, Date.now());
    state.history.unshift(entry);
    save();
    state.lastEnded = null;
    try {
      const call = state.client.newCall({
        destinationNumber: number,
        callerNumber: state.callerNumber,
        localStream: stream,
        remoteElement,
        audio: true,
        video: false,
        ...(state.repTag ? { customHeaders: [{ name: 'X-Cold-Call-Rep', value: state.repTag }] } : {}),
      });
      state.current = { call, entry, stream, answeredAt: null, hungUpByUs: false, recordingRequested: false,
        error: null, destination: null };
    } catch (error) {
      stream.getTracks().forEach((track) => track.stop());
      state.history.shift();
      throw error;
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
   * A BYE from Telnyx, read before the SDK ends the call: in the parked flow our backend names the destination's
   * outcome (busy, no answer, ...) in a custom header of its hang-up, which the SDK does not expose on the call.
   */
  function onSocketMessage(message) {
    if (message?.method !== 'telnyx_rtc.bye') {
      return;
    }
    const destination = destinationOutcome(message.params);
    const callId = byeCallId(message.params);
    if (!destination || !callId) {
      return;
    }
    const ended = state.lastEnded?.tracked;
    if (isCurrent(callId)) {
      state.current.destination = destination;
    } else if (ended?.call.id === callId && !ended.answeredAt && !ended.hungUpByUs) {
      ended.destination = destination; // the SDK ended the call first: correct what was shown
      state.lastEnded.entry.outcome = destination;
      save();
      view.render();
    }
  }

  function onCallUpdate(call) {
    if (call.direction === 'inbound') {
      if (call.state === 'ringing') {
        call.hangup(); // this page only places calls
      }
      return;
    }
    const current = state.current;
    if (!isCurrent(call.id)) {
      return;
    }
    if ((call.state === 'active' || call.state === 'held') && !current.answeredAt) {
      current.answeredAt = Date.now();
      state.timerId = setInterval(view.renderTimer, 1000);
      current.quality = watchQuality(call, { onChange: view.render });
    }
    if (call.state === 'hangup' || call.state === 'destroy') {
      finish(current);
      return;
    }
    requestRecording(current);
    view.render();
  }

  /** Once per call, as soon as the SDK knows Telnyx's call control id (never the SDK's own call.id). */
  async function requestRecording(tracked) {
    const callControlId = tracked.call.telnyxIDs?.telnyxCallControlId;
    if (!callControlId || tracked.recordingRequested) {
      return;
    }
    tracked.recordingRequested = true;
    tracked.entry.recording = { state: 'requesting', text: 'Starting…' };
    view.render();
    try {
      tracked.entry.recording = await api.startRecording(callControlId, tracked.entry.number, state.callerNumber);
    } catch (error) {
      tracked.entry.recording = { state: 'failed', text: 'Failed: the API key was refused' };
      view.askForKey('The API key was refused (401) when starting the recording. Enter it again.');
    }
    save();
    view.render();
  }

  function finish(tracked) {
    if (tracked.finished) {
      return;
    }
    tracked.finished = true;
    clearInterval(state.timerId);
    state.timerId = null;
    const { call, entry } = tracked;
    entry.talkSeconds = tracked.answeredAt ? Math.round((Date.now() - tracked.answeredAt) / 1000) : 0;
    entry.outcome = callOutcome(tracked);
    entry.quality = tracked.quality?.stop() ?? null;
    entry.recording = recordingAtEnd(entry.recording, Boolean(tracked.answeredAt));
    tracked.stream.getTracks().forEach((track) => track.stop());
    state.current = null;
    state.lastEnded = { entry, cause: endCause(call), tracked };
    save();
    view.render();
    view.focusNumber();
  }

  function hangup() {
    const current = state.current;
    if (!current || current.finished) {
      return;
    }
    current.hungUpByUs = true;
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

  return { start, onCallError, onNotification, onSocketMessage, hangup, sendTone, toggleMute, toggleHold, changeMic };
}
