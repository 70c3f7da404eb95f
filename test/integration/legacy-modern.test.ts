/**
 * The modern side: a backend that accepts only TLS 1.2 with one ECDHE-GCM suite and a
 * CA-signed chain for a host name. The default upstream settings (TLSv1 and up,
 * "DEFAULT:@SECLEVEL=0") must still pick the strong suite, send SNI and check the name.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeChain, tmpDir, writeFiles } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';

let backend: LegacyBackend;
let gw: Gateway;

beforeAll(async () => {
  const chain = makeChain();
  backend = await startTlsBackend({ cert: chain.fullchain, key: chain.leaf.key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', host: 'localhost' });
  const dir = tmpDir();
  const files = writeFiles(dir, { 'backend-root.pem': chain.root.cert });
  gw = await startGateway(
    {
      routes: [
        { path: '/modern', upstream: { url: `${backend.url}/in`, tls: { ca: files['backend-root.pem'] } } },
        { path: '/old-only', upstream: { url: backend.url, tls: { ca: files['backend-root.pem'], ciphers: 'AES128-SHA:@SECLEVEL=0' } } },
      ],
    },
    { dir },
  );
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

it('forwards over TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 with SNI set to the URL host name', async () => {
  const r = await gw.post('/modern', '{"modern":true}');
  expect(r.status).toBe(200);
  expect(backend.received.at(-1)).toMatchObject({ url: '/in', protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', servername: 'localhost' });
  expect(backend.received.at(-1)!.body.toString()).toBe('{"modern":true}');
});

it('explains a cipher mismatch when the route allows only an old suite', async () => {
  const r = await gw.post('/old-only', '{}');
  expect(r.status).toBe(502);
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/old-only');
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_TLS_HANDSHAKE' });
  expect(log.hint).toMatch(/upstream\.tls\.ciphers/);
});
