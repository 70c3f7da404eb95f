/**
 * A real OpenSSL peer as the legacy backend, not Node: `openssl s_server -tls1` with only
 * AES128-SHA (OpenSSL 3 needs @SECLEVEL=0 for TLS 1.0), answering HTTP through its stdin.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { opensslPin, startOpensslBackend, type LegacyBackend } from '../helpers/legacy-backends.js';

let backend: LegacyBackend & { output(): string };
let gw: Gateway;

beforeAll(async () => {
  const dir = tmpDir();
  const self = makeCert({ cn: 'old-iis.internal', sans: ['127.0.0.1'], bits: 1024, md: 'sha1' });
  backend = await startOpensslBackend({ dir, cert: self.cert, key: self.key, args: ['-tls1', '-cipher', 'AES128-SHA:@SECLEVEL=0'] });
  const files = writeFiles(dir, { 'old-iis.pem': self.cert });
  gw = await startGateway(
    {
      routes: [
        { path: '/ca', upstream: { url: `${backend.url}/hook.asp`, tls: { ca: files['old-iis.pem'] } } },
        { path: '/pin', upstream: { url: `${backend.url}/hook.asp`, tls: { pin: await opensslPin(self.cert) } } },
        { path: '/neither', upstream: { url: `${backend.url}/hook.asp` } },
      ],
    },
    { dir },
  );
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

/** Posts through tlsgate with curl; returns the status and the response body. */
async function post(path: string, body: string): Promise<{ status: number; body: string }> {
  const r = await gw.post(path, body, ['-H', 'Content-Type: application/json']);
  return { status: r.status, body: r.body };
}

it('reaches openssl s_server -tls1 with upstream.tls.ca', async () => {
  const r = await post('/ca', '{"to":"openssl","n":1}');
  expect(r).toEqual({ status: 200, body: 'processed by openssl s_server' });
  const got = backend.received.at(-1)!;
  expect(got).toMatchObject({ method: 'POST', url: '/hook.asp', cipher: 'AES128-SHA' });
  expect(got.body.toString()).toBe('{"to":"openssl","n":1}');
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/ca');
  expect(log).toMatchObject({ status: 200, outcome: 'processed', upstreamTls: { protocol: 'TLSv1', cipher: 'AES128-SHA' } });
});

it('reaches openssl s_server -tls1 with upstream.tls.pin', async () => {
  const r = await post('/pin', '{"to":"openssl","n":2}');
  expect(r.status).toBe(200);
  expect(backend.received.at(-1)!.body.toString()).toBe('{"to":"openssl","n":2}');
});

it('refuses the self-signed openssl backend with neither ca nor pin, and sends it nothing', async () => {
  const before = backend.received.length;
  const r = await post('/neither', '{"to":"openssl","n":3}');
  expect(r.status).toBe(502);
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/neither');
  expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_TLS_UNTRUSTED', outcome: 'upstream_error' });
  expect(backend.received.length).toBe(before);
  expect(backend.output()).not.toContain('"n":3');
});
