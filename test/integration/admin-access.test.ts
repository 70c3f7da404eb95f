/**
 * Admin config and access: loopback by default, a token (from the environment only) for
 * anything else, /healthz and /readyz open, read-only routes, clear errors for bad input.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError, TlsgateError } from '../../src/errors.js';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { curl } from '../helpers/peers.js';

const BASE = 'listeners:\n  - port: 8443\n    cert: a.crt\n    key: a.key\nroutes:\n  - path: /\n    upstream: http://127.0.0.1:8080\n';

function configErrors(yaml: string): string[] {
  try {
    parseConfig(BASE + yaml, '/etc/tlsgate/tlsgate.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message.split('\n').slice(1);
  }
  return [];
}

describe('admin and activity config', () => {
  it('refuses a non-loopback admin address without tokenEnv, naming the field, line and fix', () => {
    const errs = configErrors('admin:\n  listen: 0.0.0.0:9900\n');
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^\/etc\/tlsgate\/tlsgate\.yaml:9:11: error: admin\.listen: 0\.0\.0\.0:9900 is reachable from other machines/);
    expect(errs[0]).toMatch(/127\.0\.0\.1:9900/);
    expect(errs[0]).toMatch(/tokenEnv: NAME/);
  });

  it('refuses a token written in YAML and points to tokenEnv', () => {
    const errs = configErrors('admin:\n  listen: 127.0.0.1:9900\n  token: hunter2hunter2hunter2\n');
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/admin\.token: a token must not be written in the config file.*tokenEnv: TLSGATE_ADMIN_TOKEN/);
  });

  it.each([
    ['admin:\n  listen: 9900\n', /admin\.listen: must be a non-empty string/],
    ['admin:\n  listen: localhost\n', /admin\.listen: must be HOST:PORT such as 127\.0\.0\.1:9900/],
    ['admin:\n  listen: admin.example.com:9900\n', /admin\.listen: host must be an IP address or localhost/],
    ['admin:\n  listen: 127.0.0.1:70000\n', /admin\.listen: port must be 0-65535/],
    ['admin:\n  listen: 127.0.0.1:9900\n  tokenEnv: "my token"\n', /admin\.tokenEnv: must be the name of an environment variable/],
    ['admin:\n  listen: 127.0.0.1:9900\n  port: 1\n', /admin\.port: unknown key "port"/],
    ['activity:\n  size: 0\n', /activity\.size: must be a whole number from 1 to 10000, got number 0/],
  ])('rejects %j', (yaml, re) => {
    const errs = configErrors(yaml);
    expect(errs.join('\n')).toMatch(re);
  });

  it('accepts loopback (v4, v6, localhost), a token-protected public address, and the activity size', () => {
    for (const listen of ['127.0.0.1:9900', '"[::1]:9900"', 'localhost:9900']) {
      const { config } = parseConfig(BASE + `admin:\n  listen: ${listen}\n`, '/x.yaml');
      expect(config.admin?.tokenEnv).toBeUndefined();
    }
    const { config } = parseConfig(BASE + 'admin:\n  listen: 0.0.0.0:9900\n  tokenEnv: TLSGATE_ADMIN_TOKEN\nactivity:\n  size: 40\n', '/x.yaml');
    expect(config.admin).toEqual({ host: '0.0.0.0', port: 9900, tokenEnv: 'TLSGATE_ADMIN_TOKEN' });
    expect(config.activity).toEqual({ size: 40 });
    expect(parseConfig(BASE, '/x.yaml').config).toMatchObject({ activity: { size: 250 } });
    expect(parseConfig(BASE, '/x.yaml').config.admin).toBeUndefined();
  });

  it('warns that each worker answers admin requests for itself', () => {
    const { warnings } = parseConfig(BASE + 'workers: 2\nadmin:\n  listen: 127.0.0.1:9900\n', '/x.yaml');
    expect(warnings.map((w) => `${w.path}: ${w.message}`).join('\n')).toMatch(/^admin: with several workers/m);
  });
});

describe('admin start-up errors', () => {
  it('refuses to start when the token variable is unset or short, naming it and the fix', async () => {
    const cfg = { routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }], admin: { listen: '127.0.0.1:0', tokenEnv: 'TLSGATE_TEST_ADMIN_TOKEN' } };
    await expect(startGateway(cfg, { env: {} })).rejects.toThrow(/admin\.tokenEnv names TLSGATE_TEST_ADMIN_TOKEN, but that environment variable is not set.*openssl rand -hex 24/);
    const short = await startGateway(cfg, { env: { TLSGATE_TEST_ADMIN_TOKEN: 'short' } }).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(TlsgateError);
    expect((short as TlsgateError).code).toBe('TLSGATE_ADMIN_TOKEN');
    expect((short as TlsgateError).message).toMatch(/holds only 5 characters/);
  });

  it('reports an admin port that is taken with TLSGATE_ADMIN_LISTEN_FAILED', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const err = await startGateway({ routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }], admin: { listen: `127.0.0.1:${port}` } }).catch((e: unknown) => e);
      expect((err as TlsgateError).code).toBe('TLSGATE_ADMIN_LISTEN_FAILED');
      expect((err as TlsgateError).message).toContain(`admin.listen 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });
});

describe('admin routes with a token', () => {
  const TOKEN = 'test-admin-token-0123456789abcdef';
  let gw: Gateway;
  let backend: Backend;
  let release: (() => void) | undefined;
  let held: Promise<void>;

  beforeAll(async () => {
    let arrived: () => void = () => undefined;
    held = new Promise((r) => (arrived = r));
    // /slow is held open until the test releases it: a request in flight during shutdown.
    backend = await startHttpBackend((r, res) => {
      if (!r.url.startsWith('/slow')) return void res.end('ok');
      release = () => res.end('late');
      arrived();
    });
    gw = await startGateway({ routes: [{ path: '/', upstream: backend.url }], admin: { listen: '127.0.0.1:0', tokenEnv: 'TLSGATE_TEST_ADMIN_TOKEN' } }, { env: { TLSGATE_TEST_ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    release?.();
    await gw?.close();
    await backend?.close();
  });

  const get = (p: string, headers: Record<string, string> = {}, method = 'GET') => fetch(gw.app.admin()!.url + p, { method, headers });

  it('listens on loopback only', () => {
    expect(gw.app.admin()!.host).toBe('127.0.0.1');
  });

  it('requires the token for /activity, /metrics and the page; accepts Bearer and Basic', async () => {
    for (const p of ['/activity', '/metrics', '/']) {
      const res = await get(p);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="tlsgate admin"/);
      expect(await res.text()).toMatch(/Authorization: Bearer/);
      expect((await get(p, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
      expect((await get(p, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    }
    const basic = Buffer.from(`admin:${TOKEN}`).toString('base64');
    expect((await get('/activity', { authorization: `Basic ${basic}` })).status).toBe(200);
  });

  it('leaves /healthz and /readyz open for probes; /readyz lists the listeners', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { ready: boolean; listeners: { port: number; subject: string; chainLength: number; daysToExpiry: number }[] };
    expect(body.ready).toBe(true);
    expect(body.listeners).toEqual([expect.objectContaining({ port: gw.port, subject: 'localhost', chainLength: 2 })]);
  });

  it('/readyz reports the config generation in force, which a reload advances', async () => {
    const before = (await (await get('/readyz')).json()) as { generation: number };
    const file = path.join(gw.dir, 'tlsgate.yaml');
    await gw.app.reload(parseConfig(fs.readFileSync(file, 'utf8'), file).config);
    const after = (await (await get('/readyz')).json()) as { generation: number };
    expect(after.generation).toBe(before.generation + 1);
  });

  it('is read-only and explains bad paths and filters', async () => {
    const post = await get('/activity', { authorization: `Bearer ${TOKEN}` }, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const nf = await get('/nope', { authorization: `Bearer ${TOKEN}` });
    expect(nf.status).toBe(404);
    expect(await nf.text()).toMatch(/\/healthz \/readyz \/activity \/metrics \//);
    const bad = await get('/activity?filter=everything', { authorization: `Bearer ${TOKEN}` });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/filter must be one of all, processed, unprocessed, failed, got "everything"/);
  });

  it('/readyz turns 503 while requests drain on close, then the admin server stops', async () => {
    const inFlight = curl(['--cacert', gw.caFile, gw.url('/slow')]);
    await held;
    const adminUrl = gw.app.admin()!.url;
    const closing = gw.app.close(10_000);
    const res = await fetch(adminUrl + '/readyz');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { reasons: string[] }).reasons[0]).toMatch(/shutting down/);
    release!();
    expect((await inFlight).status).toBe(200);
    await closing;
    await expect(fetch(adminUrl + '/healthz')).rejects.toThrow();
    expect(gw.app.admin()).toBeUndefined();
  });
});

describe('activity ring buffer', () => {
  it('keeps only the newest activity.size entries', async () => {
    const gw = await startGateway({ routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }], admin: { listen: '127.0.0.1:0' }, activity: { size: 3 } });
    try {
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve) => {
          const s = net.connect(gw.port, '127.0.0.1', () => s.write(`garbage ${i}\r\n`));
          s.on('error', () => undefined);
          s.on('close', () => resolve());
        });
      }
      for (let i = 0; i < 200 && gw.logs.lines.filter((l) => l.event === 'handshake_failed').length < 5; i++) await new Promise((r) => setTimeout(r, 10));
      const body = (await (await fetch(`${gw.app.admin()!.url}/activity`)).json()) as { capacity: number; entries: { id: number; classification: string }[] };
      expect(body.capacity).toBe(3);
      expect(body.entries.map((e) => e.id)).toEqual([5, 4, 3]);
      expect(body.entries.every((e) => e.classification === 'not_tls')).toBe(true);

      // A reload that changes activity: says it needs a restart, and the ring keeps its size.
      const file = path.join(gw.dir, 'tlsgate.yaml');
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toMatch(/size: 3/);
      await gw.app.reload(parseConfig(text.replace('size: 3', 'size: 4'), file).config);
      const warn = await gw.logs.waitFor((l) => l.event === 'reload_restart_needed');
      expect(warn.level).toBe('warn');
      expect(((await (await fetch(`${gw.app.admin()!.url}/activity`)).json()) as { capacity: number }).capacity).toBe(3);
    } finally {
      await gw.close();
    }
  });
});
