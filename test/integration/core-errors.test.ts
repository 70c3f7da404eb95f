// Upstream failures become 502/504/404 with a short body and a log line; nothing crashes.
import fs from 'node:fs';
import net from 'node:net';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

let gw: Gateway;
let hung: net.Server;
let resetter: net.Server;
let deadPort: number;
let ok: Backend;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  const sockets: net.Socket[] = [];
  hung = net.createServer((s) => sockets.push(s)); // accepts, never answers
  hung.on('close', () => sockets.forEach((s) => s.destroy()));
  resetter = net.createServer((s) => {
    s.once('data', () => {
      // A status line and half a body, then a hard reset.
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
      setTimeout(() => s.resetAndDestroy(), 50);
    });
  });
  const dead = net.createServer();
  deadPort = await listen(dead);
  await new Promise<void>((r) => dead.close(() => r())); // a port nobody listens on
  ok = await startHttpBackend();
  gw = await startGateway({
    routes: [
      { path: '/dead', upstream: `http://127.0.0.1:${deadPort}` },
      { path: '/hung', upstream: { url: `http://127.0.0.1:${await listen(hung)}`, timeout: '1s' } },
      { path: '/reset', upstream: `http://127.0.0.1:${await listen(resetter)}` },
      { path: '/ok', upstream: ok.url },
    ],
  });
});
afterAll(async () => {
  await gw?.close();
  hung?.close();
  resetter?.close();
  await ok?.close();
});

function post(path: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = https.request({ host: '127.0.0.1', port: gw.port, path, method: 'POST', ca: fs.readFileSync(gw.caFile), servername: 'localhost', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', (e) => resolve({ error: e.message }));
      res.on('aborted', () => resolve({ error: 'aborted' }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end('{"events":[]}');
  });
}

describe('upstream failures', () => {
  it('upstream refused → 502 with a short text body and a warn line with the code and a hint', async () => {
    const r = await post('/dead/x');
    expect(r).toMatchObject({ status: 502 });
    expect((r as { body: string }).body).toMatch(/^502 upstream 127\.0\.0\.1:\d+ cannot be reached: ECONNREFUSED/);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/dead/x');
    expect(line).toMatchObject({ level: 'warn', status: 502, outcome: 'upstream_error', errorCode: 'TLSGATE_UPSTREAM_REFUSED', cause: 'ECONNREFUSED' });
    expect(String(line.hint)).toMatch(/start the backend/);
  });

  it('upstream accepts but never answers → 504 at the configured timeout', async () => {
    const r = await post('/hung/x');
    expect(r).toMatchObject({ status: 504 });
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/hung/x');
    expect(line).toMatchObject({ status: 504, errorCode: 'TLSGATE_UPSTREAM_TIMEOUT', outcome: 'upstream_error' });
    expect(line.durationMs as number).toBeGreaterThanOrEqual(1000);
  });

  it('upstream resets mid-response → the sender sees a cut connection, never a clean 200', async () => {
    const r = await post('/reset/x');
    expect('error' in r || (r as { status: number }).status >= 500).toBe(true);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/reset/x');
    expect(line.outcome).toBe('upstream_error');
    expect(line.errorCode).toBe('TLSGATE_UPSTREAM_RESET');
  });

  it('no route → 404 and the upstream is never contacted', async () => {
    const before = ok.received.length;
    const r = await post('/nowhere');
    expect(r).toMatchObject({ status: 404 });
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/nowhere');
    expect(line).toMatchObject({ errorCode: 'TLSGATE_NO_ROUTE', outcome: 'refused', status: 404 });
    expect(ok.received.length).toBe(before);
  });

  it('the gateway still serves after all of the above', async () => {
    expect(await post('/ok/after')).toMatchObject({ status: 200, body: 'ok' });
  });
});
