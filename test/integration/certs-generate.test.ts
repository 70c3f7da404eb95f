/** `tlsgate certs self-signed` and `certs csr`: files openssl accepts, that tlsgate serves, keys 0600, nothing overwritten without --force. */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { certsCommand } from '../../src/cli/certs.js';
import type { CliIo } from '../../src/cli/command.js';
import { TlsgateError } from '../../src/errors.js';
import { tmpDir } from '../helpers/certs.js';
import { startGateway } from '../helpers/gateway.js';
import { runCommand, sClient } from '../helpers/peers.js';

const root = tmpDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs `tlsgate certs ARGV` in-process in `root`; a thrown TlsgateError is returned, not raised. */
async function certs(argv: string[]): Promise<{ code: number; stdout: string; error?: TlsgateError }> {
  let stdout = '';
  const io: CliIo = { stdout: new Writable({ write: (c: Buffer, _e, cb) => ((stdout += c.toString()), cb()) }), stderr: new Writable({ write: (_c, _e, cb) => cb() }), env: {}, cwd: root, onSignal: () => () => undefined };
  try {
    return { code: await certsCommand.run(argv, io), stdout };
  } catch (e) {
    if (!(e instanceof TlsgateError)) throw e;
    return { code: e.code === 'TLSGATE_USAGE' ? 2 : 1, stdout, error: e };
  }
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('tlsgate certs self-signed', () => {
  it('writes an RSA-2048 key (0600) and a certificate that openssl reads and tlsgate serves over TLS 1.2', async () => {
    const r = await certs(['self-signed', '--cn', 'localhost', '--san', '127.0.0.1', '--san', 'hooks.test,::1', '--days', '30', '--out', 'ss']);
    expect(r.code).toBe(0);
    const crt = path.join(root, 'ss/server.crt');
    const key = path.join(root, 'ss/server.key');
    expect(mode(key)).toBe(0o600);
    expect(mode(crt)).toBe(0o644);
    const text = await runCommand('openssl', ['x509', '-in', crt, '-noout', '-text']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Public-Key: (2048 bit)');
    expect(text.stdout).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1, DNS:hooks\.test, IP Address:0:0:0:0:0:0:0:1/);
    expect(text.stdout).toContain('sha256WithRSAEncryption');
    const end = await runCommand('openssl', ['x509', '-in', crt, '-noout', '-enddate']);
    const days = (Date.parse(end.stdout.replace('notAfter=', '').trim()) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);

    const gw = await startGateway({ listeners: [{ port: 0, host: '127.0.0.1', allowAnyPort: true, cert: crt, key }], routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }] });
    try {
      const hs = await sClient(gw.port, ['-tls1_2', '-cipher', 'AES256-SHA256']);
      expect(hs.handshakeOk).toBe(true);
      expect(hs.cipher).toBe('AES256-SHA256');
      expect(gw.logs.events('cert_warning').map((l) => l.msg)).toContain(`${crt} is self-signed: the sender's Java client trusts only public CAs, so use it for testing, not for real webhooks`);
    } finally {
      await gw.close();
    }
  });

  it('never overwrites without --force; with --force it replaces both and the key stays 0600', async () => {
    expect((await certs(['self-signed', '--cn', 'a.test', '--out', 'ow'])).code).toBe(0);
    const key = path.join(root, 'ow/server.key');
    const before = fs.readFileSync(key, 'utf8');
    fs.chmodSync(key, 0o640); // a loosened mode must not survive --force
    const again = await certs(['self-signed', '--cn', 'b.test', '--out', 'ow']);
    expect(again.code).toBe(1);
    expect(again.error?.code).toBe('TLSGATE_CERT_FILE_EXISTS');
    expect(again.error?.message).toContain('nothing was written');
    expect(again.error?.hint).toContain('--force');
    expect(fs.readFileSync(key, 'utf8')).toBe(before);
    const forced = await certs(['self-signed', '--cn', 'b.test', '--out', 'ow', '--force']);
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(key, 'utf8')).not.toBe(before);
    expect(mode(key)).toBe(0o600);
    expect((await runCommand('openssl', ['x509', '-in', path.join(root, 'ow/server.crt'), '-noout', '-subject'])).stdout).toContain('CN = b.test');
  });

  it.each([
    [['self-signed', '--out', 'x'], '--cn is required'],
    [['self-signed', '--cn', 'a.test'], '--out DIR is required'],
    [['self-signed', '--cn', 'a.test', '--days', '0', '--out', 'x'], '--days must be a whole number from 1 to 3650'],
    [['self-signed', '--cn', 'bad name!', '--out', 'x'], '"bad name!" is neither a host name nor an IP address'],
    [['csr', '--cn', 'a.test', '--bits', '1024', '--out', 'x'], '--bits must be 2048, 3072 or 4096'],
    [['renew'], 'unknown certs subcommand "renew"'],
  ])('usage error (exit 2) for %j', async (argv, text) => {
    const r = await certs(argv);
    expect(r.code).toBe(2);
    expect(r.error?.message).toContain(text);
    expect(fs.existsSync(path.join(root, 'x'))).toBe(false);
  });
});

describe('tlsgate certs csr', () => {
  it('writes a key (0600) and a CSR that openssl verifies, carrying the CN and SANs, for that key', async () => {
    const r = await certs(['csr', '--cn', 'hooks.example.com', '--san', 'alt.example.com', '--out', 'req']);
    expect(r.code).toBe(0);
    const csr = path.join(root, 'req/server.csr');
    const key = path.join(root, 'req/server.key');
    expect(mode(key)).toBe(0o600);
    const verify = await runCommand('openssl', ['req', '-in', csr, '-verify', '-noout']);
    expect(verify.code).toBe(0);
    expect(verify.stdout + verify.stderr).toMatch(/verify OK/);
    const text = await runCommand('openssl', ['req', '-in', csr, '-noout', '-text']);
    expect(text.stdout).toContain('CN = hooks.example.com');
    expect(text.stdout).toContain('DNS:hooks.example.com, DNS:alt.example.com');
    const csrPub = await runCommand('openssl', ['req', '-in', csr, '-noout', '-pubkey']);
    const keyPub = await runCommand('openssl', ['pkey', '-in', key, '-pubout']);
    expect(csrPub.stdout).toBe(keyPub.stdout);
    expect((await certs(['csr', '--cn', 'hooks.example.com', '--out', 'req'])).error?.code).toBe('TLSGATE_CERT_FILE_EXISTS');
  });
});
