// The view: the page rendered from the state object (state.js) by one render(), the pure helpers that turn the
// state into words, and the few DOM pieces that are not state (the key prompt, the device lists, the test numbers).
import { qualityCell, renderQuality } from './quality.js';

const CALL_STATE_TEXT = {
  new: 'Starting the call…', requesting: 'Calling…', trying: 'Calling…', recovering: 'Reconnecting the call…',
  ringing: 'Ringing…', early: 'Ringing…', active: 'Connected', held: 'On hold',
};

/** The page's elements by id. */
export function elements() {
  const $ = (id) => document.getElementById(id);
  return {
    connection: $('connection'), reconnect: $('reconnect'),
    keyForm: $('key-form'), keyInput: $('api-key'), keyMessage: $('key-message'),
    callerNumber: $('caller-number'),
    dialForm: $('dial-form'), number: $('number'), numberError: $('number-error'), backspace: $('backspace'),
    dial: $('dial'), hangup: $('hangup'), keypad: $('keypad'),
    callState: $('call-state'), callDetail: $('call-detail'), callNumber: $('call-number'), timer: $('timer'), recording: $('recording'),
    mute: $('mute'), hold: $('hold'), mic: $('mic'), speaker: $('speaker'), speakerLabel: $('speaker-label'),
    calls: $('calls'), noCalls: $('no-calls'), remoteAudio: $('remote-audio'), callFlags: $('call-flags'),
    notice: $('notice'), tones: [...document.querySelectorAll('#keypad [data-key="*"], #keypad [data-key="#"]')],
    quality: $('quality'), qualityWarning: $('quality-warning'),
    testMode: $('test-mode'), testNumbers: $('test-numbers'), testNumberList: $('test-number-list'),
  };
}

/** A talk time as the page shows it: mm:ss, and h:mm:ss from an hour on. */
export function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const mmss = `${String(m % 60).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return m >= 60 ? `${Math.floor(m / 60)}:${mmss}` : mmss;
}

/** The talk time to show: the call in progress from its answer, else the last call's. */
export function talkSeconds(state, nowMs) {
  return state.current?.answeredAt ? Math.floor((nowMs - state.current.answeredAt) / 1000)
    : (state.lastEnded?.entry.talkSeconds ?? 0);
}

/** Where the page says who it calls from: nothing known yet, or the caller ID (or that there is none). */
export function callerNumberText(callerNumber) {
  return callerNumber === null ? '…' : (callerNumber || 'no caller ID configured');
}

/** The call card and the call buttons, from the state: the call in progress, else the last that ended. */
export function callView({ current, lastEnded, placing = false }) {
  // before its first state change the SDK's call says "New", capitalised
  let state = current ? String(current.call.state).toLowerCase() : (lastEnded ? 'hangup' : 'idle');
  if (current?.ringing && ['new', 'requesting', 'trying'].includes(state)) {
    state = 'ringing'; // Telnyx said 180 Ringing; the SDK keeps an outbound call "trying" until it is answered
  }
  let text = 'No call';
  if (current) {
    text = current.error ? `${CALL_STATE_TEXT[state] || state} (${current.error})` : (CALL_STATE_TEXT[state] || state);
  } else if (lastEnded) {
    text = `Call ended: ${lastEnded.entry.outcome?.text ?? 'Checking…'}`;
  } else if (placing) {
    text = 'Starting the call…';
  }
  const entry = current?.entry || lastEnded?.entry;
  const inCall = Boolean(current);
  const ended = !current && lastEnded ? lastEnded.entry : null;
  const muted = Boolean(current?.call.isAudioMuted);
  return {
    state,
    text,
    detail: ended ? [ended.checking ? 'Checking the call log…' : '', ended.detail ? `Details: ${ended.detail}` : '']
      .filter(Boolean).join(' ') : '',
    flags: [muted ? 'Muted: they cannot hear you' : '', state === 'held' ? 'On hold: they hear nothing' : '']
      .filter(Boolean).join(' · '),
    number: entry ? entry.number : '—',
    recording: entry ? entry.recording : { state: 'none', text: '—' },
    inCall,
    talking: inCall && (state === 'active' || state === 'held'),
    muted,
    held: state === 'held',
    placing,
  };
}

/** A row of the session list, cell by cell (the quality cell aside): its text and data attributes. */
export function historyCells(entry) {
  const started = new Date(entry.startedAt);
  return [
    { text: entry.number },
    { text: started.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) },
    { text: entry.outcome ? clock(entry.talkSeconds) : '…' },
    { text: entry.outcome ? entry.outcome.text : 'In progress', title: entry.detail || '',
      data: entry.outcome ? { outcome: entry.outcome.kind, settled: String(Boolean(entry.settled)) } : {} },
    { text: entry.recording.text, data: { recording: entry.recording.state } },
  ];
}

/** The page from {@code state}. */
export function render(ui, state) {
  const { connection } = state;
  ui.connection.dataset.state = connection.state;
  // a live region: rewriting the same words would have them read out again at every render
  if (ui.connection.textContent !== connection.text) {
    ui.connection.textContent = connection.text;
  }
  ui.reconnect.hidden = !(connection.state === 'error' && connection.retry);
  ui.callerNumber.textContent = callerNumberText(state.callerNumber);

  const call = callView(state);
  ui.callState.dataset.state = call.state;
  ui.callDetail.textContent = call.detail;
  ui.callFlags.textContent = call.flags;
  ui.callFlags.hidden = !call.flags;
  ui.notice.textContent = state.notice;
  ui.notice.hidden = !state.notice;
  if (connection.state === 'ready' && ui.numberError.dataset.until === 'ready') {
    ui.numberError.textContent = ''; // the stale 'wait for "Ready"' goes when Ready comes
    delete ui.numberError.dataset.until;
  }
  ui.callState.textContent = call.text;
  ui.callNumber.textContent = call.number;
  ui.recording.textContent = call.recording.text;
  ui.recording.dataset.state = call.recording.state;
  renderTimer(ui, state);
  renderQuality(ui.quality, ui.qualityWarning, state.current?.quality);

  ui.dial.disabled = call.inCall || call.placing;
  ui.tones.forEach((button) => { button.disabled = state.current?.call.state !== 'active'; });
  ui.number.readOnly = call.inCall;
  ui.hangup.disabled = !call.inCall;
  ui.mute.disabled = !call.talking;
  ui.hold.disabled = !call.talking;
  ui.mute.setAttribute('aria-pressed', String(call.muted));
  ui.mute.textContent = call.muted ? 'Unmute' : 'Mute';
  ui.hold.setAttribute('aria-pressed', String(call.held));
  ui.hold.textContent = call.held ? 'Resume' : 'Hold';
  document.body.dataset.call = call.inCall ? 'on' : 'off';

  ui.calls.replaceChildren(...state.history.map(historyRow));
  ui.noCalls.hidden = state.history.length > 0;
}

/** The talk time alone, every second of a call. */
export function renderTimer(ui, state) {
  const seconds = talkSeconds(state, Date.now());
  ui.timer.textContent = clock(seconds);
  ui.timer.dateTime = `PT${seconds}S`;
}

function historyRow(entry) {
  const row = document.createElement('tr');
  for (const { text, data, title } of historyCells(entry)) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (title) {
      cell.title = title;
    }
    Object.assign(cell.dataset, data);
    row.append(cell);
  }
  row.append(qualityCell(entry.quality, document));
  return row;
}

/** Shows the API key form, with why it is asked for, and gives it the focus. */
export function askForKey(ui, message) {
  ui.keyMessage.textContent = message || '';
  ui.keyForm.hidden = false;
  ui.keyInput.value = '';
  ui.keyInput.focus();
}

/** A passing confirmation in the call's state, until the next render. */
export function showToneSent(ui, key) {
  ui.callState.textContent = `Connected: sent tone ${key}`;
}

/** A device list's options as {label, value}: the default first, then each device with an id of its own. */
export function deviceOptions(devices, defaultLabel, kind) {
  const options = [{ label: defaultLabel, value: '' }];
  devices.filter((d) => d.deviceId && d.deviceId !== 'default').forEach((d, i) => {
    options.push({ label: d.label || `${kind} ${i + 1}`, value: d.deviceId });
  });
  return options;
}

/** Fills {@code select} with the devices, keeping the one chosen while it is still there. */
export function fillDevices(select, devices, defaultLabel, kind) {
  const chosen = select.value;
  const options = deviceOptions(devices, defaultLabel, kind).map(({ label, value }) => new Option(label, value));
  select.replaceChildren(...options);
  select.value = options.some((o) => o.value === chosen) ? chosen : '';
}

/** The test mode pill and the test numbers to pick, each calling {@code pick(number)}. */
export function showTestNumbers(ui, items, pick) {
  ui.testMode.hidden = false;
  ui.testNumbers.hidden = false;
  ui.testNumberList.replaceChildren(...items.map(({ number, outcome }) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'quiet';
    button.textContent = number;
    button.setAttribute('aria-label', `Use test number ${number}: ${outcome}`);
    button.addEventListener('click', () => pick(number));
    item.append(button, ` ${outcome}`);
    return item;
  }));
}
