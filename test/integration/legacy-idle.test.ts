/**
 * Idle pooled connections to a legacy backend are closed by tlsgate after IDLE_MS, so a webhook
 * is never written into a connection that an old server or its firewall dropped silently.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IDLE_MS } from '../../src/upstream/agents.js';
import { makeCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startTlsBackend } from '../helpers/legacy-backends.js';

let backend: Awaited<ReturnType<typeof startTlsBackend>>;
let gw: Gateway;

beforeAll(async () => {
  const self = makeCert({ cn: 'old', sans: ['127.0.0.1'], bits: 1024 });
  backend = await startTlsBackend({ cert: self.cert, key: self.key, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' });
  // The backend itself would keep an idle connection for a minute: any earlier close is tlsgate's.
  backend.server.keepAliveTimeout = 60_000;
  const dir = tmpDir();
  const files = writeFiles(dir, { 'old.pem': self.cert });
  gw = await startGateway({ routes: [{ path: '/', upstream: { url: backend.url, tls: { ca: files['old.pem'] } } }] }, { dir });
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

it('closes the idle upstream connection itself, then opens a fresh one for the next webhook', async () => {
  const closed = new Promise<void>((resolve) => backend.server.once('secureConnection', (s) => s.once('close', () => resolve())));
  expect((await gw.post('/one', '{}')).status).toBe(200);
  expect(backend.closedConnections).toBe(0);
  // Bounded wait for the event (not a timing assertion): well past IDLE_MS, far below the backend's 60 s.
  await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('tlsgate kept the idle connection open')), IDLE_MS + 10_000))]);
  expect(backend.closedConnections).toBe(1);
  expect((await gw.post('/two', '{}')).status).toBe(200);
  expect(backend.connections).toBe(2);
  expect(backend.received.map((r) => r.url)).toEqual(['/one', '/two']);
});
