/**
 * Drain: a slow upstream holds a request; SIGTERM arrives; the request still completes with the
 * upstream's status, new connections are refused, and the process exits 0 within the grace period.
 * Run for a single process and for a cluster (workers: 2), where the primary fans SIGTERM out.
 */
import fs from 'node:fs';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { makeChain, tmpDir, writeFiles } from '../helpers/certs.js';
import { spawnServe, type ServeProcess } from '../helpers/cli.js';
import { post, writeConfig } from './ops-harness.js';

const GRACE_S = 15;
const HOLD_MS = 1500;

describe.each([1, 2])('drain on SIGTERM (workers: %i)', (workers) => {
  let backend: Backend;
  let dir: string;
  let p: ServeProcess;
  let held: (() => void) | undefined;
  const chain = makeChain();

  beforeAll(async () => {
    // The upstream answers /slow only after HOLD_MS, with 202 and an event id, like a real receiver.
    backend = await startHttpBackend((r, res: http.ServerResponse) => {
      if (r.url === '/slow') {
        held?.();
        setTimeout(() => (res.writeHead(202, { 'content-type': 'text/plain' }), res.end('evt-slow\n')), HOLD_MS);
      } else res.end('ok');
    });
    dir = tmpDir();
    writeFiles(dir, { 'server.crt': chain.fullchain, 'server.key': chain.leaf.key });
  });
  afterAll(async () => {
    await p?.stop('SIGKILL');
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('completes the request in flight with the upstream status and exits 0 inside the grace period', async () => {
    const config = writeConfig(dir, { routes: [{ path: '/', upstream: backend.url }], workers });
    p = spawnServe(['--config', config, '--grace', String(GRACE_S)]);
    const started = await p.waitFor((l) => l.event === 'started');
    expect(started['workers']).toBe(workers);
    const port = (started['listeners'] as { port: number }[])[0]!.port;

    const reachedUpstream = new Promise<void>((r) => (held = r));
    const inFlight = post(port, chain.root.cert, '{"events":[{"id":"evt-slow"}]}', '/slow').catch((e: Error) => e);
    await reachedUpstream;
    const sigterm = Date.now();
    p.child.kill('SIGTERM');
    await p.waitFor((l) => l.event === 'stopping');

    const res = await inFlight;
    expect(res).toMatchObject({ status: 202, body: 'evt-slow\n' });
    const code = await p.exited;
    expect(code).toBe(0);
    expect(Date.now() - sigterm).toBeLessThan(GRACE_S * 1000);
    // Every process (the single one, or each worker and the primary) logged its own clean stop.
    expect(p.lines.filter((l) => l.event === 'stopped')).toHaveLength(workers === 1 ? 1 : workers + 1);
    expect(p.lines.filter((l) => l.event === 'request' && l['status'] === 202)).toHaveLength(1);
  });
});
