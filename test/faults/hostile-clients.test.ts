/**
 * What the internet sends a TLS port: 5,000 connections of garbage and 5,000 truncated
 * ClientHellos (some hung up at once, some left open until the handshake deadline). The
 * gateway must keep serving, hold no memory per dead connection, and account for every one
 * of them: one handshake-failure event each, logged in full or counted in a repeat summary.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import type { LogLine } from '../helpers/log-sink.js';
import { memoryAfterGc, pool } from './fault-helpers.js';

const GARBAGE = 5000;
const TRUNCATED = 5000;
/** Every tenth truncated hello stays open, so the handshake deadline (1 s here) has to close it. */
const HOLD_EVERY = 10;
const CONCURRENCY = 50;

let backend: Backend;
let gw: Gateway;
let gwClosed = false;
let hello: Buffer;
let failures = 0;
const failureCodes: Record<string, number> = {};

beforeAll(async () => {
  backend = await startHttpBackend();
  gw = await startGateway({
    routes: [{ path: '/', upstream: backend.url }],
  }, { listener: { handshakeTimeout: '1s' } });
  gw.hub.subscribe((e) => {
    if (e.type !== 'handshake_failure') return;
    failures++;
    failureCodes[e.code] = (failureCodes[e.code] ?? 0) + 1;
  });
  hello = await captureClientHello();
});

afterAll(async () => {
  if (!gwClosed) await gw?.close();
  await backend?.close();
});

/** A real ClientHello as Node's TLS client sends it, captured by a plain TCP listener. */
async function captureClientHello(): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const got = new Promise<Buffer>((resolve) => server.once('connection', (s) => s.once('data', (c: Buffer) => (resolve(c), s.destroy()))));
  const c = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: 'localhost', maxVersion: 'TLSv1.2' });
  c.on('error', () => undefined);
  const h = await got;
  c.destroy();
  server.close();
  expect(h[0]).toBe(0x16); // a handshake record
  return h;
}

/** Connects, writes `bytes`, then hangs up at once or waits for the server to close. */
function hostile(bytes: Buffer, hold: boolean): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(gw.port, '127.0.0.1', () => {
      s.write(bytes);
      if (!hold) s.end();
    });
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.on('close', () => resolve());
  });
}

/** Random bytes that are not a TLS handshake record (first byte never 0x16), 1–512 long. */
function garbage(): Buffer {
  const b = crypto.randomBytes(crypto.randomInt(1, 513));
  if (b[0] === 0x16) b[0] = 0x47; // 'G'
  return b;
}

/** A ClientHello cut short at a random byte. */
function truncated(): Buffer {
  return hello.subarray(0, crypto.randomInt(1, hello.length));
}

/** What the log accounts for so far: failures logged in full, and repeats counted in summary lines. */
const logged = { full: 0, summarised: 0, deadline: 0 };

/** Tallies the sink's lines and drops them: the sink keeps lines in memory, which is not the gateway's growth. */
function consumeLogs(lines: LogLine[]): void {
  for (const l of lines) {
    if (l.event === 'handshake_failed') {
      logged.full++;
      if (l['code'] === 'ERR_TLS_HANDSHAKE_TIMEOUT') logged.deadline++;
    }
    if (typeof l['suppressed'] === 'number' && String(l.event ?? '').startsWith('handshake')) logged.summarised += l['suppressed'];
  }
  lines.length = 0;
}

/** Waits until the gateway has published `target` failures (closing sockets settle asynchronously). */
async function settle(target: number): Promise<void> {
  for (let i = 0; i < 200 && failures < target; i++) await new Promise((r) => setTimeout(r, 25));
}

async function validPost(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = https.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: '/hook', servername: 'localhost', ca: fs.readFileSync(gw.caFile), agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(undefined));
    req.end('{"id":"evt_alive"}');
  });
}

test(`${GARBAGE} garbage connections and ${TRUNCATED} truncated ClientHellos: survives, memory flat, every one accounted`, async () => {
  // Warm-up: the first connections allocate pools and caches once; measure the baseline after them.
  await pool(300, CONCURRENCY, (i) => hostile(i % 2 ? garbage() : truncated(), false));
  expect(await validPost()).toBe(200);
  await settle(300);
  consumeLogs(gw.logs.lines);
  const before = await memoryAfterGc();
  const warmFailures = failures;

  const t0 = Date.now();
  await pool(GARBAGE, CONCURRENCY, () => hostile(garbage(), false));
  await settle(warmFailures + GARBAGE);
  const garbageFailures = failures - warmFailures;
  consumeLogs(gw.logs.lines);

  await pool(TRUNCATED, CONCURRENCY, (i) => hostile(truncated(), i % HOLD_EVERY === 0));
  await settle(warmFailures + GARBAGE + TRUNCATED);
  const truncatedFailures = failures - warmFailures - garbageFailures;
  consumeLogs(gw.logs.lines);
  const secs = (Date.now() - t0) / 1000;

  expect(await validPost()).toBe(200);
  const after = await memoryAfterGc();
  // Closing writes the repeat summaries still pending (the window is 60 s), so the log is complete.
  await gw.close();
  gwClosed = true;
  consumeLogs(gw.logs.lines);
  console.log(
    `[hostile-clients] ${GARBAGE} garbage + ${TRUNCATED} truncated hellos in ${secs.toFixed(1)} s; ` +
      `handshake-failure events: warm-up ${warmFailures}, garbage ${garbageFailures}, truncated ${truncatedFailures}; codes ${JSON.stringify(failureCodes)}; ` +
      `log: ${logged.full} lines in full (${logged.deadline} at the handshake deadline) + ${logged.summarised} counted in repeat summaries; ` +
      `heap after GC ${before.heapMB.toFixed(1)} → ${after.heapMB.toFixed(1)} MB, RSS ${before.rssMB.toFixed(0)} → ${after.rssMB.toFixed(0)} MB`,
  );

  // Every hostile connection is exactly one handshake-failure event…
  expect(garbageFailures).toBe(GARBAGE);
  expect(truncatedFailures).toBe(TRUNCATED);
  // …and each one is in the log, in full or counted in a repeat summary.
  expect(logged.full + logged.summarised).toBe(failures);
  // The held-open hellos were closed by the 1 s handshake deadline, not by us.
  expect(failureCodes['ERR_TLS_HANDSHAKE_TIMEOUT']).toBe(TRUNCATED / HOLD_EVERY);
  // Nothing is kept per dead connection: 10,000 of them may not grow the heap by 16 MB (1.7 KB each).
  expect(after.heapMB - before.heapMB).toBeLessThan(16);
  // Still serving: both valid posts reached the backend.
  expect(backend.received.length).toBe(2);
});
