/**
 * 10,000 posts of random size (0–256 KiB) and random content while the backend is restarted
 * twice. The sender's contract: every post is either delivered byte for byte and answered with
 * the backend's own status, or answered non-2xx (so the sender retries). A 2xx for a post the
 * backend did not receive intact would lose a webhook silently: there must be none.
 */
import fs from 'node:fs';
import https from 'node:https';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RequestEvent } from '../../src/observe/events.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { pool, RandomBodies, sha256, startRestartableBackend, type RestartableBackend } from './fault-helpers.js';

const POSTS = 10_000;
const MAX_SIZE = 256 * 1024;
const CONCURRENCY = 8;
/** The backend answers mostly 200, sometimes 202, sometimes 500: each must reach the sender as is. */
const statusFor = (id: string) => (Number(id) % 13 === 0 ? 500 : Number(id) % 7 === 0 ? 202 : 200);

let backend: RestartableBackend;
let gw: Gateway;

beforeAll(async () => {
  backend = await startRestartableBackend(statusFor);
  gw = await startGateway({ routes: [{ path: '/', upstream: { url: backend.url, timeout: '10s' }, maxBodyBytes: MAX_SIZE }], log: { level: 'warn' } });
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

function post(agent: https.Agent, id: number, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port: gw.port, path: `/hook/${id}`, method: 'POST', agent, servername: 'localhost', headers: { 'content-type': 'application/octet-stream', 'content-length': body.length, 'x-req-id': String(id) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on('error', (e) => resolve({ error: e.message }));
        res.on('aborted', () => resolve({ error: 'response aborted' }));
      },
    );
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end(body);
  });
}

test(`${POSTS} random posts survive two backend restarts with zero 2xx without delivery`, async () => {
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: fs.readFileSync(gw.caFile) });
  const bodies = new RandomBodies();
  const events: Record<string, number> = {};
  gw.hub.subscribe((e) => {
    if (e.type === 'request') events[(e as RequestEvent).outcome] = (events[(e as RequestEvent).outcome] ?? 0) + 1;
  });

  let done = 0;
  let non2xxSinceStop = 0;
  const restarts: Promise<void>[] = [];
  /** Stops the backend, keeps it down until the sender has seen at least one non-2xx, then restarts it. */
  const restart = async () => {
    await backend.stop();
    non2xxSinceStop = 0;
    const t0 = Date.now();
    while (non2xxSinceStop === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    await backend.start();
  };

  const sent = new Map<number, { sha: string; bytes: number }>();
  let delivered = 0;
  let wrong2xx = 0;
  let cut = 0;
  const non2xx: Record<number, number> = {};
  const problems: string[] = [];
  const t0 = Date.now();

  await pool(POSTS, CONCURRENCY, async (id) => {
    const size = Math.floor(Math.random() * (MAX_SIZE + 1));
    const body = bodies.body(size);
    const sha = sha256(body);
    sent.set(id, { sha, bytes: size });
    const r = await post(agent, id, body);
    if (r.error !== undefined) cut++;
    else if (r.status! >= 200 && r.status! < 300) {
      const d = backend.deliveries.get(String(id));
      // A 2xx counts only if the backend received exactly these bytes and chose this status.
      if (d && d.sha256 === sha && d.bytes === size && d.status === r.status && r.body === sha) delivered++;
      else {
        wrong2xx++;
        if (problems.length < 5) problems.push(`post ${id}: ${r.status} but backend saw ${JSON.stringify(d)} (sent ${size} bytes ${sha.slice(0, 12)})`);
      }
    } else {
      non2xx[r.status!] = (non2xx[r.status!] ?? 0) + 1;
      non2xxSinceStop++;
      // A backend status (500 here) must also be the backend's own answer to these exact bytes.
      if (r.status === 500) {
        const d = backend.deliveries.get(String(id));
        if (!(d && d.sha256 === sha && d.status === 500)) non2xx[-500] = (non2xx[-500] ?? 0) + 1;
      }
    }
    done++;
    if (done === Math.floor(POSTS / 3) || done === Math.floor((2 * POSTS) / 3)) restarts.push(restart());
  });
  await Promise.all(restarts);
  agent.destroy();
  // The gateway reports an exchange when its response closes, which can trail the sender's last read.
  const total = () => Object.values(events).reduce((a, b) => a + b, 0);
  for (let i = 0; i < 200 && total() < POSTS; i++) await new Promise((r) => setTimeout(r, 25));

  const secs = (Date.now() - t0) / 1000;
  const mb = [...sent.values()].reduce((a, s) => a + s.bytes, 0) / 2 ** 20;
  const expected500 = [...sent.keys()].filter((id) => statusFor(String(id)) === 500).length;
  console.log(
    `[restart-storm] ${POSTS} posts (${mb.toFixed(0)} MiB) in ${secs.toFixed(1)} s, ${backend.restarts} restarts: ` +
      `delivered byte-exact with the backend's 2xx ${delivered}, non-2xx ${JSON.stringify(non2xx)}, connection cut ${cut}, 2xx without exact delivery ${wrong2xx}; ` +
      `gateway events ${JSON.stringify(events)}`,
  );

  expect(problems).toEqual([]);
  expect(wrong2xx).toBe(0);
  expect(backend.restarts).toBe(2);
  expect(delivered + cut + Object.entries(non2xx).filter(([s]) => Number(s) > 0).reduce((a, [, n]) => a + n, 0)).toBe(POSTS);
  // The backend really was down: some posts were answered 502 by tlsgate, not by the backend.
  expect(non2xx[502] ?? 0).toBeGreaterThan(0);
  // Every 500 the sender saw was the backend's own answer (none invented for a lost post).
  expect(non2xx[-500] ?? 0).toBe(0);
  // Most posts went through, and the backend's 500s were among the non-2xx.
  expect(delivered).toBeGreaterThan(POSTS * 0.8);
  expect(non2xx[500] ?? 0).toBeGreaterThan(0);
  expect(non2xx[500] ?? 0).toBeLessThanOrEqual(expected500);
  // The gateway's own account agrees with what the sender saw.
  expect(events['processed']).toBe(delivered);
});
