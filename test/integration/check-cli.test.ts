/** `tlsgate check` as a user runs it (dist/main.js): exit 2 for could-not-connect and for bad usage, --help. */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/peers.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/main.js');
const tlsgate = (args: string[], env: NodeJS.ProcessEnv = {}) => runCommand(process.execPath, [MAIN, ...args], { env: { ...process.env, TLSGATE_CHECK_SECRET: '', ...env }, timeoutMs: 30_000 });

/** A loopback port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('tlsgate check exit status', () => {
  it('exits 2 with a JSON UNREACHABLE report and a fix when nothing listens', async () => {
    const port = await closedPort();
    const r = await tlsgate(['check', `https://127.0.0.1:${port}/`, '--json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { verdict: string; error: { code: string; message: string; hint: string } };
    expect(report.verdict).toBe('UNREACHABLE');
    expect(report.error.code).toBe('TLSGATE_CHECK_UNREACHABLE');
    expect(report.error.message).toContain('ECONNREFUSED');
    expect(r.stderr).toContain('fix: check the host name and port');
  });

  it('exits 2, not 1, when the openssl command is missing (PATH without it)', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const r = await tlsgate(['check', `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, '--json'], { PATH: '/nonexistent' });
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'NOT CHECKED', error: { code: 'TLSGATE_CHECK_OPENSSL', message: 'cannot run openssl: ENOENT' } });
      expect(r.stderr).toContain('fix: install OpenSSL');
    } finally {
      server.close();
    }
  });

  it.each([
    [['check'], 'check needs the URL to test'],
    [['check', 'http://127.0.0.1:8443/'], 'the sender posts only over https'],
    [['check', 'not a url'], 'write it as https://host[:port][/path]'],
    [['check', 'https://127.0.0.1:8443/', '--timeout', '0'], '--timeout must be a number above 0'],
    [['check', 'https://127.0.0.1:8443/', '--post'], 'the environment variable TLSGATE_CHECK_SECRET is empty'],
    [['check', 'https://127.0.0.1:8443/', '--post', '--secret-env', 'NO_SUCH_VAR_X'], 'the environment variable NO_SUCH_VAR_X is not set'],
    [['check', 'https://127.0.0.1:8443/', '--secret-env', 'X'], 'only used with --post'],
    [['check', 'https://127.0.0.1:8443/', '--ca', '/nonexistent/ca.pem'], '--ca /nonexistent/ca.pem: cannot read it (ENOENT)'],
    [['check', 'https://127.0.0.1:8443/', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 on bad usage %j, naming the problem', async (args, text) => {
    const r = await tlsgate(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TLSGATE_USAGE');
    expect(r.stderr).toContain(text);
  });

  it('--help shows the usage with the exit statuses and the sender ports', async () => {
    const r = await tlsgate(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: tlsgate check URL');
    expect(r.stdout).toContain('0 COMPATIBLE, 1 NOT COMPATIBLE, 2 could not connect');
    expect(r.stdout).toContain('8443, 3443, 8282, 9191, 9000, 9999');
  });
});
