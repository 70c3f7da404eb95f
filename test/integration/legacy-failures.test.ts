/**
 * What the log says when an https:// upstream cannot be talked to at the TLS layer: a port
 * that accepts TCP and never speaks, a plain-HTTP port, a server that resets on the
 * ClientHello, and the reverse mistake (http:// URL to an HTTPS port).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { makeCert } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';

let gw: Gateway;
let plain: Backend;
let tlsBackend: LegacyBackend;
const rawServers: net.Server[] = [];
const rawSockets = new Set<net.Socket>();

/** A TCP server that does `onConnect` with each socket (never a TLS peer). */
async function rawServer(onConnect: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer((s) => {
    rawSockets.add(s);
    s.on('error', () => undefined);
    onConnect(s);
  });
  rawServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  plain = await startHttpBackend();
  const self = makeCert({ cn: 'x', sans: ['127.0.0.1'] });
  tlsBackend = await startTlsBackend({ cert: self.cert, key: self.key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
  const silent = await rawServer(() => undefined);
  const resetter = await rawServer((s) => s.once('data', () => s.resetAndDestroy()));
  // Answers anything with a TLS fatal alert record, as an OpenSSL-based HTTPS port does to plaintext.
  const alerter = await rawServer((s) => s.once('data', () => s.end(Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]))));
  const closed = await rawServer(() => undefined);
  await new Promise<void>((resolve) => rawServers.pop()!.close(() => resolve()));
  gw = await startGateway({
    routes: [
      { path: '/silent', upstream: { url: `https://127.0.0.1:${silent}`, timeout: '300ms' } },
      { path: '/plain', upstream: { url: `https://127.0.0.1:${plain.port}` } },
      { path: '/reset', upstream: { url: `https://127.0.0.1:${resetter}` } },
      { path: '/closed', upstream: { url: `https://127.0.0.1:${closed}` } },
      { path: '/wrong-scheme', upstream: `http://127.0.0.1:${tlsBackend.port}` },
      { path: '/alert', upstream: `http://127.0.0.1:${alerter}` },
    ],
  });
});

afterAll(async () => {
  await gw?.close();
  await plain?.close();
  await tlsBackend?.close();
  for (const s of rawSockets) s.destroy();
  await Promise.all(rawServers.map((s) => new Promise((r) => s.close(r))));
});

async function failing(path: string) {
  const r = await gw.post(path, '{}');
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === path);
  return { status: r.status, log };
}

it('a port that accepts TCP but never completes the TLS handshake: 504 after upstream.timeout', async () => {
  const { status, log } = await failing('/silent');
  expect(status).toBe(504);
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_TIMEOUT', outcome: 'upstream_error' });
  expect(log.error).toMatch(/TLS handshake within 300 ms/);
});

it('an https:// URL pointing at a plain-HTTP server: the hint says to use http://', async () => {
  const { status, log } = await failing('/plain');
  expect(status).toBe(502);
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_TLS_HANDSHAKE' });
  expect(log.hint).toMatch(/http:\/\/ upstream URL/);
  expect(plain.received).toHaveLength(0);
});

it('a server that resets the connection on the ClientHello is a TLS handshake failure, not a generic reset', async () => {
  const { status, log } = await failing('/reset');
  expect(status).toBe(502);
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_TLS_HANDSHAKE', cause: 'ECONNRESET' });
  expect(log.hint).toMatch(/upstream\.tls\.minVersion/);
});

it('a closed port is TLSGATE_UPSTREAM_REFUSED, not a TLS problem', async () => {
  const { status, log } = await failing('/closed');
  expect(status).toBe(502);
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_REFUSED', cause: 'ECONNREFUSED' });
});

it('an http:// URL pointing at an HTTPS server: the hint says to use https://', async () => {
  const { status, log } = await failing('/wrong-scheme');
  expect(status).toBe(502);
  // Node's TLS server drops a plaintext request without answering; nginx or Apache would send a 400.
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_RESET', cause: 'ECONNRESET' });
  expect(log.hint).toMatch(/https:\/\/ upstream URL/);
  expect(tlsBackend.received).toHaveLength(0);
});

it('an http:// URL answered with TLS bytes: the hint says to use https://', async () => {
  const { status, log } = await failing('/alert');
  expect(status).toBe(502);
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_ERROR' });
  expect(String(log.cause)).toMatch(/^HPE_/);
  expect(log.hint).toMatch(/https:\/\/ upstream URL/);
});
