// The page's one state object, and the recent calls it keeps in localStorage. The SDK session (session.js)
// and the call (call.js) change it; the view (view.js) renders the page from it.
// localStorage, not sessionStorage: a tab closed or crashed during a call is when the rep most needs that call's
// outcome, and sessionStorage dies with the tab. The API key stays in sessionStorage (api.js).

const HISTORY = 'dialer.history';
/** How many recent calls the page keeps. */
export const KEEP = 50;

/**
 * @typedef {object} Tracked the call in progress: the SDK call and what the page tracks about it
 * @property {object} call the SDK's call
 * @property {object} entry its row in the history
 * @property {MediaStream} stream the microphone
 * @property {number|null} answeredAt
 * @property {boolean} hungUpByUs
 * @property {boolean} recordingRequested
 * @property {string|null} error the SDK's last error for this call
 * @property {{view: Function, stop: Function}} [quality] the quality watcher, from the answer on
 * @property {boolean} [finished]
 */

/** The state at page load, around the {@code history} read from storage. */
export function createState(history) {
  return {
    /** The connection to Telnyx as the pill shows it; {@code retry}: the Reconnect button may cure the error. */
    connection: { state: 'connecting', text: 'Connecting…', retry: false },
    /** The caller ID from the credentials: null until they arrive, '' when none is configured. */
    callerNumber: null,
    repTag: null,
    /** The SDK client (TelnyxRTC) of the current connection. */
    client: null,
    /** The timer that renews the login token at half of its life. */
    tokenTimer: null,
    refreshingToken: false,
    /** The page's own reconnect while the connection stays lost (session.js). */
    retryTimer: null,
    /** @type {Tracked|null} */
    current: null,
    /** The talk-time timer of the answered call. */
    timerId: null,
    /** The last call that ended, shown until the next one starts: {entry, cause, tracked}. */
    lastEnded: null,
    /** A Dial in progress (the microphone asked, the SDK not yet): set before any wait, so one Dial is one call. */
    placing: false,
    /** The SDK call ids this page placed: any other call the SDK reports is hung up. */
    ownCallIds: new Set(),
    /** Something the rep must see that is not a call's state (a stranger call hung up), or ''. */
    notice: '',
    /** Recent calls, newest first. */
    history,
  };
}

/**
 * The recent calls from {@code storage}. One still without an outcome was in progress when the page closed: it is
 * not called failed, it waits for the server's truth like every row not yet settled (main.js asks on load).
 */
export function loadHistory(storage) {
  let history;
  try {
    history = JSON.parse(storage.getItem(HISTORY) || '[]');
  } catch {
    history = [];
  }
  if (!Array.isArray(history)) {
    return [];
  }
  for (const entry of history.filter((e) => !e.outcome)) {
    entry.outcome = { kind: 'unknown', text: 'Checking…' };
    entry.talkSeconds ??= 0;
    entry.recording ??= { state: 'none', text: '—' };
  }
  return history.slice(0, KEEP);
}

export function saveHistory(storage, history) {
  try {
    storage.setItem(HISTORY, JSON.stringify(history.slice(0, KEEP)));
  } catch {
    // storage full or refused: the rows still show in this page
  }
}
