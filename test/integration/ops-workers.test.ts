/**
 * Workers: with `workers: 2` both workers serve (distinct pids in the request logs), killing one
 * loses no listener and it is replaced, and SIGHUP to the primary reloads both workers.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { makeChain, tmpDir, writeFiles } from '../helpers/certs.js';
import { spawnServe, tlsgate, type ServeProcess } from '../helpers/cli.js';
import type { LogLine } from '../helpers/log-sink.js';
import path from 'node:path';
import { post, postContinuously, writeConfig } from './ops-harness.js';

describe('workers: 2', () => {
  let backend: Backend;
  let dir: string;
  let p: ServeProcess;
  let port: number;
  let workerPids: number[];
  let admin: string;
  const chain = makeChain();
  const ca = chain.root.cert;

  beforeAll(async () => {
    backend = await startHttpBackend();
    dir = tmpDir();
    writeFiles(dir, { 'server.crt': chain.fullchain, 'server.key': chain.leaf.key });
    const config = writeConfig(dir, { routes: [{ path: '/', upstream: backend.url }], workers: 2, admin: { listen: '127.0.0.1:0' } });
    p = spawnServe(['--config', config, '--grace', '5', '--no-watch']);
    const started = await p.waitFor((l) => l.event === 'started');
    port = (started['listeners'] as { port: number }[])[0]!.port;
    workerPids = started['workerPids'] as number[];
    admin = started['admin'] as string;
  });
  afterAll(async () => {
    await p?.stop('SIGKILL');
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Posts `n` webhooks one after another, each on a new connection; returns the statuses. */
  async function postMany(n: number, tag: string): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await post(port, ca, JSON.stringify({ events: [{ id: `${tag}-${i}` }] }))).status);
    return statuses;
  }
  const requestPids = (from: number) => new Set(p.lines.slice(from).filter((l) => l.event === 'request').map((l) => l['pid'] as number));

  it('starts two workers that both serve the one port', async () => {
    expect(workerPids).toHaveLength(2);
    expect(new Set(workerPids).size).toBe(2);
    expect(workerPids).not.toContain(p.child.pid);
    const from = p.lines.length;
    expect(await postMany(12, 'a')).toEqual(Array(12).fill(200));
    await p.waitFor((l) => p.lines.slice(from).filter((x) => x.event === 'request').length >= 12 && l.event === 'request');
    expect([...requestPids(from)].sort()).toEqual([...workerPids].sort());
  });

  it('reports the admin address in the summary line, and each worker answers /readyz on it', async () => {
    expect(admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Fresh connections are dealt out to the workers in turn; every one of them must be ready.
    const answers = await Promise.all(Array.from({ length: 4 }, () => fetch(`${admin}/readyz`, { headers: { connection: 'close' } }).then((r) => r.status)));
    expect(answers).toEqual([200, 200, 200, 200]);
  });

  it('replaces a killed worker and keeps serving the port meanwhile', async () => {
    const [victim, survivor] = workerPids as [number, number];
    process.kill(victim, 'SIGKILL');
    const exited = await p.waitFor((l) => l.event === 'worker_exited' && l['workerPid'] === victim);
    expect(exited).toMatchObject({ level: 'error', signal: 'SIGKILL' });
    // Before the replacement is up, the survivor alone answers on the same port.
    const from = p.lines.length;
    expect(await postMany(4, 'b')).toEqual(Array(4).fill(200));
    const replaced = await p.waitFor((l) => l.event === 'worker_replaced' && l['replaces'] === victim);
    const fresh = replaced['workerPid'] as number;
    expect([victim, survivor]).not.toContain(fresh);
    expect(await postMany(12, 'c')).toEqual(Array(12).fill(200));
    await p.waitFor((l) => l.event === 'request' && l['pid'] === fresh);
    expect(requestPids(from).has(victim)).toBe(false);
    workerPids = [survivor, fresh];
  });

  it('SIGHUP to the primary reloads every worker to the same generation, with zero failed posts', async () => {
    const load = postContinuously(port, ca);
    p.child.kill('SIGHUP');
    const summary = await p.waitFor((l) => l.event === 'reloaded' && l['pid'] === p.child.pid);
    expect(summary).toMatchObject({ reason: 'SIGHUP', generation: 2 });
    expect([...(summary['workerPids'] as number[])].sort()).toEqual([...workerPids].sort());
    const perWorker = (pid: number) => p.waitFor((l: LogLine) => l.event === 'reloaded' && l['pid'] === pid);
    for (const pid of workerPids) expect(await perWorker(pid)).toMatchObject({ generation: 2 });
    const results = await load.stop();
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('an invalid certificate is refused by every worker and generation 2 stays in force', async () => {
    fs.writeFileSync(path.join(dir, 'server.crt'), 'not a certificate\n');
    p.child.kill('SIGHUP');
    const refused = await p.waitFor((l) => l.event === 'reload_failed' && l['pid'] === p.child.pid);
    expect(refused).toMatchObject({ level: 'error', generation: 2 });
    expect([...(refused['failedPids'] as number[])].sort()).toEqual([...workerPids].sort());
    expect(refused['error']).toContain('TLSGATE_CERT_NOT_PEM');
    expect(await postMany(4, 'd')).toEqual(Array(4).fill(200));
  });

  it('a changed workers count is reloaded everywhere else but asks for a restart', async () => {
    fs.writeFileSync(path.join(dir, 'server.crt'), chain.fullchain);
    writeConfig(dir, { routes: [{ path: '/', upstream: backend.url }], workers: 3, admin: { listen: '127.0.0.1:0' } });
    p.child.kill('SIGHUP');
    expect(await p.waitFor((l) => l.event === 'reloaded' && l['pid'] === p.child.pid && l['generation'] === 3)).toBeDefined();
    expect(await p.waitFor((l) => l.event === 'restart_needed')).toMatchObject({ level: 'warn', field: 'workers', running: 2, configured: 3 });
  });

  it('SIGTERM to the primary stops every worker and exits 0', async () => {
    expect(await p.stop('SIGTERM')).toBe(0);
    const stopped = p.lines.filter((l) => l.event === 'stopped').map((l) => l['pid']);
    expect(stopped.sort()).toEqual([...workerPids, p.child.pid].sort());
  });
});

describe('workers: 2 that cannot start', () => {
  it('exit 1 with the workers\' error printed once, as a single process would print it', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    const dir = tmpDir();
    const chain = makeChain();
    writeFiles(dir, { 'server.crt': chain.fullchain, 'server.key': chain.leaf.key });
    const config = writeConfig(dir, { listeners: [{ port, host: '127.0.0.1', allowAnyPort: true, cert: 'server.crt', key: 'server.key' }], routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }], workers: 2 });
    try {
      const r = await tlsgate(['serve', '--config', config]);
      expect(r.code).toBe(1);
      expect(r.stderr.match(/TLSGATE_LISTEN_FAILED: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/g)).toHaveLength(1);
      expect(r.stderr).toContain('fix: another process holds this port');
    } finally {
      busy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('workers: a bad value', () => {
  it.each([0, 'many', 1.5])('workers: %s is refused at start with file:line:col, the field and the accepted forms', async (value) => {
    const dir = tmpDir();
    try {
      const config = writeConfig(dir, { routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }], workers: value });
      const r = await tlsgate(['serve', '--config', config]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: workers: must be "auto" \\(one worker per CPU core\\) or a whole number from 1 to 64, got ${JSON.stringify(JSON.stringify(value)).slice(1, -1)}`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
