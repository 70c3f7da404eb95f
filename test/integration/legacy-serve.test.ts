/**
 * `tlsgate serve` as a user runs it (the built CLI, a real process): `verify: false` is
 * warned about at start with file:line:col, and the process reaches a TLS 1.0 backend.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnServe, tlsgate } from '../helpers/cli.js';
import { makeCert, makeChain, tmpDir, writeFiles } from '../helpers/certs.js';
import { startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';
import { curl } from '../helpers/peers.js';

const dir = tmpDir();
let backend: LegacyBackend;
let file: string;
let files: Record<string, string>;

beforeAll(async () => {
  const old = makeCert({ cn: 'old.internal', sans: ['127.0.0.1'], bits: 1024, md: 'sha1' });
  backend = await startTlsBackend({ cert: old.cert, key: old.key, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' });
  const chain = makeChain();
  files = writeFiles(dir, { 'server.crt': chain.fullchain, 'server.key': chain.leaf.key, 'root.pem': chain.root.cert, 'old.pem': old.cert });
  file = path.join(dir, 'tlsgate.yaml');
  fs.writeFileSync(
    file,
    `listeners:
  - port: 0
    allowAnyPort: true
    host: 127.0.0.1
    cert: server.crt
    key: server.key
routes:
  - path: /unchecked
    upstream:
      url: ${backend.url}
      tls:
        verify: false
  - path: /checked
    upstream:
      url: ${backend.url}
      tls: { ca: old.pem, minVersion: TLSv1 }
`,
  );
});

afterAll(async () => {
  await backend?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('warns about verify: false at start (file:line:col) and forwards to the TLS 1.0 backend', async () => {
  const p = spawnServe(['--config', file]);
  try {
    const warning = await p.waitFor((l) => l.event === 'config_warning' && l.path === 'routes[0].upstream.tls.verify');
    expect(warning).toMatchObject({ level: 'warn', file, line: 12, col: 17, path: 'routes[0].upstream.tls.verify' });
    expect(warning.msg).toContain('the upstream certificate is not checked');
    const started = await p.waitFor((l) => l.event === 'started');
    const port = (started.listeners as { port: number }[])[0]!.port;
    for (const route of ['/unchecked', '/checked']) {
      const r = await curl(['--cacert', files['root.pem']!, '--data-binary', '@-', `https://localhost:${port}${route}`, '--resolve', `localhost:${port}:127.0.0.1`], `{"route":"${route}"}`);
      expect(r.status).toBe(200);
      const log = await p.waitFor((l) => l.event === 'request' && l.path === route);
      expect(log).toMatchObject({ status: 200, upstreamTls: { protocol: 'TLSv1', cipher: 'AES128-SHA' } });
    }
    expect(backend.received.map((r) => r.body.toString())).toEqual(['{"route":"/unchecked"}', '{"route":"/checked"}']);
  } finally {
    expect(await p.stop()).toBe(0);
  }
});

it('`config validate` prints the same warning and a bad pin as an error with file:line:col', async () => {
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, fs.readFileSync(file, 'utf8').replace('tls: { ca: old.pem, minVersion: TLSv1 }', 'tls: { pin: "sha256/nope", minVersion: TLSv1 }'));
  const r = await tlsgate(['config', 'validate', '--config', bad]);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`${bad}:12:17: warning: routes[0].upstream.tls.verify: is false`);
  expect(r.stdout).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:16:19: error: routes\\[1\\]\\.upstream\\.tls\\.pin: must be "sha256/"`));
});
