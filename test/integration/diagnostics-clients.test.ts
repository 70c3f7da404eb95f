/**
 * Each failure class produced by a real client (openssl s_client, curl), asserted on the parsed
 * handshake_failed log line and on /activity from the admin server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../../src/observe/activity.js';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import type { LogLine } from '../helpers/log-sink.js';
import { makeCert, writeFiles } from '../helpers/certs.js';
import { curl, javaSender, sClient } from '../helpers/peers.js';

let gw: Gateway;
let backend: Backend;

beforeAll(async () => {
  backend = await startHttpBackend();
  gw = await startGateway({ routes: [{ path: '/', upstream: backend.url }], admin: { listen: '127.0.0.1:0' } });
});
afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

/** The next handshake_failed line with this classification (past lines count). */
function failure(classification: string, extra: (l: LogLine) => boolean = () => true): Promise<LogLine> {
  return gw.logs.waitFor((l) => l.event === 'handshake_failed' && l['classification'] === classification && extra(l));
}

async function activity(filter = 'all'): Promise<ActivityEntry[]> {
  const res = await fetch(`${gw.app.admin()!.url}/activity?filter=${filter}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: ActivityEntry[] }).entries;
}

/** The fields every failure line carries, with the names the README documents. */
function expectFullLine(l: LogLine): void {
  expect(l).toMatchObject({ level: 'warn', event: 'handshake_failed', remoteAddress: '127.0.0.1', port: gw.port });
  expect(typeof l['remotePort']).toBe('number');
  expect(typeof l['code']).toBe('string');
  expect(typeof l['hint']).toBe('string');
  expect((l['hint'] as string).length).toBeGreaterThan(20);
}

describe('handshake diagnostics with real clients', () => {
  it('openssl s_client -tls1_3: no_shared_protocol, offered versions and fingerprints logged', async () => {
    const r = await sClient(gw.port, ['-tls1_3']);
    expect(r.handshakeOk).toBe(false);
    const l = await failure('no_shared_protocol');
    expectFullLine(l);
    expect(l).toMatchObject({ code: 'ERR_SSL_UNSUPPORTED_PROTOCOL', sni: 'localhost', offeredVersions: ['TLSv1.3'] });
    expect(l['offeredSuites']).toEqual(expect.arrayContaining(['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256']));
    expect(l['ja3']).toMatch(/^[0-9a-f]{32}$/);
    expect(l['ja4']).toMatch(/^t13d/);
    expect(l['hint']).toMatch(/only TLS 1\.3/);
  });

  it('openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256: no_shared_cipher naming theirs and ours', async () => {
    const r = await sClient(gw.port, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
    expect(r.handshakeOk).toBe(false);
    const l = await failure('no_shared_cipher');
    expectFullLine(l);
    expect(l).toMatchObject({ code: 'ERR_SSL_NO_SHARED_CIPHER', offeredVersions: ['TLSv1.2'] });
    expect(l['offeredSuites']).toContain('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(l['hint']).toMatch(/only ECDHE suites \(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\)/);
    expect(l['hint']).toContain('TLS_DHE_RSA_WITH_AES_256_CBC_SHA256');
  });

  it('curl http:// to the TLS port: plain_http', async () => {
    const r = await curl([`http://127.0.0.1:${gw.port}/hook`]);
    expect(r.status).not.toBe(200);
    const l = await failure('plain_http');
    expectFullLine(l);
    expect(l['code']).toBe('ERR_SSL_HTTP_REQUEST');
    expect(l['hint']).toMatch(/https:\/\//);
    expect(l['offeredSuites']).toBeUndefined();
  });

  it('a client that rejects our certificate (s_client -verify_return_error, curl without --cacert)', async () => {
    const r = await sClient(gw.port, ['-tls1_2', '-verify_return_error']);
    expect(r.handshakeOk).toBe(false);
    const l = await failure('client_rejected_certificate');
    expectFullLine(l);
    expect(l).toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', alert: 'unknown_ca (48)', sni: 'localhost' });
    expect(l['hint']).toMatch(/Java clients do not fetch/);

    const c = await curl([gw.url('/hook')]);
    expect(c.status).toBe(0);
    await gw.logs.waitFor(() => gw.logs.lines.filter((x) => x['classification'] === 'client_rejected_certificate').length === 2);
  });

  it('/activity lists every failure with its diagnosis, newest first, next to a processed request', async () => {
    const ok = await curl(['--cacert', gw.caFile, '-X', 'POST', '--data', 'secret-body', gw.url('/hook?token=abc')]);
    expect(ok.status).toBe(200);
    await gw.logs.waitFor((l) => l.event === 'request' && l['status'] === 200);
    const all = await activity();
    const classes = all.filter((e) => e.outcome === 'handshake_failure').map((e) => e.classification);
    expect(classes).toEqual(['client_rejected_certificate', 'client_rejected_certificate', 'plain_http', 'no_shared_cipher', 'no_shared_protocol']);
    expect(all[0]).toMatchObject({ outcome: 'processed', status: 200, method: 'POST', path: '/hook', port: gw.port });
    expect(all[0]!.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(all)).not.toContain('secret-body'); // bodies are never stored
    expect(JSON.stringify(all)).not.toContain('token=abc'); // nor query strings
    const tls13 = all.find((e) => e.classification === 'no_shared_protocol')!;
    expect(tls13.offeredVersions).toEqual(['TLSv1.3']);
    expect(tls13.hint).toMatch(/TLS 1\.2/);
    expect(Date.parse(tls13.time)).toBeGreaterThan(0);
    expect(tls13.time).toMatch(/Z$/);

    expect((await activity('processed')).map((e) => e.outcome)).toEqual(['processed']);
    expect((await activity('failed')).length).toBe(5);
    expect(await activity('unprocessed')).toEqual([]);
  });

  it('the Java sender client trusting another CA: certificate_unknown, with the Java hint', async () => {
    const other = writeFiles(gw.dir, { 'other-ca.pem': makeCert({ cn: 'some other root', isCa: true }).cert });
    const r = await javaSender({ url: gw.url('/hook'), caFile: other['other-ca.pem']!, body: '{}' });
    expect(r.ok).toBe(false);
    const l = await failure('client_rejected_certificate', (x) => x['alert'] === 'certificate_unknown (46)');
    expectFullLine(l);
    expect(l['offeredVersions']).toEqual(['TLSv1.2']);
    expect(l['hint']).toMatch(/chain is probably incomplete.*Java clients do not fetch/);
  });

  it('a client that asks for a name our certificate does not cover: unknown_sni', async () => {
    const r = await sClient(gw.port, ['-tls1_2', '-CAfile', gw.caFile, '-verify_return_error', '-verify_hostname', 'other.example.org', '-servername', 'other.example.org']);
    expect(r.handshakeOk).toBe(false);
    const l = await failure('unknown_sni');
    expectFullLine(l);
    expect(l).toMatchObject({ sni: 'other.example.org', alert: 'bad_certificate (42)' });
    // OpenSSL 3.0 (Node 20) says SSLV3_ALERT, OpenSSL 3.5 (Node 24) SSL/TLS_ALERT.
    expect(l['code']).toMatch(/^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_BAD_CERTIFICATE$/);
    expect(l['hint']).toMatch(/asked for "other\.example\.org" but our certificate covers localhost, 127\.0\.0\.1/);
  });
});
