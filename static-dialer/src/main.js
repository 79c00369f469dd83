import { TelnyxRTC } from '@telnyx/webrtc';
import { createApi, Unauthorized } from './api.js';
import { normalizeNumber } from './phone.js';
import { describeOutcome, destinationOutcome } from './outcome.js';
import { sdkOptions, testNumberItems } from './testmode.js';
import { qualityCell, renderQuality, watchQuality } from './quality.js';
import { REFRESH_FLOOR_MS, refreshDelayMs } from './token.js';

const $ = (id) => document.getElementById(id);
const ui = {
  connection: $('connection'), reconnect: $('reconnect'),
  keyForm: $('key-form'), keyInput: $('api-key'), keyMessage: $('key-message'),
  callerNumber: $('caller-number'),
  dialForm: $('dial-form'), number: $('number'), numberError: $('number-error'), backspace: $('backspace'),
  dial: $('dial'), hangup: $('hangup'), keypad: $('keypad'),
  callState: $('call-state'), callDetail: $('call-detail'), callNumber: $('call-number'), timer: $('timer'), recording: $('recording'),
  mute: $('mute'), hold: $('hold'), mic: $('mic'), speaker: $('speaker'), speakerLabel: $('speaker-label'),
  calls: $('calls'), noCalls: $('no-calls'), remoteAudio: $('remote-audio'),
  quality: $('quality'), qualityWarning: $('quality-warning'),
};

const TOKEN_EXPIRING_SOON = 34001;
const SOCKET_ERROR = 45002;
const LOGIN_ERRORS = new Set([46001, 46002, 46003]);
const CALL_STATE_TEXT = {
  new: 'Starting the call…', requesting: 'Calling…', trying: 'Calling…', recovering: 'Reconnecting the call…',
  ringing: 'Ringing…', early: 'Ringing…', active: 'Connected', held: 'On hold',
};
const HISTORY = 'dialer.history';

const config = window.DIALER_CONFIG || {};
const api = createApi(config.apiBaseUrl || '');
const history = JSON.parse(sessionStorage.getItem(HISTORY) || '[]');
for (const entry of history.filter((e) => !e.outcome)) {
  entry.outcome = { kind: 'failed', text: 'Page closed during the call' }; // the SDK hangs up on unload
}

let client = null;
let connectionState = 'connecting';
let callerNumber = '';
/** The call in progress: the SDK call and what the page tracks about it. */
let current = null;
let timerId = null;
let refreshingToken = false;
/** The timer that renews the login token at half of its life. */
let tokenTimer = null;
/** The last call that ended, shown until the next one starts. */
let lastEnded = null;

/** {@code retry}: an error that the Reconnect button may cure (not a missing or refused API key). */
function setConnection(state, text, { retry = false } = {}) {
  connectionState = state;
  ui.connection.dataset.state = state;
  ui.connection.textContent = text;
  ui.reconnect.hidden = !(state === 'error' && retry);
  render();
}

function askForKey(message) {
  ui.keyMessage.textContent = message || '';
  ui.keyForm.hidden = false;
  ui.keyInput.value = '';
  ui.keyInput.focus();
}

async function connect() {
  if (!config.apiBaseUrl) {
    setConnection('error', 'Not configured: config.js sets no apiBaseUrl');
    return;
  }
  if (!api.hasKey()) {
    setConnection('error', 'Enter the API key to connect');
    askForKey();
    return;
  }
  setConnection('connecting', 'Connecting: fetching the login…');
  let credentials;
  try {
    credentials = await api.credentials();
  } catch (error) {
    if (error instanceof Unauthorized) {
      setConnection('error', 'The API key was refused');
      askForKey('The API key was refused (401). Enter it again.');
    } else {
      setConnection('error', `Could not fetch the login: ${error.message}`, { retry: true });
    }
    return;
  }
  callerNumber = credentials.caller_number || '';
  ui.callerNumber.textContent = callerNumber || 'no caller ID configured';
  // Telnyx calls password login development-only: the token wins where the backend hands one out.
  const login = credentials.login_token
    ? { login_token: credentials.login_token }
    : { login: credentials.sip_username, password: credentials.sip_password };
  let rtc;
  try {
    rtc = new TelnyxRTC(sdkOptions(login, config));
  } catch (error) {
    setConnection('error', `The Telnyx client could not start: ${error.message}`, { retry: true });
    return;
  }
  client = rtc;
  // After a manual reconnect the old client may still report its own closing: only the current one counts.
  const on = (event, handler) => rtc.on(event, (...args) => client === rtc && handler(...args));
  on('telnyx.ready', () => setConnection('ready', 'Ready'));
  on('telnyx.socket.open', () => {
    if (connectionState === 'reconnecting') {
      setConnection('reconnecting', 'Reconnecting: logging in…');
    } else if (connectionState !== 'ready') {
      setConnection('connecting', 'Connecting: logging in…');
    }
  });
  on('telnyx.socket.close', () => setConnection('reconnecting', 'Connection lost: reconnecting…'));
  on('telnyx.error', onSdkError);
  on('telnyx.warning', onSdkWarning);
  on('telnyx.notification', onNotification);
  on('telnyx.socket.message', onSocketMessage);
  setConnection('connecting', 'Connecting to Telnyx…');
  rtc.connect();
  scheduleTokenRefresh(credentials.login_token ? refreshDelayMs(credentials.login_token, Date.now()) : null);
}

async function reconnect() {
  const old = client;
  client = null;
  scheduleTokenRefresh(null);
  if (old) {
    await old.disconnect().catch(() => {});
  }
  api.forgetCredentials();
  connect();
}

function onSdkError(event) {
  const error = event?.error || event || {};
  const text = error.message || error.name || 'unknown error';
  if (event?.callId) {
    // a call's trouble, not the connection's
    if (current && event.callId === current.call.id) {
      current.error = text;
      render();
    }
    return;
  }
  if (error.code === SOCKET_ERROR) {
    return; // the socket's close follows, and the SDK reconnects by itself
  }
  if (LOGIN_ERRORS.has(error.code)) {
    api.forgetCredentials();
    setConnection('error', `Telnyx refused the login: ${text}`, { retry: true });
    return;
  }
  setConnection('error', `Error: ${text}${error.code ? ` (${error.code})` : ''}`, { retry: true });
}

function onSdkWarning(event) {
  if (event?.warning?.code === TOKEN_EXPIRING_SOON) {
    refreshToken(); // the backstop: the timer below normally renews long before this
  }
}

/** Renews the login token after {@code delay} ms; null cancels (a token without `exp` is left to the SDK's warning). */
function scheduleTokenRefresh(delay) {
  clearTimeout(tokenTimer);
  tokenTimer = delay === null ? null : setTimeout(refreshToken, delay);
}

/** A fresh login token from the backend, handed to the live connection: a call in progress goes on. */
async function refreshToken() {
  if (refreshingToken || !client) {
    return;
  }
  refreshingToken = true;
  try {
    const credentials = await api.credentials({ fresh: true });
    if (credentials.login_token) {
      await client.login({ creds: { login_token: credentials.login_token } });
      scheduleTokenRefresh(refreshDelayMs(credentials.login_token, Date.now()));
    }
  } catch (error) {
    if (error instanceof Unauthorized) {
      askForKey('The API key was refused (401) while refreshing the login. Enter it again.');
    } else {
      scheduleTokenRefresh(REFRESH_FLOOR_MS * 6); // a passing failure: try again in half a minute
    }
    console.warn('dialer: login token refresh failed', error);
  } finally {
    refreshingToken = false;
  }
}

function onNotification(notification) {
  if (notification?.type === 'callUpdate') {
    onCallUpdate(notification.call);
  } else if (notification?.type === 'userMediaError' && current) {
    current.error = 'The microphone could not be opened';
    render();
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
  const callId = message.params?.callID || message.params?.dialogParams?.callID;
  if (!destination || !callId) {
    return;
  }
  if (current && current.call.id === callId) {
    current.destination = destination;
  } else if (lastEnded?.tracked.call.id === callId && !lastEnded.tracked.answeredAt && !lastEnded.tracked.hungUpByUs) {
    lastEnded.tracked.destination = destination; // the SDK ended the call first: correct what was shown
    lastEnded.entry.outcome = destination;
    saveHistory();
    render();
  }
}

function onCallUpdate(call) {
  if (call.direction === 'inbound') {
    if (call.state === 'ringing') {
      call.hangup(); // this page only places calls
    }
    return;
  }
  if (!current || call.id !== current.call.id) {
    return;
  }
  if ((call.state === 'active' || call.state === 'held') && !current.answeredAt) {
    current.answeredAt = Date.now();
    timerId = setInterval(renderTimer, 1000);
    current.quality = watchQuality(call, { onChange: render });
  }
  if (call.state === 'hangup' || call.state === 'destroy') {
    finish(current);
    return;
  }
  requestRecording(current);
  render();
}

/** Once per call, as soon as the SDK knows Telnyx's call control id (never the SDK's own call.id). */
async function requestRecording(tracked) {
  const callControlId = tracked.call.telnyxIDs?.telnyxCallControlId;
  if (!callControlId || tracked.recordingRequested) {
    return;
  }
  tracked.recordingRequested = true;
  tracked.entry.recording = { state: 'requesting', text: 'Starting…' };
  render();
  try {
    tracked.entry.recording = await api.startRecording(callControlId, tracked.entry.number, callerNumber);
  } catch (error) {
    tracked.entry.recording = { state: 'failed', text: 'Failed: the API key was refused' };
    askForKey('The API key was refused (401) when starting the recording. Enter it again.');
  }
  saveHistory();
  render();
}

function finish(tracked) {
  if (tracked.finished) {
    return;
  }
  tracked.finished = true;
  clearInterval(timerId);
  timerId = null;
  const { call, entry } = tracked;
  entry.talkSeconds = tracked.answeredAt ? Math.round((Date.now() - tracked.answeredAt) / 1000) : 0;
  const outcome = tracked.error && !tracked.answeredAt && !tracked.hungUpByUs
    ? { kind: 'failed', text: `Call failed: ${tracked.error}` }
    : describeOutcome(call, { answered: Boolean(tracked.answeredAt), hungUpByUs: tracked.hungUpByUs,
      destination: tracked.destination });
  entry.outcome = outcome;
  entry.quality = tracked.quality?.stop() ?? null;
  if (entry.recording.state === 'none') {
    entry.recording = { state: 'none', text: tracked.answeredAt ? 'Not asked: Telnyx sent no call id' : '—' };
  }
  tracked.stream.getTracks().forEach((track) => track.stop());
  current = null;
  const cause = [call.cause && `${call.cause}${call.causeCode ? ` (${call.causeCode})` : ''}`,
    call.sipCode && `SIP ${call.sipCode}${call.sipReason ? ` ${call.sipReason}` : ''}`].filter(Boolean).join(', ');
  lastEnded = { entry, cause, tracked };
  saveHistory();
  render();
  ui.number.focus();
}

function saveHistory() {
  sessionStorage.setItem(HISTORY, JSON.stringify(history));
}

async function dial(event) {
  event.preventDefault();
  if (current) {
    return;
  }
  const parsed = normalizeNumber(ui.number.value);
  if (!parsed.ok) {
    ui.number.setAttribute('aria-invalid', 'true');
    ui.numberError.textContent = parsed.message;
    ui.number.focus();
    return;
  }
  ui.number.removeAttribute('aria-invalid');
  ui.numberError.textContent = '';
  ui.number.value = parsed.e164;
  if (connectionState !== 'ready') {
    ui.numberError.textContent = 'Not connected to Telnyx yet: wait for "Ready".';
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
  const entry = { number: parsed.e164, startedAt: new Date().toISOString(), talkSeconds: 0,
    outcome: null, recording: { state: 'none', text: '—' } };
  history.unshift(entry);
  saveHistory();
  lastEnded = null;
  try {
    const call = client.newCall({
      destinationNumber: parsed.e164,
      callerNumber,
      localStream: stream,
      remoteElement: ui.remoteAudio,
      audio: true,
      video: false,
    });
    current = { call, entry, stream, answeredAt: null, hungUpByUs: false, recordingRequested: false, error: null,
      destination: null };
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    history.shift();
    ui.numberError.textContent = `The call could not start: ${error.message}`;
  }
  render();
}

function microphoneProblem(error) {
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

function hangup() {
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

function keypadPress(key) {
  if (current && current.call.state === 'active') {
    current.call.dtmf(key);
    ui.callState.textContent = `Connected: sent tone ${key}`;
    return;
  }
  if (!current) {
    ui.number.value += key;
  }
}

function toggleMute() {
  if (!current) {
    return;
  }
  if (current.call.isAudioMuted) {
    current.call.unmuteAudio();
  } else {
    current.call.muteAudio();
  }
  render();
}

async function toggleHold() {
  if (!current) {
    return;
  }
  ui.hold.disabled = true;
  try {
    await (current.call.state === 'held' ? current.call.unhold() : current.call.hold());
  } finally {
    render();
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

function fillDevices(select, devices, defaultLabel, kind) {
  const chosen = select.value;
  const options = [new Option(defaultLabel, '')];
  devices.filter((d) => d.deviceId && d.deviceId !== 'default').forEach((d, i) => {
    options.push(new Option(d.label || `${kind} ${i + 1}`, d.deviceId));
  });
  select.replaceChildren(...options);
  select.value = options.some((o) => o.value === chosen) ? chosen : '';
}

function changeMic() {
  if (current && ui.mic.value) {
    current.call.setAudioInDevice(ui.mic.value);
  }
}

function changeSpeaker() {
  ui.remoteAudio.setSinkId?.(ui.speaker.value).catch((error) => {
    ui.numberError.textContent = `That speaker cannot be used: ${error.message}`;
  });
}

function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const mmss = `${String(m % 60).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return m >= 60 ? `${Math.floor(m / 60)}:${mmss}` : mmss;
}

function renderTimer() {
  const seconds = current?.answeredAt ? Math.floor((Date.now() - current.answeredAt) / 1000) : (lastEnded?.entry.talkSeconds ?? 0);
  ui.timer.textContent = clock(seconds);
  ui.timer.dateTime = `PT${seconds}S`;
}

function render() {
  const inCall = Boolean(current);
  // before its first state change the SDK's call says "New", capitalised
  const state = current ? String(current.call.state).toLowerCase() : (lastEnded ? 'hangup' : 'idle');
  ui.callState.dataset.state = state;
  ui.callDetail.textContent = !current && lastEnded?.cause ? `Cause: ${lastEnded.cause}` : '';
  if (current) {
    ui.callState.textContent = current.error ? `${CALL_STATE_TEXT[state] || state} (${current.error})`
      : (CALL_STATE_TEXT[state] || state);
  } else if (lastEnded) {
    ui.callState.textContent = `Call ended: ${lastEnded.entry.outcome.text}`;
  } else {
    ui.callState.textContent = 'No call';
  }
  const entry = current?.entry || lastEnded?.entry;
  ui.callNumber.textContent = entry ? entry.number : '—';
  ui.recording.textContent = entry ? entry.recording.text : '—';
  ui.recording.dataset.state = entry ? entry.recording.state : 'none';
  renderTimer();
  renderQuality(ui.quality, ui.qualityWarning, current?.quality);

  const talking = inCall && (state === 'active' || state === 'held');
  ui.dial.disabled = inCall;
  ui.number.readOnly = inCall;
  ui.hangup.disabled = !inCall;
  ui.mute.disabled = !talking;
  ui.hold.disabled = !talking;
  const muted = Boolean(current?.call.isAudioMuted);
  ui.mute.setAttribute('aria-pressed', String(muted));
  ui.mute.textContent = muted ? 'Unmute' : 'Mute';
  const held = state === 'held';
  ui.hold.setAttribute('aria-pressed', String(held));
  ui.hold.textContent = held ? 'Resume' : 'Hold';
  document.body.dataset.call = inCall ? 'on' : 'off';

  ui.calls.replaceChildren(...history.map(historyRow));
  ui.noCalls.hidden = history.length > 0;
}

function historyRow(entry) {
  const row = document.createElement('tr');
  const started = new Date(entry.startedAt);
  const cells = [
    entry.number,
    started.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    entry.outcome ? clock(entry.talkSeconds) : '…',
    entry.outcome ? entry.outcome.text : 'In progress',
    entry.recording.text,
  ];
  cells.forEach((text, i) => {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (i === 3 && entry.outcome) {
      cell.dataset.outcome = entry.outcome.kind;
    }
    if (i === 4) {
      cell.dataset.recording = entry.recording.state;
    }
    row.append(cell);
  });
  row.append(qualityCell(entry.quality, document));
  return row;
}

ui.keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!ui.keyInput.value.trim()) {
    return;
  }
  api.setKey(ui.keyInput.value);
  ui.keyInput.value = '';
  ui.keyForm.hidden = true;
  if (!client) {
    connect();
  }
  ui.number.focus();
});
ui.dialForm.addEventListener('submit', dial);
ui.hangup.addEventListener('click', hangup);
ui.mute.addEventListener('click', toggleMute);
ui.hold.addEventListener('click', toggleHold);
ui.reconnect.addEventListener('click', reconnect);
ui.backspace.addEventListener('click', () => {
  if (!current) {
    ui.number.value = ui.number.value.slice(0, -1);
  }
});
ui.keypad.addEventListener('click', (event) => {
  const key = event.target.closest('button[data-key]')?.dataset.key;
  if (key) {
    keypadPress(key);
  }
});
ui.mic.addEventListener('change', changeMic);
ui.speaker.addEventListener('change', changeSpeaker);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && current) {
    event.preventDefault();
    hangup();
  }
});
navigator.mediaDevices?.addEventListener?.('devicechange', refreshDevices);

function showTestMode() {
  const items = testNumberItems(config);
  if (!items.length) {
    return;
  }
  $('test-mode').hidden = false;
  $('test-numbers').hidden = false;
  $('test-number-list').replaceChildren(...items.map(({ number, outcome }) => {
    const item = document.createElement('li');
    const pick = document.createElement('button');
    pick.type = 'button';
    pick.className = 'quiet';
    pick.textContent = number;
    pick.setAttribute('aria-label', `Use test number ${number}: ${outcome}`);
    pick.addEventListener('click', () => {
      if (!current) {
        ui.number.value = number;
        ui.number.focus();
      }
    });
    item.append(pick, ` ${outcome}`);
    return item;
  }));
}

showTestMode();
refreshDevices();
render();
connect();
