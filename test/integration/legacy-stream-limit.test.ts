/**
 * The other side of bufferBody: without it the body streams through a byte counter, so a
 * chunked body over maxBodyBytes is cut at the limit while in flight: the sender gets 413 and
 * the upstream request is aborted before the backend has read a whole body.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { curl } from '../helpers/peers.js';

let backend: Backend;
let gw: Gateway;

beforeAll(async () => {
  backend = await startHttpBackend();
  gw = await startGateway({ routes: [{ path: '/', maxBodyBytes: 64 * 1024, upstream: backend.url }] });
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

it('a chunked body under the limit streams through whole', async () => {
  const body = randomBytes(60 * 1024);
  const r = await gw.post('/under', body, ['-H', 'Transfer-Encoding: chunked']);
  expect(r.status).toBe(200);
  expect(backend.received.at(-1)!.body.equals(body)).toBe(true);
});

it('a chunked body over the limit is cut in flight: 413 to the sender, no complete body upstream', async () => {
  const file = path.join(gw.dir, 'big.bin');
  fs.writeFileSync(file, randomBytes(1024 * 1024));
  const before = backend.received.length;
  const r = await curl(['--cacert', gw.caFile, '-H', 'Transfer-Encoding: chunked', '--data-binary', `@${file}`, gw.url('/over')]);
  expect(r.status).toBe(413);
  const log = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/over');
  expect(log).toMatchObject({ status: 413, errorCode: 'TLSGATE_BODY_TOO_LARGE' });
  expect(log.hint).toMatch(/maxBodyBytes/);
  expect(backend.received.length).toBe(before);
});
