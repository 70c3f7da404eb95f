/** `tlsgate certs inspect` on fixtures made at test time, and `serve` refusing (or warning) in the very same words. */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { InspectReport } from '../../src/certs/inspect.js';
import { certsCommand } from '../../src/cli/certs.js';
import type { CliIo } from '../../src/cli/command.js';
import { parseConfig } from '../../src/config/load.js';
import { TlsgateError } from '../../src/errors.js';
import { makeCert, makeChain, makeEcdsaCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { startGateway } from '../helpers/gateway.js';

const dir = tmpDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const pki = makeChain();
const expired = makeCert({ cn: 'localhost', notBefore: new Date(Date.now() - 100 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }, pki.intermediate);
const sha1Inter = makeCert({ cn: 'sha1 intermediate', isCa: true, md: 'sha1' }, pki.root);
const sha1Leaf = makeCert({ cn: 'localhost' }, sha1Inter);
const ec = makeEcdsaCert(dir);
const f = writeFiles(dir, {
  'good.crt': pki.leaf.cert + pki.intermediate.cert,
  'good.key': pki.leaf.key,
  'reversed.crt': pki.intermediate.cert + pki.leaf.cert,
  'leaf.crt': pki.leaf.cert,
  'expired.crt': expired.cert + pki.intermediate.cert,
  'expired.key': expired.key,
  'sha1.crt': sha1Leaf.cert + sha1Inter.cert,
  'sha1.key': sha1Leaf.key,
  'other.key': makeCert({ cn: 'other' }).key,
});

/** Runs `tlsgate certs inspect FILE --json [...]` in-process. */
async function inspect(file: string, ...extra: string[]): Promise<{ code: number; report: InspectReport; text: string }> {
  const run = async (json: boolean) => {
    let out = '';
    const io: CliIo = { stdout: new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) }), stderr: new Writable({ write: (_c, _e, cb) => cb() }), env: {}, cwd: dir, onSignal: () => () => undefined };
    const code = await certsCommand.run(['inspect', file, ...extra, ...(json ? ['--json'] : [])], io);
    return { code, out };
  };
  const j = await run(true);
  const t = await run(false);
  expect(t.code).toBe(j.code);
  return { code: j.code, report: JSON.parse(j.out) as InspectReport, text: t.out };
}

/** Starts tlsgate with this certificate and key; resolves with the start-up error, or the warnings it logged. */
async function serve(cert: string, key: string): Promise<{ error?: TlsgateError; warnings: string[] }> {
  try {
    const gw = await startGateway({ listeners: [{ port: 0, host: '127.0.0.1', allowAnyPort: true, cert, key }], routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }] }, { dir: tmpDir() });
    const warnings = gw.logs.events('cert_warning').map((l) => String(l.msg));
    await gw.close();
    return { warnings };
  } catch (e) {
    if (!(e instanceof TlsgateError)) throw e;
    return { error: e, warnings: [] };
  }
}

const codes = (r: InspectReport) => r.findings.map((x) => x.code);

describe('tlsgate certs inspect', () => {
  it('good chain: leaf first, complete, no findings, exit 0; serve starts without a warning', async () => {
    const { code, report, text } = await inspect(f['good.crt']!, '--key', f['good.key']!);
    expect(code).toBe(0);
    expect(report).toMatchObject({ fatal: false, findings: [], trustedByNodeStore: false });
    expect(report.keyProblem).toBeUndefined();
    expect(report.certificates.map((c) => [c.subject, c.issuer, c.keyType, c.keyBits, c.ca])).toEqual([
      ['localhost', 'tlsgate test intermediate', 'rsa', 2048, false],
      ['tlsgate test intermediate', 'tlsgate test root', 'rsa', 2048, true],
    ]);
    expect(report.certificates[0]!.altNames).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(report.certificates[0]!.signature).toBe('sha256WithRSAEncryption');
    expect(text).toContain('chain order: leaf first, each certificate followed by its issuer');
    expect(text).toContain('chain complete: yes');
    expect((await serve(f['good.crt']!, f['good.key']!)).warnings).toEqual([]);
  });

  it('reversed chain: fatal, exit 1, and serve refuses with the same words', async () => {
    const { code, report, text } = await inspect(f['reversed.crt']!);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['TLSGATE_CERT_CHAIN_ORDER']);
    expect(report.findings[0]!.message).toContain('starts with a CA certificate (tlsgate test intermediate) instead of the server certificate (localhost)');
    expect(text).toContain('=> tlsgate serve refuses this certificate');
    const s = await serve(f['reversed.crt']!, f['good.key']!);
    expect(s.error?.code).toBe('TLSGATE_CERT_CHAIN_ORDER');
    expect(s.error?.message).toBe(report.findings[0]!.message);
  });

  it('leaf only: a warning (missing intermediate), exit 0; serve logs the same warning', async () => {
    const { code, report, text } = await inspect(f['leaf.crt']!);
    expect(code).toBe(0);
    expect(codes(report)).toEqual(['CERT_CHAIN_INCOMPLETE']);
    expect(text).toContain('chain complete: NO');
    expect((await serve(f['leaf.crt']!, f['good.key']!)).warnings).toEqual([report.findings[0]!.message]);
  });

  it('ECDSA: fatal key type, exit 1; serve refuses with the same words', async () => {
    const { code, report } = await inspect(ec.cert);
    expect(code).toBe(1);
    expect(report.certificates[0]).toMatchObject({ keyType: 'ec', curve: 'prime256v1' });
    expect(report.certificates[0]!.keyBits).toBeUndefined();
    const fatal = report.findings.filter((x) => x.severity === 'fatal');
    expect(fatal.map((x) => x.code)).toEqual(['TLSGATE_CERT_KEY_TYPE']);
    const s = await serve(ec.cert, ec.key);
    expect(s.error?.code).toBe('TLSGATE_CERT_KEY_TYPE');
    expect(s.error?.message).toBe(fatal[0]!.message);
  });

  it('expired: fatal, exit 1; serve refuses with the same words', async () => {
    const { code, report } = await inspect(f['expired.crt']!, '--key', f['expired.key']!);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['TLSGATE_CERT_EXPIRED']);
    expect(report.certificates[0]!.daysToExpiry).toBeLessThan(0);
    const s = await serve(f['expired.crt']!, f['expired.key']!);
    expect(s.error?.code).toBe('TLSGATE_CERT_EXPIRED');
    expect(s.error?.message).toBe(report.findings[0]!.message);
  });

  it('SHA-1 signed intermediate: fatal (the sender refuses it), exit 1; serve refuses with the same words', async () => {
    const { code, report } = await inspect(f['sha1.crt']!);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['TLSGATE_CERT_WEAK_SIGNATURE']);
    expect(report.certificates[1]!.signature).toBe('sha1WithRSAEncryption');
    const s = await serve(f['sha1.crt']!, f['sha1.key']!);
    expect(s.error?.code).toBe('TLSGATE_CERT_WEAK_SIGNATURE');
    expect(s.error?.message).toBe(report.findings[0]!.message);
  });

  it('--key that does not belong to the certificate: fatal in serve\'s words', async () => {
    const { code, report } = await inspect(f['good.crt']!, '--key', f['other.key']!);
    expect(code).toBe(1);
    expect(report.keyProblem?.code).toBe('TLSGATE_CERT_KEY_MISMATCH');
    const s = await serve(f['good.crt']!, f['other.key']!);
    expect(s.error?.message).toBe(report.keyProblem?.message);
  });

  it('a reload runs the same checks: a reversed bundle swapped in is refused in inspect\'s words, the old certificate stays', async () => {
    const gdir = tmpDir();
    const cert = path.join(gdir, 'live.crt');
    fs.copyFileSync(f['good.crt']!, cert);
    const gw = await startGateway({ listeners: [{ port: 0, host: '127.0.0.1', allowAnyPort: true, cert, key: f['good.key']! }], routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }] }, { dir: gdir });
    try {
      fs.copyFileSync(f['reversed.crt']!, cert);
      const source = path.join(gdir, 'tlsgate.yaml');
      const { config } = parseConfig(fs.readFileSync(source, 'utf8'), source);
      const { report } = await inspect(cert);
      await expect(gw.app.reload(config)).rejects.toMatchObject({ code: 'TLSGATE_CERT_CHAIN_ORDER', message: report.findings[0]!.message });
      expect(gw.app.listeners()[0]!.subject).toBe('localhost');
    } finally {
      await gw.close();
    }
  });

  it('a file that is not a certificate is an error naming the file and what it is', async () => {
    await expect(inspect(f['good.key']!)).rejects.toMatchObject({ code: 'TLSGATE_CERT_NOT_PEM', message: `${f['good.key']} is not a PEM certificate: it holds a private key, not a certificate` });
    await expect(inspect(path.join(dir, 'missing.crt'))).rejects.toMatchObject({ code: 'TLSGATE_CERT_UNREADABLE' });
  });
});
