// The page's one state object, and the session's calls it keeps in sessionStorage. The SDK session (session.js)
// and the call (call.js) change it; the view (view.js) renders the page from it.

const HISTORY = 'dialer.history';

/**
 * @typedef {object} Tracked the call in progress: the SDK call and what the page tracks about it
 * @property {object} call the SDK's call
 * @property {object} entry its row in the history
 * @property {MediaStream} stream the microphone
 * @property {number|null} answeredAt
 * @property {boolean} hungUpByUs
 * @property {boolean} recordingRequested
 * @property {string|null} error the SDK's last error for this call
 * @property {{kind: string, text: string}|null} destination the outcome our backend named in its BYE
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
    /** @type {Tracked|null} */
    current: null,
    /** The talk-time timer of the answered call. */
    timerId: null,
    /** The last call that ended, shown until the next one starts: {entry, cause, tracked}. */
    lastEnded: null,
    /** This session's calls, newest first. */
    history,
  };
}

/** The session's calls from {@code storage}; one still without an outcome ended when the page closed. */
export function loadHistory(storage) {
  const history = JSON.parse(storage.getItem(HISTORY) || '[]');
  for (const entry of history.filter((e) => !e.outcome)) {
    entry.outcome = { kind: 'failed', text: 'Page closed during the call' }; // the SDK hangs up on unload
  }
  return history;
}

export function saveHistory(storage, history) {
  storage.setItem(HISTORY, JSON.stringify(history));
}
