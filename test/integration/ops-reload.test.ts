/**
 * Reload under load: while a client posts continuously (a new TLS handshake per post), the
 * certificate is replaced via SIGHUP and via a file change. No post may fail, the new certificate
 * is served afterwards, and an invalid replacement is refused with the old one kept in force.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { makeCert, makeChain, tmpDir, writeFiles } from '../helpers/certs.js';
import { spawnServe, type ServeProcess } from '../helpers/cli.js';
import { fingerprintOf, postContinuously, replaceAtomically, servedFingerprint, writeConfig } from './ops-harness.js';

describe('reload under load', () => {
  let backend: Backend;
  const chain = makeChain();
  // Same CA, new leaf key: the client trusts both, so a failed post can only come from the swap.
  const next = makeCert({ cn: 'localhost', sans: ['localhost', '127.0.0.1'] }, chain.intermediate);
  const third = makeCert({ cn: 'localhost', sans: ['localhost', '127.0.0.1'] }, chain.intermediate);
  const dirs: string[] = [];
  const procs: ServeProcess[] = [];

  beforeAll(async () => {
    backend = await startHttpBackend();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await backend.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  async function start(flags: string[]) {
    const dir = tmpDir();
    dirs.push(dir);
    const files = writeFiles(dir, { 'server.crt': chain.fullchain, 'server.key': chain.leaf.key, 'ca.pem': chain.root.cert });
    const config = writeConfig(dir, { routes: [{ path: '/', upstream: backend.url }] });
    const p = spawnServe(['--config', config, ...flags]);
    procs.push(p);
    const started = await p.waitFor((l) => l.event === 'started');
    // The one summary line: version, generation, workers, listeners with subject and expiry, routes.
    expect(started).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), generation: 1, workers: 1, admin: null, routes: [{ path: '/', upstream: backend.url }] });
    expect((started['listeners'] as object[])[0]).toMatchObject({ host: '127.0.0.1', subject: 'localhost', daysToExpiry: expect.any(Number) });
    const port = (started['listeners'] as { port: number }[])[0]!.port;
    const ca = fs.readFileSync(files['ca.pem']!, 'utf8');
    expect(await servedFingerprint(port, ca)).toBe(fingerprintOf(chain.leaf.cert));
    return { dir, p, port, ca };
  }

  it('SIGHUP swaps the certificate with zero failed posts; a mismatched key is refused and the old one stays', async () => {
    const { dir, p, port, ca } = await start(['--no-watch']);
    const load = postContinuously(port, ca);
    await until(() => load.results.length >= 10);
    replaceAtomically(path.join(dir, 'server.key'), next.key);
    replaceAtomically(path.join(dir, 'server.crt'), next.cert + chain.intermediate.cert);
    p.child.kill('SIGHUP');
    const reloaded = await p.waitFor((l) => l.event === 'reloaded');
    expect(reloaded).toMatchObject({ reason: 'SIGHUP', generation: 2 });
    const atReload = load.results.length;
    await until(() => load.results.length >= atReload + 10);

    // Invalid: a certificate whose key is not in server.key (third's cert with next's key).
    replaceAtomically(path.join(dir, 'server.crt'), third.cert + chain.intermediate.cert);
    p.child.kill('SIGHUP');
    const refused = await p.waitFor((l) => l.event === 'reload_failed');
    expect(refused).toMatchObject({ reason: 'SIGHUP', generation: 2, code: 'TLSGATE_CERT_KEY_MISMATCH' });
    const atRefusal = load.results.length;
    await until(() => load.results.length >= atRefusal + 10);

    // A listener change cannot be applied by a reload: refused with its own code, old config kept.
    replaceAtomically(path.join(dir, 'server.crt'), next.cert + chain.intermediate.cert);
    writeConfig(dir, { routes: [{ path: '/', upstream: backend.url }], listeners: [{ port: 9, host: '127.0.0.1', allowAnyPort: true, cert: 'server.crt', key: 'server.key' }] });
    p.child.kill('SIGHUP');
    const portChange = await p.waitFor((l) => l.event === 'reload_failed' && l['code'] !== 'TLSGATE_CERT_KEY_MISMATCH');
    expect(portChange).toMatchObject({ generation: 2, code: 'TLSGATE_RELOAD_NEEDS_RESTART' });
    const atPortChange = load.results.length;
    await until(() => load.results.length >= atPortChange + 5);
    const results = await load.stop();

    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(await servedFingerprint(port, ca)).toBe(fingerprintOf(next.cert));
    // Posts before the reload saw the old certificate, posts after it the new one.
    expect(results[0]!.fingerprint).toBe(fingerprintOf(chain.leaf.cert));
    expect(results.at(-1)!.fingerprint).toBe(fingerprintOf(next.cert));
    expect(backend.received.length).toBeGreaterThanOrEqual(results.length);
  });

  it('a file change swaps the certificate with zero failed posts; a non-PEM certificate or a config typo is refused and the old one stays', async () => {
    const { dir, p, port, ca } = await start(['--watch-debounce', '300']);
    const load = postContinuously(port, ca);
    await until(() => load.results.length >= 10);
    // certbot-style: both files replaced by rename within the debounce window.
    replaceAtomically(path.join(dir, 'server.key'), next.key);
    replaceAtomically(path.join(dir, 'server.crt'), next.cert + chain.intermediate.cert);
    const reloaded = await p.waitFor((l) => l.event === 'reloaded');
    expect(reloaded['reason']).toMatch(/^file change: .*server\.(crt|key)/);
    expect(reloaded['generation']).toBe(2);
    const atReload = load.results.length;
    await until(() => load.results.length >= atReload + 10);

    fs.writeFileSync(path.join(dir, 'server.crt'), 'this is not a certificate\n');
    const refused = await p.waitFor((l) => l.event === 'reload_failed');
    expect(refused).toMatchObject({ generation: 2, code: 'TLSGATE_CERT_NOT_PEM' });
    const atRefusal = load.results.length;
    await until(() => load.results.length >= atRefusal + 10);

    // A config with a typo is refused with the same file:line:col issues as at start.
    const configFile = path.join(dir, 'tlsgate.yaml');
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('routes:', 'routs:'));
    const badConfig = await p.waitFor((l) => l.event === 'reload_failed' && l['code'] === 'TLSGATE_CONFIG_INVALID');
    expect(badConfig['generation']).toBe(2);
    expect(badConfig['issues']).toEqual(expect.arrayContaining([expect.objectContaining({ file: configFile, path: 'routs', line: expect.any(Number), message: expect.stringContaining('did you mean "routes"') })]));
    const atBadConfig = load.results.length;
    await until(() => load.results.length >= atBadConfig + 5);
    const results = await load.stop();

    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(await servedFingerprint(port, ca)).toBe(fingerprintOf(next.cert));
    expect(p.lines.filter((l) => l.event === 'reloaded')).toHaveLength(1);
  });
});

/** Waits (bounded) until `cond` holds. */
async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
