// Test mode: when the local runner's Telnyx twin serves the page, config.js names the twin's signalling socket
// (the SDK's `host`) and the test numbers that choose each call's outcome. A deployed config.js names neither.

/** The SDK's options: the login, plus the twin's host when there is one (and no call reports posted there). */
export function sdkOptions(login, config) {
  const host = typeof config?.telnyxHost === 'string' && /^wss?:\/\//.test(config.telnyxHost) ? config.telnyxHost : '';
  return host ? { ...login, host, enableCallReports: false } : { ...login };
}

/** The test numbers to list, each {number, outcome}; none outside test mode. */
export function testNumberItems(config) {
  if (!sdkOptions({}, config).host || !Array.isArray(config.testNumbers)) {
    return [];
  }
  return config.testNumbers
    .filter((entry) => typeof entry?.number === 'string' && typeof entry?.outcome === 'string')
    .map(({ number, outcome }) => ({ number, outcome }));
}
