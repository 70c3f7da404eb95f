/** /metrics parsed as Prometheus text: handshakes, suites, requests, upstream errors, durations, expiry. */
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { curl, sClient } from '../helpers/peers.js';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
}
interface Family {
  name: string;
  type: string;
  metrics: Sample[];
}
// The parser ships no types; this is its documented output shape (prom2json's).
const parseProm = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

let gw: Gateway;
let backend: Backend;
let deadPort: number;

beforeAll(async () => {
  backend = await startHttpBackend();
  // A port that was just free: the "dead" route's upstream refuses connections.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  gw = await startGateway({
    routes: [
      { name: 'dead', path: '/dead', upstream: `http://127.0.0.1:${deadPort}` },
      { name: 'hooks', path: '/', upstream: backend.url },
    ],
    admin: { listen: '127.0.0.1:0' },
  });
});
afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

async function scrape(g: Gateway): Promise<Family[]> {
  const res = await fetch(`${g.app.admin()!.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  // The parser folds labelled histograms into one unlabelled sample and loses `_count`; reading
  // histogram families as untyped keeps every _bucket/_count/_sum series with its labels.
  const families = parseProm(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  const types = new Map(parseProm(text).map((f) => [f.name, f.type]));
  return families.map((f) => ({ ...f, type: types.get(f.name) ?? f.type }));
}

function samples(families: Family[], name: string, labels: Record<string, string> = {}): Sample[] {
  // Untyped families repeat their name once per label set: gather all of them.
  return families.filter((x) => x.name === name).flatMap((f) => f.metrics).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

function value(families: Family[], name: string, labels: Record<string, string> = {}): number {
  return samples(families, name, labels).reduce((s, m) => s + Number(m.value ?? 0), 0);
}

describe('/metrics', () => {
  it('counts handshakes, suites, requests by route and status class, upstream errors and durations', async () => {
    expect((await curl(['--cacert', gw.caFile, '-X', 'POST', '--data', 'x', gw.url('/hook')])).status).toBe(200);
    const aes128 = await sClient(gw.port, ['-tls1_2', '-cipher', 'AES128-SHA256', '-CAfile', gw.caFile]);
    expect(aes128.cipher).toBe('AES128-SHA256');
    expect((await curl(['--cacert', gw.caFile, '-X', 'POST', '--data', 'x', gw.url('/dead/hook')])).status).toBe(502);
    expect((await sClient(gw.port, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'])).handshakeOk).toBe(false);
    await gw.logs.waitFor((l) => l.event === 'handshake_failed');
    await gw.logs.waitFor((l) => l.event === 'request' && l['status'] === 502);

    const m = await scrape(gw);
    const port = String(gw.port);
    expect(value(m, 'tlsgate_handshakes_total', { port, result: 'failed', classification: 'no_shared_cipher' })).toBe(1);
    expect(value(m, 'tlsgate_handshakes_total', { port, result: 'ok' })).toBe(3);
    expect(value(m, 'tlsgate_negotiated_suites_total', { protocol: 'TLSv1.2', suite: 'TLS_RSA_WITH_AES_128_CBC_SHA256' })).toBe(1);
    expect(value(m, 'tlsgate_negotiated_suites_total', { protocol: 'TLSv1.2', suite: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256' })).toBe(2);
    expect(value(m, 'tlsgate_requests_total', { route: 'hooks', status_class: '2xx', outcome: 'processed' })).toBe(1);
    expect(value(m, 'tlsgate_requests_total', { route: 'dead', status_class: '5xx', outcome: 'upstream_error' })).toBe(1);
    expect(value(m, 'tlsgate_upstream_errors_total', { route: 'dead', code: 'TLSGATE_UPSTREAM_REFUSED' })).toBe(1);

    expect(m.find((f) => f.name === 'tlsgate_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(value(m, 'tlsgate_request_duration_seconds_count')).toBe(2);
    expect(value(m, 'tlsgate_request_duration_seconds_count', { route: 'hooks', status_class: '2xx' })).toBe(1);
    expect(value(m, 'tlsgate_request_duration_seconds_bucket', { route: 'dead', le: '+Inf' })).toBe(1);
    expect(value(m, 'tlsgate_handshake_duration_seconds_count', { port, result: 'failed' })).toBe(1);
    expect(value(m, 'tlsgate_handshake_duration_seconds_count', { port, result: 'ok' })).toBe(3);

    const days = value(m, 'tlsgate_certificate_days_to_expiry', { port, subject: 'localhost' });
    expect(days).toBeGreaterThanOrEqual(88);
    expect(days).toBeLessThanOrEqual(90);
    const notAfter = value(m, 'tlsgate_certificate_expiry_timestamp_seconds', { port });
    expect(notAfter * 1000).toBeGreaterThan(Date.now() + 88 * 86_400_000);
    // Client addresses are never labels: cardinality stays bounded.
    expect(JSON.stringify(m)).not.toContain('127.0.0.1');
  });

  it('keeps one registry per app: a second gateway in this process starts from zero', async () => {
    const other = await startGateway({ routes: [{ path: '/', upstream: backend.url }], admin: { listen: '127.0.0.1:0' } });
    try {
      const m = await scrape(other);
      expect(value(m, 'tlsgate_handshakes_total')).toBe(0);
      expect(value(m, 'tlsgate_certificate_days_to_expiry', { port: String(other.port) })).toBeGreaterThan(0);
      expect(value(m, 'tlsgate_certificate_days_to_expiry', { port: String(gw.port) })).toBe(0);
    } finally {
      await other.close();
    }
  });
});
