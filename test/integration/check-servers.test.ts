/** `tlsgate check` against real `openssl s_server`s that the sender cannot deliver to, each for one reason. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/check/run-check.js';
import { checkCommand } from '../../src/cli/check.js';
import type { CliIo } from '../../src/cli/command.js';
import { makeCert, makeChain, makeEcdsaCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { javaSender } from '../helpers/peers.js';

/** Runs `tlsgate check ARGV` in-process and parses its --json report. */
async function check(argv: string[]): Promise<{ code: number; report: CheckReport }> {
  let stdout = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c: Buffer, _e, cb) => (add(c.toString()), cb()) });
  const io: CliIo = { stdout: sink((s) => (stdout += s)), stderr: sink(() => undefined), env: {}, cwd: process.cwd(), onSignal: () => () => undefined };
  const code = await checkCommand.run([...argv, '--json', '--quiet'], io);
  return { code, report: JSON.parse(stdout) as CheckReport };
}

const children: ChildProcess[] = [];
const dir = tmpDir();
const pki = makeChain();
const files = writeFiles(dir, { 'leaf.crt': pki.leaf.cert, 'leaf.key': pki.leaf.key, 'inter.crt': pki.intermediate.cert, 'root.crt': pki.root.cert });

/** Starts `openssl s_server` on a free loopback port and resolves with that port. */
function sServer(args: string[]): Promise<number> {
  const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-www', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`s_server did not start: ${out}`)), 10_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /ACCEPT .*:(\d+)/.exec(out);
      if (m) (clearTimeout(t), resolve(Number(m[1])));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

const rsa = () => ['-cert', files['leaf.crt']!, '-key', files['leaf.key']!, '-cert_chain', files['inter.crt']!];
const codes = (r: CheckReport) => r.reasons.map((x) => x.code);

describe('tlsgate check against servers the sender cannot use', () => {
  it('ECDHE-GCM only: TLS 1.2 works but no suite is shared', async () => {
    const port = await sServer([...rsa(), '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384']);
    const { code, report } = await check([`https://localhost:${port}/`, '--ca', files['root.crt']!, '--allow-any-port']);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['CHECK_NO_SENDER_SUITE']);
    expect(report.reasons[0]!.message).toMatch(/it chose ECDHE-RSA-AES(128|256)-GCM-SHA(256|384)/);
    expect(report.suites.filter((s) => s.outcome === 'accepted')).toEqual([]);
    expect(report.chain).toMatchObject({ complete: true, trusted: true, hostnameMatch: true });
    // The Java client that behaves like the sender agrees: no handshake.
    const java = await javaSender({ url: `https://localhost:${port}/`, caFile: files['root.crt']!, body: '{}' });
    expect(java.ok).toBe(false);
    expect(java.error).toMatch(/handshake_failure|no cipher suites in common|SSLHandshakeException/i);
  });

  it('TLS 1.3 only: TLS 1.2 is refused, even though the chain is fine', async () => {
    const port = await sServer([...rsa(), '-tls1_3']);
    const { code, report } = await check([`https://localhost:${port}/`, '--ca', files['root.crt']!, '--allow-any-port']);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['CHECK_TLS12_REFUSED']);
    expect(report.protocols.find((p) => p.version === 'TLSv1.3')!.outcome).toBe('accepted');
    expect(report.suites.find((s) => s.openssl === 'TLS_AES_256_GCM_SHA384')!.outcome).toBe('accepted');
    expect(report.chain).toMatchObject({ complete: true, trusted: true });
  });

  it('ECDSA certificate: the key is not RSA and none of the sender suites is accepted', async () => {
    const ec = makeEcdsaCert(dir);
    const port = await sServer(['-cert', ec.cert, '-key', ec.key]);
    const { code, report } = await check([`https://localhost:${port}/`, '--ca', ec.cert, '--allow-any-port']);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['CHECK_NO_SENDER_SUITE', 'CHECK_KEY_NOT_RSA']);
    expect(report.chain!.keyType).toBe('ec');
    expect(report.reasons[1]!.fix).toMatch(/RSA certificate/);
  });

  it('leaf-only chain from a test CA: the chain is incomplete (Java fetches no intermediates)', async () => {
    const port = await sServer(['-cert', files['leaf.crt']!, '-key', files['leaf.key']!]);
    const { code, report } = await check([`https://localhost:${port}/`, '--ca', files['root.crt']!, '--allow-any-port']);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['CHECK_CHAIN_INCOMPLETE']);
    expect(report.chain).toMatchObject({ complete: false, trusted: false, brokenAt: 'localhost', missingIssuer: 'tlsgate test intermediate' });
    expect(report.reasons[0]!.fix).toMatch(/append the intermediate/);
    const java = await javaSender({ url: `https://localhost:${port}/`, caFile: files['root.crt']!, body: '{}' });
    expect(java.ok).toBe(false);
    expect(java.error).toMatch(/PKIX path building failed|unable to find valid certification path/);
  });

  it('a port that accepts TCP but never answers TLS: one probe times out, the rest are not run', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((sock) => sockets.push(sock)); // reads the ClientHello, answers nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const { code, report } = await check([`https://127.0.0.1:${port}/`, '--timeout', '1', '--allow-any-port']);
      expect(code).toBe(1);
      expect(codes(report)).toEqual(['CHECK_TLS12_REFUSED']);
      expect(report.reasons[0]!.message).toContain('did not answer a TLS 1.2 handshake (no answer within 1 s)');
      const skipped = 'not probed: the TLS 1.2 probe got no answer within 1 s';
      expect(report.protocols.filter((p) => p.version !== 'TLSv1.2').map((p) => p.error)).toEqual([skipped, skipped, skipped]);
      expect(report.suites.filter((s) => s.outcome !== 'not-testable').every((s) => s.error === skipped)).toBe(true);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('a certificate that does not name the host is a reason of its own', async () => {
    const other = makeCert({ cn: 'hooks.example.com', sans: ['hooks.example.com'] }, pki.intermediate);
    const f = writeFiles(dir, { 'other.crt': other.cert, 'other.key': other.key });
    const port = await sServer(['-cert', f['other.crt']!, '-key', f['other.key']!, '-cert_chain', files['inter.crt']!]);
    const { code, report } = await check([`https://127.0.0.1:${port}/`, '--ca', files['root.crt']!, '--allow-any-port']);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['CHECK_HOSTNAME_MISMATCH']);
    expect(report.reasons[0]!.message).toContain('DNS:hooks.example.com');
  });
});
