// What the browser tests stand on: the real local runner (functions, Redis, the runner's Web Backend and Telnyx
// Call Control stand-ins), Debian's Chromium driven by playwright-core, and a fake of Telnyx's signalling
// WebSocket that speaks the SDK's Verto JSON-RPC at the page's boundary.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The dev webhook signing key (events/keys, dev only): a raw Ed25519 seed, wrapped as PKCS#8. */
const WEBHOOK_KEY = createPrivateKey({ format: 'der', type: 'pkcs8', key: Buffer.concat([
  Buffer.from('302e020100300506032b657004220420', 'hex'),
  Buffer.from(readFileSync(join(repoRoot, 'events/keys/dev-webhook-ed25519.seed'), 'utf8').trim(), 'base64')]) });
export const API_KEY = 'dev-internal-api-key';
export const CALLER_NUMBER = '+15550000001';
const RUNNER_JAR = join(repoRoot, 'tools/local/target/coldcall-local.jar');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** The Redis database the runner's functions use here; the Java integration tests use 1..7. */
const REDIS_DB = 12;

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function redisUrl() {
  const url = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  if (url.pathname === '' || url.pathname === '/') {
    url.pathname = `/${REDIS_DB}`;
  }
  return url.toString();
}

/**
 * Starts {@code coldcall-local.jar start-api} on a free port with events/env.json pointed at that port's stand-ins
 * and at this run's Redis; with {@code twin} the SDK is pointed at the runner's Telnyx twin too (else it is off).
 * {@code env} adds or replaces variables of the env file (CALL_FLOW, TWIN_LINK_TTL_SECONDS, ...); the functions'
 * metric lines go to {@code metricsFile} when given (for {@code report}), else to the runner's default file.
 */
export async function startRunner({ twin = false, drainEvery = 0, env: extra = {}, metricsFile = null } = {}) {
  if (!existsSync(RUNNER_JAR)) {
    throw new Error(`${RUNNER_JAR} is missing: build it with mvn -B -DskipTests package -pl tools/local -am`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = JSON.parse(readFileSync(join(repoRoot, 'events/env.json'), 'utf8'));
  Object.assign(env.Parameters, {
    WEB_BACKEND_URL: `${base}/_local/web-backend`,
    TELNYX_API_BASE: `${base}/_local/telnyx`,
    REDIS_URL: redisUrl(),
    // the call gate's counters are shared by every runner on this Redis database, and test files may run at once:
    // the limits are the Java tests' (CallGateIT), not something a page test should trip over
    DIAL_MAX_CONCURRENT_PER_REP: '100000',
    DIAL_MAX_PER_REP_PER_HOUR: '100000',
    DIAL_MAX_PER_MINUTE: '100000',
  }, extra);
  if (twin) {
    env.Parameters.TELNYX_RTC_HOST = `ws://127.0.0.1:${port}/_local/telnyx/rtc`;
  } else {
    delete env.Parameters.TELNYX_RTC_HOST; // the page talks to "Telnyx", which these tests fake at the socket
  }
  const dir = mkdtempSync(join(tmpdir(), 'dialer-test-'));
  const envFile = join(dir, 'env.json');
  writeFileSync(envFile, JSON.stringify(env, null, 2));
  const javaHome = process.env.JAVA_HOME || execFileSync(join(repoRoot, 'bin/jdk'), { encoding: 'utf8' }).trim();
  const java = join(javaHome, 'bin/java');
  const child = spawn(java, ['-XX:+IgnoreUnrecognizedVMOptions', '--sun-misc-unsafe-memory-access=allow',
    '-XX:TieredStopAtLevel=1', '-jar', RUNNER_JAR, 'start-api', '--port', String(port), '--env-vars', envFile,
    // the flag, not only the env file: a REDIS_URL exported in the shell would beat the file's database
    '--redis-url', env.Parameters.REDIS_URL, '--drain-every', String(drainEvery),
    ...(metricsFile ? ['--metrics-file', metricsFile] : [])], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exitCode = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 200))]);
    if (exitCode !== undefined) {
      throw new Error(`the local runner stopped (exit ${exitCode}):\n${output}`);
    }
    try {
      if ((await fetch(`${base}/`)).ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`the local runner did not answer on ${base} within 60 s:\n${output}`);
    }
  }
  return {
    base,
    output: () => output,
    async json(path, init) {
      const response = await fetch(base + path, init);
      return response.json();
    },
    /**
     * Delivers the browser leg's call.initiated to the runner's webhook route, signed with the dev key, as Telnyx does
     * when a call starts: without the twin nothing else tells the backend the call is ours (start-recording records
     * only a call a webhook has named).
     */
    async initiated(callControlId, to, callerNumber) {
      const payload = { call_control_id: callControlId, call_leg_id: randomUUID(), call_session_id: randomUUID(),
        connection_id: env.Parameters.TELNYX_SIP_CONNECTION_ID, from: callerNumber, to, direction: 'outgoing',
        state: 'bridging', start_time: new Date().toISOString(), client_state: null };
      const body = JSON.stringify({ data: { event_type: 'call.initiated', id: randomUUID(),
        occurred_at: new Date().toISOString(), payload, record_type: 'event' }, meta: { attempt: 1 } });
      const timestamp = Math.floor(Date.now() / 1000).toString();
      const signature = sign(null, Buffer.from(`${timestamp}|${body}`), WEBHOOK_KEY).toString('base64');
      const response = await fetch(`${base}/aicallgo/api/v1/cold-call/webhook/telnyx/direct/call-status`, {
        method: 'POST', body, headers: { 'content-type': 'application/json', 'telnyx-timestamp': timestamp,
          'telnyx-signature-ed25519': signature } });
      if (response.status !== 200) {
        throw new Error(`call.initiated answered ${response.status}: ${await response.text()}`);
      }
    },
    async stop() {
      child.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Chromium with fake audio devices. {@code acceptMicrophone: false} leaves out the flag that accepts every
 * microphone prompt, so the prompt is refused, as by a user who clicks Block.
 */
export function launchBrowser({ acceptMicrophone = true } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright-core's launch() gives every run a fresh, temporary user-data dir of its own.
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-device-for-media-stream', ...(acceptMicrophone ? ['--use-fake-ui-for-media-stream'] : []),
      // The fake far end lives in the same page; media between the two peers stays on 127.0.0.1.
      '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
      // Nothing leaves this machine: Telnyx's STUN/TURN names do not resolve.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
}

/**
 * A browser context whose page talks only to 127.0.0.1: Telnyx's signalling socket goes to the fake, anything
 * else off-machine is refused and remembered in {@code outside}. The SDK's peer connection is kept to host
 * candidates (no STUN/TURN) and remembered in {@code window.__peers} so tests can look at the real media tracks.
 */
export async function newDialerPage(browser, runner) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 860 } });
  const outside = [];
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => {
    outside.push(route.request().url());
    route.abort();
  });
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.__peers = [];
    window.RTCPeerConnection = class extends Native {
      constructor(config = {}, ...rest) {
        super({ ...config, iceServers: [] }, ...rest);
        window.__peers.push(this);
      }
    };
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  const telnyx = new FakeTelnyx(page);
  await page.routeWebSocket(/^wss:\/\/rtc\.telnyx\.com\//, (socket) => telnyx.accept(socket));
  return { context, page, telnyx, outside, errors, url: `${runner.base}/` };
}

/** Opens the page, answers the API key prompt and waits until the SDK is logged in and registered. */
export async function openSignedIn(session) {
  const { page } = session;
  await page.goto(session.url);
  await page.getByLabel('Internal API key').fill(API_KEY);
  await page.getByRole('button', { name: 'Save key' }).click();
  await waitForConnection(page, 'ready');
}

export function waitForConnection(page, state) {
  return page.locator(`#connection[data-state="${state}"]`).waitFor({ timeout: 15_000 });
}

export function waitForCallState(page, state) {
  return page.locator(`#call-state[data-state="${state}"]`).waitFor({ timeout: 15_000 });
}

/**
 * Telnyx's side of the SDK's WebSocket (Verto JSON-RPC), as `wss://rtc.telnyx.com` speaks it: login, client ready,
 * gateway REGED, and per call the invite's result, then ringing, answer (a real SDP answer from a second peer
 * connection in the page) and bye, as each test scripts them.
 */
export class FakeTelnyx {
  constructor(page) {
    this.page = page;
    this.sockets = [];
    this.received = [];
    this.waiters = [];
    this.nextId = 5000;
    /** How many logins to refuse, as Telnyx refuses a wrong password or an expired token. */
    this.refuseLogins = 0;
    this.sessid = randomUUID();
  }

  accept(socket) {
    if (this.refuseSockets) {
      socket.close({ code: 1011, reason: 'refused by the test' }); // an outage: the SDK sees a close at once
      return;
    }
    this.socket = socket;
    this.sockets.push(socket);
    socket.onMessage((raw) => this.onMessage(socket, JSON.parse(String(raw))));
  }

  send(message, socket = this.socket) {
    socket.send(JSON.stringify({ jsonrpc: '2.0', ...message }));
  }

  request(method, params) {
    this.send({ id: this.nextId++, method, params });
  }

  onMessage(socket, message) {
    const record = { socket: this.sockets.indexOf(socket), at: Date.now(), ...message };
    this.received.push(record);
    const { id, method, params = {} } = message;
    switch (method) {
      case undefined:
        break; // the SDK acknowledging one of our requests
      case 'login':
        if (this.refuseLogins > 0) {
          this.refuseLogins -= 1;
          this.send({ id, error: { code: -32001, message: 'Authentication Failure' } }, socket);
          break;
        }
        this.send({ id, result: { message: 'logged in', sessid: this.sessid } }, socket);
        this.send({ id: this.nextId++, method: 'telnyx_rtc.clientReady', params: {} }, socket);
        break;
      case 'telnyx_rtc.gatewayState':
        this.send({ id, result: { params: { state: 'REGED' } } }, socket);
        break;
      case 'telnyx_rtc.invite':
        this.send({ id, result: { callID: params.dialogParams.callID, message: 'CALL CREATED', sessid: this.sessid } },
          socket);
        break;
      case 'telnyx_rtc.modify': {
        const held = params.action === 'hold' || (params.action === 'toggleHold' && !this.held);
        this.held = held;
        this.send({ id, result: { callID: params.dialogParams.callID, action: params.action,
          holdState: held ? 'held' : 'active', sessid: this.sessid } }, socket);
        break;
      }
      default:
        this.send({ id, result: { method, sessid: this.sessid } }, socket);
    }
    for (const waiter of [...this.waiters]) {
      if (waiter.matches(record)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    }
  }

  /** The first message from the page that matches (already received or still to come). */
  waitFor(matches, what = 'a message', timeout = 15_000) {
    const seen = this.received.find(matches);
    if (seen) {
      return Promise.resolve(seen);
    }
    return new Promise((resolveMessage, reject) => {
      const waiter = { matches, resolve: resolveMessage };
      this.waiters.push(waiter);
      setTimeout(() => {
        if (this.waiters.includes(waiter)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`the fake Telnyx got no ${what} within ${timeout} ms; it got: `
            + this.received.map((m) => m.method || `result ${m.id}`).join(', ')));
        }
      }, timeout);
    });
  }

  waitForMethod(method, extra = () => true) {
    return this.waitFor((m) => m.method === method && extra(m), method);
  }

  messages(method) {
    return this.received.filter((m) => m.method === method);
  }

  /**
   * 180 Ringing: the first message that carries Telnyx's ids for an outbound call; {@code withCallControlId: false}
   * as Telnyx does (the call control id comes with the answer).
   */
  ring(callID, callControlId, { withCallControlId = true } = {}) {
    this.request('telnyx_rtc.ringing', {
      callID, ...(withCallControlId ? { telnyx_call_control_id: callControlId } : {}),
      telnyx_session_id: `session-${callControlId}`, telnyx_leg_id: `leg-${callControlId}`, display_direction: 'outbound',
    });
  }

  /**
   * 200 OK with an SDP answer made by a second peer connection in the page, which sends a tone back; with
   * {@code callControlId}, Telnyx's ids ride on it (as when the ringing carried none).
   */
  async answer(invite, callControlId = null) {
    const sdp = await this.page.evaluate(async (offer) => {
      const loopbackOnly = (text) => text.split('\r\n')
        .filter((line) => !line.startsWith('a=candidate:') || line.includes(' 127.0.0.1 ')).join('\r\n');
      const peer = new RTCPeerConnection();
      (window.__farEnds ||= []).push(peer);
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const sink = audio.createMediaStreamDestination();
      tone.connect(sink);
      tone.start();
      peer.addTrack(sink.stream.getAudioTracks()[0], sink.stream);
      await peer.setRemoteDescription({ type: 'offer', sdp: loopbackOnly(offer) });
      await peer.setLocalDescription(await peer.createAnswer());
      await new Promise((done) => {
        const check = () => peer.iceGatheringState === 'complete' && done();
        peer.addEventListener('icegatheringstatechange', check);
        check();
        setTimeout(done, 3000);
      });
      return loopbackOnly(peer.localDescription.sdp);
    }, invite.params.sdp);
    this.request('telnyx_rtc.answer', { callID: invite.params.dialogParams.callID, sdp,
      ...(callControlId ? { telnyx_call_control_id: callControlId, telnyx_session_id: `session-${callControlId}`,
        telnyx_leg_id: `leg-${callControlId}` } : {}) });
  }

  /** An inbound call offered to the page (a real SDP offer from a peer connection in the page); its callID. */
  async inboundInvite() {
    const sdp = await this.page.evaluate(async () => {
      const peer = new RTCPeerConnection();
      (window.__farEnds ||= []).push(peer);
      peer.addTransceiver('audio');
      await peer.setLocalDescription(await peer.createOffer());
      return peer.localDescription.sdp;
    });
    const callID = randomUUID();
    this.request('telnyx_rtc.invite', { callID, sdp, caller_id_name: 'Stranger', caller_id_number: '+15550009999',
      callee_id_name: '', callee_id_number: '+15550000001', display_direction: 'inbound',
      telnyx_leg_id: `leg-in-${callID}`, telnyx_session_id: `session-in-${callID}` });
    return callID;
  }

  bye(callID, params) {
    this.request('telnyx_rtc.bye', { callID, ...params });
  }

  /** The signalling socket drops, as when a network or Telnyx edge goes away. */
  drop() {
    return this.socket.close({ code: 1001, reason: 'going away' });
  }
}

/**
 * A page that talks to the runner's Telnyx twin for real: no WebSocket is intercepted. Anything off this machine is
 * refused and remembered in {@code outside}.
 */
export async function newTwinPage(browser, runner) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 980 } });
  const outside = [];
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => {
    outside.push(route.request().url());
    route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  return { context, page, outside, errors, url: `${runner.base}/` };
}
