/**
 * Old backends often keep an expired self-signed certificate: with `ca:` tlsgate refuses it
 * and says why; with `pin:` it is reached, because a pin trusts exactly that key.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCert } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { opensslPin, startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';

let backend: LegacyBackend;
let gw: Gateway;

beforeAll(async () => {
  const day = 86_400_000;
  const expired = makeCert({ cn: 'old.internal', sans: ['127.0.0.1'], bits: 1024, notBefore: new Date(Date.now() - 900 * day), notAfter: new Date(Date.now() - 30 * day) });
  backend = await startTlsBackend({ cert: expired.cert, key: expired.key, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' });
  gw = await startGateway(
    {
      routes: [
        { path: '/ca', upstream: { url: backend.url, tls: { ca: 'old.pem' } } },
        { path: '/pin', upstream: { url: backend.url, tls: { pin: await opensslPin(expired.cert) } } },
      ],
    },
    { files: { 'old.pem': expired.cert } },
  );
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

async function post(path: string): Promise<number> {
  return (await gw.post(path, '{}')).status;
}

it('with ca: an expired backend certificate is refused, and the hint suggests a pin', async () => {
  expect(await post('/ca')).toBe(502);
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/ca');
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_TLS_UNTRUSTED', cause: 'CERT_HAS_EXPIRED' });
  expect(log.hint).toMatch(/expired.*upstream\.tls\.pin/);
});

it('with pin: the same backend is reached', async () => {
  expect(await post('/pin')).toBe(200);
  expect(backend.received).toHaveLength(1);
});
