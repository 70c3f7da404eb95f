/**
 * A plain HTTP/1.0 backend that refuses chunked request bodies (a raw `net` server): what
 * happens without `bufferBody`, and how `bufferBody: true` fixes it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startHttp10Backend, type LegacyBackend } from '../helpers/legacy-backends.js';

let backend: LegacyBackend & { rawHeads: string[] };
let gw: Gateway;

beforeAll(async () => {
  backend = await startHttp10Backend();
  gw = await startGateway({
    routes: [
      { path: '/streamed', upstream: backend.url },
      { path: '/buffered', maxBodyBytes: 4096, upstream: { url: `${backend.url}/cgi-bin/hook.pl`, bufferBody: true } },
    ],
  });
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

/** curl sending the body chunked, as a sender that streams its body would. */
function postChunked(path: string, body: Buffer) {
  return gw.post(path, body, ['-H', 'Transfer-Encoding: chunked']);
}

it('without bufferBody, a body sent with Content-Length reaches the HTTP/1.0 backend as is', async () => {
  const body = randomBytes(300);
  // curl prints the response body, then the status on a line of its own.
  const r = await gw.post('/streamed/a', body);
  // The HTTP/1.0 answer has no Content-Length (its body ends at close); the sender still gets it whole.
  expect(r.body).toBe('processed by an HTTP/1.0 server\n');
  expect(r.status).toBe(200);
  expect(backend.received.at(-1)!.body.equals(body)).toBe(true);
});

it('without bufferBody, a chunked body is passed on chunked and the HTTP/1.0 backend refuses it (411 reaches the sender)', async () => {
  const before = backend.received.length;
  const r = await postChunked('/streamed/b', randomBytes(300));
  // This is the failure bufferBody exists for: the backend cannot read the body, answers 411,
  // and the sender counts a failed delivery and retries later.
  expect(r.status).toBe(411);
  expect(backend.received.length).toBe(before);
  expect(backend.rawHeads.at(-1)).toMatch(/^transfer-encoding: chunked$/im);
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/streamed/b');
  expect(log).toMatchObject({ status: 411, outcome: 'unprocessed' });
});

it('with bufferBody: true, the same chunked body arrives with Content-Length, byte for byte', async () => {
  const body = randomBytes(3000);
  const r = await postChunked('/buffered/order?id=7', body);
  expect(r.status).toBe(200);
  const got = backend.received.at(-1)!;
  expect(got.url).toBe('/cgi-bin/hook.pl/order?id=7');
  expect(got.headers['content-length']).toBe('3000');
  expect(got.headers['transfer-encoding']).toBeUndefined();
  expect(got.body.equals(body)).toBe(true);
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/buffered/order?id=7');
  expect(log).toMatchObject({ status: 200, outcome: 'processed', bytesIn: 3000 });
});

it('with bufferBody: true, a chunked body over maxBodyBytes gets 413 and the backend is never contacted', async () => {
  const connections = backend.connections;
  const r = await postChunked('/buffered/big', randomBytes(5000));
  expect(r.status).toBe(413);
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/buffered/big');
  expect(log).toMatchObject({ status: 413, errorCode: 'TLSGATE_BODY_TOO_LARGE', outcome: 'refused' });
  expect(log.hint).toMatch(/maxBodyBytes/);
  expect(backend.connections).toBe(connections);
});
