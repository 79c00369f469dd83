// The SDK session: the login from the backend, the connection to Telnyx and what it says about itself, and the
// renewal of the login token on the live connection.
import { Unauthorized } from './api.js';
import { sdkOptions } from './testmode.js';
import { REFRESH_FLOOR_MS, refreshDelayMs } from './token.js';

const TOKEN_EXPIRING_SOON = 34001;
const SOCKET_ERROR = 45002;
const LOGIN_ERRORS = new Set([46001, 46002, 46003]);
const NETWORK_OFFLINE = 48001;
const RECONNECTION_EXHAUSTED = 45003;
/**
 * The page's own reconnects while the connection stays lost: the SDK retries first (after about 1, 2, 4 s ... and
 * gives up after a few tries); the page starts afresh after 10 s, then twice as long each time, at most 60 s.
 */
export const RETRY_FIRST_MS = 10_000;
export const RETRY_MAX_MS = 60_000;
const LOST = 'Connection lost — reconnecting…';
const OFFLINE = 'Device is offline — reconnecting when the network is back…';

/** The wait before the page's {@code attempt}th own reconnect (0-based): bounded exponential backoff. */
export function retryDelayMs(attempt) {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(attempt, 10));
}

/** The SDK's login from the credentials: Telnyx calls password login development-only, so a token wins. */
export function loginOf(credentials) {
  return credentials.login_token
    ? { login_token: credentials.login_token }
    : { login: credentials.sip_username, password: credentials.sip_password };
}

/** The connection once the socket (re)opens, or null when it stays as it is (already logged in). */
export function connectionOnSocketOpen(connectionState) {
  if (connectionState === 'reconnecting') {
    return { state: 'reconnecting', text: 'Reconnecting: logging in…' };
  }
  return connectionState === 'ready' ? null : { state: 'connecting', text: 'Connecting: logging in…' };
}

/**
 * What a `telnyx.error` means: a call's trouble ({@code call}), a socket error the SDK recovers from by itself
 * ({@code ignore}), the signalling gone ({@code lost}: offline, or the SDK
 * gave up reconnecting), a refused login ({@code login}), or another error of
 * the connection ({@code error}).
 */
export function readSdkError(event) {
  const error = event?.error || event || {};
  const text = error.message || error.name || 'unknown error';
  if (event?.callId) {
    return { kind: 'call', callId: event.callId, text };
  }
  if (error.code === SOCKET_ERROR) {
    return { kind: 'ignore' }; // the socket's close follows, and the SDK reconnects by itself
  }
  if (error.code === NETWORK_OFFLINE) {
    return { kind: 'lost', text: OFFLINE };
  }
  if (error.code === RECONNECTION_EXHAUSTED) {
    return { kind: 'lost', text: LOST };
  }
  if (LOGIN_ERRORS.has(error.code)) {
    return { kind: 'login', text: `Telnyx refused the login: ${text}` };
  }
  return { kind: 'error', text: `Error: ${text}${error.code ? ` (${error.code})` : ''}` };
}

/**
 * The session over {@code state}: {@code Client} is the SDK's TelnyxRTC; {@code calls} takes the SDK's call events
 * (call.js); {@code view} renders and asks for the API key.
 */
export function createSession(state, { api, config, Client, calls, view }) {
  let retries = 0;

  function setConnection(connectionState, text, { retry = false } = {}) {
    state.connection = { state: connectionState, text, retry };
    view.render();
  }

  /** The signalling is gone: the page says so at once, lets the call go, and reconnects by itself if the SDK does not. */
  function lost(text = globalThis.navigator?.onLine === false ? OFFLINE : LOST) {
    setConnection('reconnecting', text);
    calls.onSignallingLost();
    if (!state.retryTimer) {
      state.retryTimer = setTimeout(() => {
        state.retryTimer = null;
        if (state.connection.state !== 'ready') {
          retries += 1;
          reconnect({ resetRetries: false });
        }
      }, retryDelayMs(retries));
    }
  }

  function ready() {
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    retries = 0;
    setConnection('ready', 'Ready');
  }

  async function connect() {
    if (!config.apiBaseUrl) {
      setConnection('error', 'Not configured: config.js sets no apiBaseUrl');
      return;
    }
    if (!api.hasKey()) {
      setConnection('error', 'Enter the API key to connect');
      view.askForKey();
      return;
    }
    setConnection('connecting', 'Connecting: fetching the login…');
    let credentials;
    try {
      credentials = await api.credentials();
    } catch (error) {
      if (error instanceof Unauthorized) {
        setConnection('error', 'The API key was refused');
        view.askForKey('The API key was refused (401). Enter it again.');
      } else {
        setConnection('error', `Could not fetch the login: ${error.message}`, { retry: true });
      }
      return;
    }
    state.callerNumber = credentials.caller_number || ''; // shown by the render of the connection just below
    state.repTag = credentials.rep_tag || null; // names the rep on every call (docs/call-policy.md "Who is calling")
    let rtc;
    try {
      // the SDK would hang up every call on `beforeunload`, before the rep answers the page's "Leave?" question:
      // the page hangs up itself when it really goes (pagehide, call.js onPageClose)
      rtc = new Client({ ...sdkOptions(loginOf(credentials), config), hangupOnBeforeUnload: false });
    } catch (error) {
      setConnection('error', `The Telnyx client could not start: ${error.message}`, { retry: true });
      return;
    }
    state.client = rtc;
    // After a manual reconnect the old client may still report its own closing: only the current one counts.
    const on = (event, handler) => rtc.on(event, (...args) => state.client === rtc && handler(...args));
    on('telnyx.ready', ready);
    on('telnyx.socket.open', () => {
      const next = connectionOnSocketOpen(state.connection.state);
      if (next) {
        setConnection(next.state, next.text);
      }
    });
    on('telnyx.socket.close', () => lost());
    on('telnyx.error', onSdkError);
    on('telnyx.warning', onSdkWarning);
    on('telnyx.notification', calls.onNotification);
    on('telnyx.socket.message', calls.onSocketMessage);
    setConnection('connecting', 'Connecting to Telnyx…');
    rtc.connect();
    scheduleTokenRefresh(credentials.login_token ? refreshDelayMs(credentials.login_token, Date.now()) : null);
  }

  /** A fresh client and login; {@code resetRetries}: a person (or the network coming back) asked, not the backoff. */
  async function reconnect({ resetRetries = true } = {}) {
    if (resetRetries) {
      clearTimeout(state.retryTimer);
      state.retryTimer = null;
      retries = 0;
    }
    const old = state.client;
    state.client = null;
    scheduleTokenRefresh(null);
    if (old) {
      await old.disconnect().catch(() => {});
    }
    api.forgetCredentials();
    connect();
  }

  function onSdkError(event) {
    const error = readSdkError(event);
    if (error.kind === 'call') {
      calls.onCallError(error.callId, error.text);
    } else if (error.kind === 'lost') {
      lost(error.text);
    } else if (error.kind === 'login') {
      api.forgetCredentials();
      setConnection('error', error.text, { retry: true });
    } else if (error.kind === 'error') {
      setConnection('error', error.text, { retry: true });
    }
  }

  function onSdkWarning(event) {
    if (event?.warning?.code === TOKEN_EXPIRING_SOON) {
      refreshToken(); // the backstop: the timer below normally renews long before this
    }
  }

  /** Renews the login token after {@code delay} ms; null cancels (a token without `exp` is left to the SDK's warning). */
  function scheduleTokenRefresh(delay) {
    clearTimeout(state.tokenTimer);
    state.tokenTimer = delay === null ? null : setTimeout(refreshToken, delay);
  }

  /** A fresh login token from the backend, handed to the live connection: a call in progress goes on. */
  async function refreshToken() {
    if (state.refreshingToken || !state.client) {
      return;
    }
    state.refreshingToken = true;
    try {
      const credentials = await api.credentials({ fresh: true });
      if (credentials.login_token) {
        await state.client.login({ creds: { login_token: credentials.login_token } });
        scheduleTokenRefresh(refreshDelayMs(credentials.login_token, Date.now()));
      }
    } catch (error) {
      if (error instanceof Unauthorized) {
        view.askForKey('The API key was refused (401) while refreshing the login. Enter it again.');
      } else {
        scheduleTokenRefresh(REFRESH_FLOOR_MS * 6); // a passing failure: try again in half a minute
      }
      console.warn('dialer: login token refresh failed', error);
    } finally {
      state.refreshingToken = false;
    }
  }

  /** The browser says the network is back: reconnect now unless already connected. */
  function online() {
    if (state.connection.state !== 'ready' && api.hasKey() && state.client) {
      reconnect();
    }
  }

  return { connect, reconnect, online };
}
