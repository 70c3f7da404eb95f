/** An https:// upstream given by IPv6 literal ([::1]): no SNI is sent, and the certificate's IP SAN is checked. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';

let backend: LegacyBackend;
let gw: Gateway;

beforeAll(async () => {
  const good = makeCert({ cn: 'v6.internal', sans: ['::1'], bits: 1024 });
  backend = await startTlsBackend({ cert: good.cert, key: good.key, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0', listen: '::1' });
  const dir = tmpDir();
  const files = writeFiles(dir, { 'v6.pem': good.cert });
  gw = await startGateway(
    {
      routes: [
        { path: '/v6', upstream: { url: `${backend.url}/in`, hostHeader: 'legacy.internal', tls: { ca: files['v6.pem'] } } },
        { path: '/v6-keep-host', upstream: { url: backend.url, tls: { ca: files['v6.pem'] } } },
      ],
    },
    { dir },
  );
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

it('reaches a TLS 1.0 backend on [::1], checking the IPv6 SAN, and sends the configured Host header', async () => {
  expect(backend.url).toMatch(/^https:\/\/\[::1\]:\d+$/);
  const r = await gw.post('/v6', '{"v":6}');
  expect(r.status).toBe(200);
  expect(backend.received.at(-1)).toMatchObject({ url: '/in', protocol: 'TLSv1', servername: undefined, headers: { host: 'legacy.internal' } });
  expect(backend.received.at(-1)!.body.toString()).toBe('{"v":6}');
});

it('keeps the sender\'s Host header when hostHeader is not set', async () => {
  const r = await gw.post('/v6-keep-host', '{}');
  expect(r.status).toBe(200);
  expect(backend.received.at(-1)!.headers.host).toBe(`127.0.0.1:${gw.port}`);
});
