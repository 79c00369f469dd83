// The backend routes the page calls, with the operator's internal API key. The key and the credentials
// answer live in sessionStorage: they last for this tab's session and never reach a URL or the bundle.

const KEY = 'dialer.apiKey';
const CREDENTIALS = 'dialer.credentials';
const POLICY = 'dialer.dialPolicy';

/** The backend said 401: the key is wrong or was rotated. */
export class Unauthorized extends Error {
  name = 'Unauthorized';
}

export function createApi(baseUrl, storage = window.sessionStorage) {
  const base = String(baseUrl).replace(/\/+$/, '');

  async function call(method, path, body) {
    const key = storage.getItem(KEY);
    if (!key) {
      throw new Unauthorized('No API key yet.');
    }
    const headers = { 'X-API-Key': key };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 401) {
      storage.removeItem(KEY);
      storage.removeItem(CREDENTIALS);
      storage.removeItem(POLICY);
      throw new Unauthorized(answer.message || 'The API key was refused.');
    }
    return { status: response.status, answer };
  }

  return {
    hasKey: () => Boolean(storage.getItem(KEY)),
    setKey: (key) => storage.setItem(KEY, key.trim()),

    /** The SIP login and caller ID; cached for the session unless {@code fresh}. */
    async credentials({ fresh = false } = {}) {
      const cached = fresh ? null : storage.getItem(CREDENTIALS);
      if (cached) {
        return JSON.parse(cached);
      }
      const { status, answer } = await call('GET', '/webrtc-credentials');
      if (status !== 200) {
        throw new Error(answer.message || `the credentials route answered ${status}`);
      }
      storage.setItem(CREDENTIALS, JSON.stringify(answer));
      return answer;
    },

    /** The numbers the page may dial (the backend's rule set); cached for the session, null when unavailable. */
    async dialPolicy() {
      const cached = storage.getItem(POLICY);
      if (cached) {
        return JSON.parse(cached);
      }
      const { status, answer } = await call('GET', '/dial-policy');
      if (status !== 200 || !Array.isArray(answer.denied)) {
        return null;
      }
      storage.setItem(POLICY, JSON.stringify(answer));
      return answer;
    },

    /** Drops the cached credentials (after Telnyx refused them). */
    forgetCredentials: () => storage.removeItem(CREDENTIALS),

    /** The server's truth about a call (docs/dialer-page.md): {status, answer}; 404 while the backend does not know it. */
    callTruth: (id) => call('GET', `/calls/${encodeURIComponent(id)}`),

    /**
     * Tells the backend the page is done with a call ({@code why}: hung_up, lost, page_closed). A hint sent with
     * keepalive, so it leaves even while the page unloads; nothing waits for it and nothing it answers matters.
     */
    reportEnded(id, why) {
      const key = storage.getItem(KEY);
      if (!key || !id) {
        return;
      }
      try {
        fetch(`${base}/calls/${encodeURIComponent(id)}/ended`, { method: 'POST', keepalive: true, credentials: 'omit',
          headers: { 'X-API-Key': key, 'Content-Type': 'application/json' }, body: JSON.stringify({ why }) })
          .catch(() => {});
      } catch {
        // a page being torn down may refuse new requests: the backend's own sweep settles the call
      }
    },

    /** @returns {Promise<{state: 'started'|'pending'|'failed', text: string}>} */
    async startRecording(callControlId, toPhone, fromPhone) {
      let result;
      try {
        result = await call('POST', '/start-recording',
          { call_control_id: callControlId, to_phone: toPhone, from_phone: fromPhone });
      } catch (error) {
        if (error instanceof Unauthorized) {
          throw error;
        }
        return { state: 'failed', text: 'Failed: the recording service did not answer' };
      }
      const { status, answer } = result;
      if (status === 200 && answer.status === 'recording_started') {
        return { state: 'started', text: 'Started' };
      }
      if (status === 202 && answer.status === 'recording_pending') {
        return { state: 'pending', text: 'Pending: starts when answered' };
      }
      return { state: 'failed', text: 'Failed: ' + (answer.message || `answer ${status}`) };
    },
  };
}
