// A fresh clone and the README's first command: the page builds itself (npm ci first, one progress line), the
// runner answers 200 at / with it, says the twin is on, and prints no SLF4J warning. The runner's jar is copied in
// from this tree, so the test spends its time on what it checks, not on a second Maven build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness.mjs';

const JAR = 'tools/local/target/coldcall-local.jar';

function freePort() {
  return new Promise((done) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

test('a fresh clone: bin/local start-api builds the page and serves it at /', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-clone-'));
  const clone = join(dir, 'repo');
  let child;
  try {
    execFileSync('git', ['clone', '--quiet', repoRoot, clone]);
    // the clone's committed sources, with the working tree's dialer and runner as this test run builds them
    for (const file of ['static-dialer/src', 'static-dialer/build.mjs', 'bin/local', 'events/env.json']) {
      execFileSync('cp', ['-r', join(repoRoot, file), join(clone, file, '..')]);
    }
    assert.equal(existsSync(join(clone, 'static-dialer/dist')), false);
    assert.equal(existsSync(join(clone, 'static-dialer/node_modules')), false);
    mkdirSync(join(clone, 'tools/local/target'), { recursive: true });
    copyFileSync(join(repoRoot, JAR), join(clone, JAR));
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(clone, JAR), later, later); // newer than every source: bin/local does not rebuild it

    const port = await freePort();
    const env = JSON.parse(readFileSync(join(clone, 'events/env.json'), 'utf8'));
    for (const [name, value] of Object.entries(env.Parameters)) {
      env.Parameters[name] = String(value).replace('127.0.0.1:3000', `127.0.0.1:${port}`);
    }
    const redis = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
    redis.pathname = '/12';
    env.Parameters.REDIS_URL = redis.toString();
    writeFileSync(join(dir, 'env.json'), JSON.stringify(env));

    child = spawn(join(clone, 'bin/local'), ['start-api', '--port', String(port), '--env-vars', join(dir, 'env.json'),
      '--redis-url', env.Parameters.REDIS_URL],
      { cwd: clone, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const deadline = Date.now() + 200_000;
    let page;
    while (!page) {
      assert.equal(child.exitCode, null, `the runner stopped:\n${output}`);
      assert.ok(Date.now() < deadline, `no page within 200 s:\n${output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        if (response.status === 200) {
          page = await response.text();
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.match(page, /<title>Cold-call dialer<\/title>/);
    const config = await (await fetch(`http://127.0.0.1:${port}/config.js`)).text();
    assert.match(config, /"telnyxHost":"ws:\/\/127\.0\.0\.1:\d+"/, `the page is pointed at the twin:\n${output}`);
    assert.equal(output.match(/building the dialer page/g)?.length, 1, `one progress line:\n${output}`);
    assert.match(output, /Telnyx twin ON/);
    assert.doesNotMatch(output, /SLF4J/);
  } finally {
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
