/** A TLS 1.1-only backend (ECDHE-RSA-AES256-SHA at @SECLEVEL=0) reached with the default upstream TLS settings. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';

let backend: LegacyBackend;
let gw: Gateway;

beforeAll(async () => {
  const self = makeCert({ cn: 'legacy11.internal', sans: ['legacy11.internal', '127.0.0.1'] });
  backend = await startTlsBackend({ cert: self.cert, key: self.key, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0' });
  const dir = tmpDir();
  const files = writeFiles(dir, { 'legacy11.pem': self.cert });
  gw = await startGateway(
    {
      routes: [
        { path: '/tls11', upstream: { url: backend.url, tls: { ca: files['legacy11.pem'] } } },
        { path: '/tls12', upstream: { url: backend.url, tls: { ca: files['legacy11.pem'], minVersion: 'TLSv1.2' } } },
      ],
    },
    { dir },
  );
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

it('forwards to a TLS 1.1 backend with the default minVersion (TLSv1) and ciphers', async () => {
  const r = await gw.post('/tls11/x', '{"v":11}');
  expect(r.status).toBe(200);
  expect(backend.received.at(-1)).toMatchObject({ url: '/tls11/x', protocol: 'TLSv1.1', cipher: 'ECDHE-RSA-AES256-SHA' });
  expect(backend.received.at(-1)!.body.toString()).toBe('{"v":11}');
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/tls11/x');
  expect(log).toMatchObject({ status: 200, upstreamTls: { protocol: 'TLSv1.1', cipher: 'ECDHE-RSA-AES256-SHA' } });
});

it('explains a version mismatch when minVersion is raised to TLSv1.2', async () => {
  const r = await gw.post('/tls12', '{}');
  expect(r.status).toBe(502);
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/tls12');
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_TLS_HANDSHAKE', outcome: 'upstream_error' });
  expect(log.hint).toMatch(/minVersion/);
});
