/**
 * Each route has its own keep-alive agent: a pooled TLS 1.0 connection opened for one route is
 * reused by that route, and never serves another route to the same host:port whose TLS
 * settings (minVersion, pin) would have refused it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCert } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';

let backend: LegacyBackend;
let gw: Gateway;

beforeAll(async () => {
  const self = makeCert({ cn: 'legacy.internal', sans: ['127.0.0.1'], bits: 1024 });
  const other = makeCert({ cn: 'other', bits: 1024 });
  backend = await startTlsBackend({ cert: self.cert, key: self.key, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' });
  gw = await startGateway(
    {
      routes: [
        { path: '/legacy', upstream: { url: backend.url, tls: { ca: 'legacy.pem' } } },
        { path: '/strict', upstream: { url: backend.url, tls: { ca: 'legacy.pem', minVersion: 'TLSv1.2' } } },
        { path: '/other-ca', upstream: { url: backend.url, tls: { ca: 'other.pem' } } },
      ],
    },
    { files: { 'legacy.pem': self.cert, 'other.pem': other.cert } },
  );
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

async function post(path: string): Promise<number> {
  return (await gw.post(path, '{}')).status;
}

it('reuses the route\'s own pooled connection and never lends it to another route', async () => {
  expect(await post('/legacy')).toBe(200);
  expect(await post('/legacy')).toBe(200);
  // Two sender connections, one TLS 1.0 connection upstream: the route's agent keeps it alive.
  expect(backend.connections).toBe(1);

  // Same host:port, stricter settings: a shared pool would have answered 200 on the idle TLS 1.0
  // socket; a per-route agent opens its own connection, which the TLS 1.0 backend refuses.
  expect(await post('/strict')).toBe(502);
  await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/strict' && l.errorCode === 'TLSGATE_UPSTREAM_TLS_HANDSHAKE');
  expect(backend.handshakeFailures).toBe(1);

  expect(await post('/other-ca')).toBe(502);
  await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/other-ca' && l.errorCode === 'TLSGATE_UPSTREAM_TLS_UNTRUSTED');
  // That route's handshake completed (then tlsgate refused the certificate): a second connection.
  expect(backend.connections).toBe(2);

  // The first route still has its idle connection and uses it.
  expect(await post('/legacy')).toBe(200);
  expect(backend.connections).toBe(2);
  expect(backend.received.map((r) => r.url)).toEqual(['/legacy', '/legacy', '/legacy']);
});
