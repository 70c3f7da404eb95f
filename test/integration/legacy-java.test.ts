/**
 * End to end: the Java client that behaves like the sender (TLS 1.2, the sender's suites) posts
 * a signed webhook through tlsgate to a TLS 1.0-only backend; the backend gets the exact bytes
 * and the X-FS-Signature header untouched, so its own signature check still passes.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';
import { javaSender } from '../helpers/peers.js';

const SECRET = 'test-only-webhook-secret';
let backend: LegacyBackend;
let gw: Gateway;

beforeAll(async () => {
  const self = makeCert({ cn: 'legacy.internal', sans: ['127.0.0.1'], bits: 1024, md: 'sha1' });
  backend = await startTlsBackend({ cert: self.cert, key: self.key, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' });
  const dir = tmpDir();
  const files = writeFiles(dir, { 'legacy.pem': self.cert });
  gw = await startGateway(
    {
      routes: [
        { path: '/fastspring', upstream: { url: `${backend.url}/webhooks/fs`, tls: { ca: files['legacy.pem'] } } },
        { path: '/buffered', upstream: { url: `${backend.url}/webhooks/fs`, bufferBody: true, tls: { ca: files['legacy.pem'] } } },
      ],
    },
    { dir },
  );
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

// Multi-byte UTF-8, CRLF, a tab and trailing spaces: anything that re-encoding or trimming would change.
const BODY = Buffer.from('{"events":[{"id":"Ev-1","type":"order.completed","data":{"name":"Zoë Müller – 東京","note":"a\\tb"}}]}\r\n  ', 'utf8');
const SIGNATURE = createHmac('sha256', SECRET).update(BODY).digest('base64');

for (const path of ['/fastspring', '/buffered']) {
  it(`${path}: the Java sender's signed post reaches the TLS 1.0 backend byte for byte`, async () => {
    const before = backend.received.length;
    const r = await javaSender({ url: gw.url(`${path}/order`), caFile: gw.caFile, body: BODY, secret: SECRET });
    expect(r).toMatchObject({ ok: true, status: 200, protocol: 'TLSv1.2', body: 'processed' });
    const got = backend.received[before]!;
    expect(got.protocol).toBe('TLSv1');
    expect(got.cipher).toBe('AES128-SHA');
    expect(got.url).toBe('/webhooks/fs/order');
    expect(got.body.equals(BODY)).toBe(true);
    expect(got.headers['x-fs-signature']).toBe(SIGNATURE);
    expect(createHmac('sha256', SECRET).update(got.body).digest('base64')).toBe(got.headers['x-fs-signature']);
    expect(got.headers['content-type']).toBe('application/json');
    const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === `${path}/order`);
    expect(log).toMatchObject({ status: 200, outcome: 'processed', bytesIn: BODY.length, upstreamTls: { protocol: 'TLSv1', cipher: 'AES128-SHA' } });
    // The signature is a credential-like value: it may be forwarded, never logged.
    expect(JSON.stringify(gw.logs.lines)).not.toContain(SIGNATURE);
  });
}
