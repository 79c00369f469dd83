// What the unit tests of the page's modules stand on: sessionStorage, the backend behind fetch, and the SDK's
// client and call, each faked at the page's boundary (the page's own modules are used as they are).

/** A sessionStorage over a Map. */
export function memoryStorage(items = {}) {
  const map = new Map(Object.entries(items));
  return {
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    setItem: (key, value) => map.set(key, String(value)),
    removeItem: (key) => map.delete(key),
  };
}

/**
 * Replaces the global fetch with {@code answer(path, init)}, which returns [status, body] or throws; every request
 * is kept in the returned list. {@code restore()} puts the real fetch back.
 */
export function fakeBackend(answer) {
  const real = globalThis.fetch;
  const requests = [];
  globalThis.fetch = async (url, init) => {
    const path = new URL(url, 'http://backend').pathname;
    requests.push({ path, init });
    const [status, body] = await answer(path, init);
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { requests, restore: () => { globalThis.fetch = real; } };
}

/** The view as call.js and session.js see it, counting what they asked of it. */
export function recordingView() {
  const view = { renders: 0, timers: 0, keyPrompts: [], focused: 0 };
  view.render = () => { view.renders += 1; };
  view.renderTimer = () => { view.timers += 1; };
  view.askForKey = (message) => view.keyPrompts.push(message);
  view.focusNumber = () => { view.focused += 1; };
  return view;
}

/** An SDK call going outbound; {@code actions} lists what the page asked of it. */
export function fakeCall(id = 'call-1') {
  const call = { id, direction: 'outbound', state: 'new', isAudioMuted: false, actions: [] };
  call.hangup = (...args) => call.actions.push(['hangup', ...args]);
  call.dtmf = (key) => call.actions.push(['dtmf', key]);
  call.muteAudio = () => { call.isAudioMuted = true; };
  call.unmuteAudio = () => { call.isAudioMuted = false; };
  call.hold = async () => { call.actions.push(['hold']); };
  call.unhold = async () => { call.actions.push(['unhold']); };
  call.setAudioInDevice = (deviceId) => call.actions.push(['mic', deviceId]);
  return call;
}

/** A microphone stream whose tracks remember being stopped. */
export function fakeStream() {
  const track = { stopped: false, stop() { track.stopped = true; } };
  return { track, getTracks: () => [track] };
}

/** Waits for the promises the page left running (a fetch answered, an await resumed). */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
