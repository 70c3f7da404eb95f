/** `tlsgate check` against tlsgate itself: the reference COMPATIBLE server, then the port, trust and --post rules. */
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/check/run-check.js';
import { checkCommand } from '../../src/cli/check.js';
import type { CliIo } from '../../src/cli/command.js';
import { FASTSPRING_SUITES } from '../../src/tls/suites.js';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, startGatewayToBackend, type Gateway } from '../helpers/gateway.js';
import { runCommand } from '../helpers/peers.js';

/** Runs `tlsgate check ARGV` in-process with captured stdout/stderr. */
async function check(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c: Buffer, _e, cb) => (add(c.toString()), cb()) });
  const io: CliIo = { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env, cwd: process.cwd(), onSignal: () => () => undefined };
  const code = await checkCommand.run(argv, io);
  return { code, stdout, stderr };
}

let backend: Backend;
let gw: Gateway;
let close: () => Promise<void>;
beforeAll(async () => ({ gw, backend, close } = await startGatewayToBackend()));
afterAll(() => close?.());

describe('tlsgate check against tlsgate', () => {
  it('is COMPATIBLE (exit 0) with --ca and --allow-any-port, every probe answered (untestable suites said so), in under 10 s', async () => {
    const r = await check([gw.url('/hooks'), '--ca', gw.caFile, '--allow-any-port', '--json']);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.reasons).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.verdict).toBe('COMPATIBLE');
    expect(report.durationMs).toBeLessThan(10_000);
    expect(Object.fromEntries(report.protocols.map((p) => [p.version, p.outcome]))).toEqual({ TLSv1: 'refused', 'TLSv1.1': 'refused', 'TLSv1.2': 'accepted', 'TLSv1.3': 'refused' });
    // Exactly tlsgate's enabled suites are accepted; every other suite is refused or not testable here.
    const byName = Object.fromEntries(report.suites.map((s) => [s.openssl, s.outcome]));
    for (const s of FASTSPRING_SUITES) {
      if (s.status === 'on') expect(byName[s.openssl], s.openssl).toBe('accepted');
      else expect(['refused', 'not-testable'], s.openssl).toContain(byName[s.openssl]);
    }
    expect(report.suites).toHaveLength(FASTSPRING_SUITES.length);
    // Suites the local OpenSSL cannot offer are "not testable here", never pass or fail.
    const known = new Set((await runCommand('openssl', ['ciphers', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'])).stdout.trim().split(':'));
    for (const s of report.suites.filter((x) => x.status !== 'tls13')) expect(s.outcome === 'not-testable', s.openssl).toBe(!known.has(s.openssl));
    expect(report.chain).toMatchObject({ complete: true, trusted: true, trustedBy: 'ca-file', hostnameMatch: true, keyType: 'rsa', keyBits: 2048 });
    expect(report.chain!.certificates.map((c) => c.subject)).toEqual(['localhost', 'tlsgate test intermediate']);
    expect(report.portAllowed).toBeUndefined();
    expect(r.stderr).toContain('probing 127.0.0.1:');
  });

  it('is NOT COMPATIBLE (exit 1) on a port the sender does not post to, with that single reason and its fix', async () => {
    const r = await check([gw.url('/'), '--ca', gw.caFile, '--json', '--quiet']);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(r.code).toBe(1);
    expect(report.verdict).toBe('NOT COMPATIBLE');
    expect(report.portAllowed).toBe(false);
    expect(report.reasons.map((x) => x.code)).toEqual(['CHECK_PORT_NOT_ALLOWED']);
    expect(report.reasons[0]!.message).toContain(`port ${gw.port} is not one the sender posts to (8443, 3443, 8282, 9191, 9000, 9999)`);
    expect(report.reasons[0]!.fix).toContain('--allow-any-port');
  });

  it('without --ca the private test root is untrusted (Node bundled CA store only)', async () => {
    const report = JSON.parse((await check([gw.url('/'), '--allow-any-port', '--json', '--quiet'])).stdout) as CheckReport;
    expect(report.reasons.map((x) => x.code)).toEqual(['CHECK_CHAIN_UNTRUSTED']);
    expect(report.chain).toMatchObject({ complete: true, trusted: false, missingIssuer: 'tlsgate test root' });
  });

  it('--post sends a sample webhook signed like the sender; the backend gets it byte for byte and 200 counts as delivered', async () => {
    const before = backend.received.length;
    const r = await check([gw.url('/fastspring'), '--ca', gw.caFile, '--allow-any-port', '--post', '--json', '--quiet'], { TLSGATE_CHECK_SECRET: 's3cret' });
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(r.code).toBe(0);
    expect(report.post).toMatchObject({ ok: true, status: 200, protocol: 'TLSv1.2' });
    const got = backend.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.url).toBe('/fastspring');
    expect(got[0]!.headers['x-fs-signature']).toBe(createHmac('sha256', 's3cret').update(got[0]!.body).digest('base64'));
    expect(JSON.parse(got[0]!.body.toString()).events[0].id).toBe(report.post!.eventId);
    expect(r.stdout).not.toContain('s3cret');
  });

  it('--post is NOT COMPATIBLE when the receiver answers anything but 200/202', async () => {
    const failing = await startHttpBackend((_r, res) => (res.writeHead(401), res.end('bad signature')));
    const g2 = await startGateway({ routes: [{ path: '/', upstream: failing.url }] });
    try {
      const r = await check([g2.url('/'), '--ca', g2.caFile, '--allow-any-port', '--post', '--secret', 'x', '--json', '--quiet']);
      const report = JSON.parse(r.stdout) as CheckReport;
      expect(r.code).toBe(1);
      expect(report.post).toMatchObject({ ok: false, status: 401 });
      expect(report.reasons.map((x) => x.code)).toEqual(['CHECK_POST_FAILED']);
    } finally {
      await g2.close();
      await failing.close();
    }
  });

  it('--post --secret-env: tlsgate\'s own signature check accepts the signature, and refuses it under another secret', async () => {
    const verifying = await startGateway({ routes: [{ path: '/', upstream: backend.url, verify: { fastspringSignature: { secretEnv: 'HOOK_SECRET' } } }] }, { env: { HOOK_SECRET: 'right' } });
    try {
      const base = [verifying.url('/signed'), '--ca', verifying.caFile, '--allow-any-port', '--post', '--secret-env', 'HOOK_SECRET', '--json', '--quiet'];
      const ok = await check(base, { HOOK_SECRET: 'right' });
      expect(ok.code).toBe(0);
      expect((JSON.parse(ok.stdout) as CheckReport).post).toMatchObject({ ok: true, status: 200 });
      const wrong = await check(base, { HOOK_SECRET: 'wrong' });
      const report = JSON.parse(wrong.stdout) as CheckReport;
      expect(wrong.code).toBe(1);
      expect(report.post!.status).toBeGreaterThanOrEqual(400);
      expect(report.reasons.map((x) => x.code)).toEqual(['CHECK_POST_FAILED']);
    } finally {
      await verifying.close();
    }
  });

  it('prints a readable table without colour when stdout is not a terminal', async () => {
    const r = await check([gw.url('/'), '--ca', gw.caFile, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/TLSv1\.2\s+accepted/);
    expect(r.stdout).toMatch(/\n\s+1\s+DHE-RSA-AES256-SHA256\s+on\s+accepted/);
    expect(r.stdout).toContain('NOT COMPATIBLE');
    expect(r.stdout).toContain('[CHECK_PORT_NOT_ALLOWED]');
    expect(r.stdout).not.toContain('\x1b[');
  });
});
