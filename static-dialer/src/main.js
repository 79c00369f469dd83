// The dialer page: one state object (state.js) that the SDK session (session.js) and the call (call.js) change and
// the view (view.js) renders; here the page's controls are wired to them.
import { TelnyxRTC } from '@telnyx/webrtc';
import { createApi } from './api.js';
import { createCalls, microphoneProblem } from './call.js';
import { normalizeNumber } from './phone.js';
import { checkDestination } from './policy.js';
import { createSession } from './session.js';
import { createState, loadHistory } from './state.js';
import { testNumberItems } from './testmode.js';
import { askForKey, elements, fillDevices, render, renderTimer, showTestNumbers, showToneSent } from './view.js';

const ui = elements();
const config = window.DIALER_CONFIG || {};
const api = createApi(config.apiBaseUrl || '');
const state = createState(loadHistory(localStorage));
const view = {
  render: () => render(ui, state),
  renderTimer: () => renderTimer(ui, state),
  askForKey: (message) => askForKey(ui, message),
  focusNumber: () => ui.number.focus(),
};
const calls = createCalls(state, { api, storage: localStorage, view });
const session = createSession(state, { api, config, Client: TelnyxRTC, calls, view });

/** The backend's rule set of numbers we may dial, fetched once the key is known; null until then or if it fails. */
let dialPolicy = null;
async function loadDialPolicy() {
  if (dialPolicy || !api.hasKey()) {
    return dialPolicy;
  }
  try {
    dialPolicy = await api.dialPolicy();
  } catch {
    dialPolicy = null; // the backend checks every call anyway
  }
  return dialPolicy;
}

/** One Dial, one call: the latch is set before the first wait, so a double click or a repeated Enter places nothing more. */
async function dial(event) {
  event.preventDefault();
  if (state.current || state.placing) {
    return;
  }
  state.placing = true;
  view.render();
  try {
    await place();
  } finally {
    state.placing = false;
    view.render();
  }
}

async function place() {
  const parsed = normalizeNumber(ui.number.value);
  if (!parsed.ok) {
    ui.number.setAttribute('aria-invalid', 'true');
    ui.numberError.textContent = parsed.message;
    ui.number.focus();
    return;
  }
  // the rule set loaded after the key was given: no wait here, so the microphone prompt keeps the click's gesture
  const allowed = checkDestination(dialPolicy, parsed.e164);
  loadDialPolicy();
  if (!allowed.ok) {
    ui.number.setAttribute('aria-invalid', 'true');
    ui.numberError.textContent = allowed.message;
    ui.number.focus();
    return;
  }
  ui.number.removeAttribute('aria-invalid');
  ui.numberError.textContent = '';
  ui.number.value = parsed.e164;
  if (state.connection.state !== 'ready') {
    ui.numberError.textContent = 'Not connected to Telnyx yet: wait for "Ready".';
    ui.numberError.dataset.until = 'ready'; // cleared by the render that shows "Ready"
    return;
  }
  // Asked inside the click: the browser shows its prompt, and audio playback is unlocked by the same gesture.
  ui.remoteAudio.play().catch(() => {});
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: ui.mic.value ? { deviceId: { exact: ui.mic.value } } : true });
  } catch (error) {
    ui.numberError.textContent = microphoneProblem(error);
    return;
  }
  refreshDevices();
  if (state.connection.state !== 'ready') {
    stream.getTracks().forEach((track) => track.stop()); // lost while the microphone was asked for
    ui.numberError.textContent = 'Not connected to Telnyx yet: wait for "Ready".';
    ui.numberError.dataset.until = 'ready';
    return;
  }
  try {
    calls.start(parsed.e164, stream, ui.remoteAudio);
  } catch (error) {
    ui.numberError.textContent = `The call could not start: ${error.message}`;
  }
}

async function refreshDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) {
    return;
  }
  const devices = await navigator.mediaDevices.enumerateDevices();
  fillDevices(ui.mic, devices.filter((d) => d.kind === 'audioinput'), 'Default microphone', 'Microphone');
  const canPickOutput = 'setSinkId' in HTMLMediaElement.prototype;
  ui.speaker.hidden = ui.speakerLabel.hidden = !canPickOutput;
  if (canPickOutput) {
    fillDevices(ui.speaker, devices.filter((d) => d.kind === 'audiooutput'), 'Default speaker', 'Speaker');
  }
}

/** The number field takes what the page offers only between calls. */
function editNumber(edit) {
  if (!state.current) {
    ui.number.value = edit(ui.number.value);
  }
}

ui.keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!ui.keyInput.value.trim()) {
    return;
  }
  api.setKey(ui.keyInput.value);
  dialPolicy = null;
  loadDialPolicy();
  ui.keyInput.value = '';
  ui.keyForm.hidden = true;
  if (!state.client) {
    session.connect();
  }
  ui.number.focus();
});
ui.dialForm.addEventListener('submit', dial);
ui.hangup.addEventListener('click', calls.hangup);
ui.mute.addEventListener('click', calls.toggleMute);
ui.hold.addEventListener('click', () => {
  if (state.current) {
    ui.hold.disabled = true; // until the SDK has held or resumed the call
    calls.toggleHold();
  }
});
ui.reconnect.addEventListener('click', session.reconnect);
ui.backspace.addEventListener('click', () => editNumber((number) => number.slice(0, -1)));
ui.keypad.addEventListener('click', (event) => {
  const key = event.target.closest('button[data-key]')?.dataset.key;
  if (!key) {
    return;
  }
  if (calls.sendTone(key)) {
    showToneSent(ui, key);
  } else if (/^\d$/.test(key)) {
    editNumber((number) => number + key); // * and # are tones, never part of a number to dial
  }
});
ui.mic.addEventListener('change', () => calls.changeMic(ui.mic.value));
ui.speaker.addEventListener('change', () => {
  ui.remoteAudio.setSinkId?.(ui.speaker.value).catch((error) => {
    ui.numberError.textContent = `That speaker cannot be used: ${error.message}`;
  });
});
/** Keys (listed on the page): Enter dials (the number field's form), Escape hangs up, M mutes, H holds. */
document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) {
    return;
  }
  if (event.key === 'Escape' && state.current) {
    event.preventDefault();
    calls.hangup();
    return;
  }
  // a field the rep types in keeps its keys (the number field is read-only during a call: M and H work there)
  const typing = event.target instanceof HTMLElement && event.target.matches('input:not([readonly]), select, textarea');
  const key = event.key.toLowerCase();
  if (typing || !state.current || !['m', 'h'].includes(key)) {
    return;
  }
  event.preventDefault();
  (key === 'm' ? ui.mute : ui.hold).click(); // the buttons' own rules (disabled until the call talks)
});
// A call in progress asks before the page goes; if it goes anyway, the backend is told (keepalive) to hang it up.
window.addEventListener('beforeunload', (event) => {
  if (state.current) {
    event.preventDefault();
    event.returnValue = '';
  }
});
window.addEventListener('pagehide', calls.onPageClose);
window.addEventListener('online', session.online);
navigator.mediaDevices?.addEventListener?.('devicechange', refreshDevices);

const testNumbers = testNumberItems(config);
if (testNumbers.length) {
  showTestNumbers(ui, testNumbers, (number) => {
    if (!state.current) {
      ui.number.value = number;
      ui.number.focus();
    }
  });
}
refreshDevices();
if (state.history[0]) {
  state.lastEnded = { entry: state.history[0] }; // the last call's outcome, settled from the server just below
}
view.render();
session.connect();
loadDialPolicy();
settleLeftovers();

/** Rows a closed tab or an earlier give-up left unsettled: settled from the server once there is a key. */
function settleLeftovers() {
  if (!api.hasKey()) {
    ui.keyForm.addEventListener('submit', settleLeftovers, { once: true });
    return;
  }
  state.history.filter((entry) => !entry.settled).forEach((entry) => calls.settle(entry));
}
