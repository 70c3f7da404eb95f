import { spawn } from 'node:child_process';
import { TlsgateError } from '../errors.js';

/** What one `openssl s_client` run showed. */
export interface SClientResult {
  handshakeOk: boolean;
  protocol: string | undefined;
  cipher: string | undefined;
  /** A short reason when the handshake failed, e.g. "sslv3 alert handshake failure". */
  error: string | undefined;
  timedOut: boolean;
  stdout: string;
}

/** Runs a command to completion with a deadline; a missing binary is a TLSGATE_CHECK_OPENSSL error. */
function runBounded(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    // stdin is closed at once: s_client prints the handshake, reads EOF and quits.
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new TlsgateError('TLSGATE_CHECK_OPENSSL', `cannot run ${cmd}: ${e.code ?? e.message}`, { hint: 'install OpenSSL (Debian: apt-get install openssl); check probes with the openssl command' }));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end();
  });
}

/** The OpenSSL reason in an error line, e.g. "no protocols available". */
function failureReason(stderr: string, stdout: string): string | undefined {
  const ssl = /:SSL routines:[^:]*:([^:\n]+):/.exec(stderr)?.[1];
  if (ssl) return ssl;
  const other = /:error:[0-9A-F]+:[^:]*:[^:]*:([^:\n]+):/.exec(stderr)?.[1];
  if (other) return other;
  if (/Cipher is \(NONE\)/.test(stdout)) return 'no cipher negotiated';
  return stderr.trim().split('\n').pop() || undefined;
}

/** One `openssl s_client` handshake to `connect`, bounded by `timeoutMs`. */
export async function sClient(connect: string, servername: string | undefined, args: string[], timeoutMs: number, openssl = 'openssl'): Promise<SClientResult> {
  const sni = servername === undefined ? ['-noservername'] : ['-servername', servername];
  const r = await runBounded(openssl, ['s_client', '-connect', connect, ...sni, ...args], timeoutMs);
  const cipher = /Cipher is (\S+)/.exec(r.stdout)?.[1];
  const protocol = /Protocol\s*:\s*(\S+)/.exec(r.stdout)?.[1];
  const handshakeOk = cipher !== undefined && cipher !== '(NONE)' && cipher !== '0000';
  return {
    handshakeOk,
    protocol: handshakeOk ? protocol : undefined,
    cipher: handshakeOk ? cipher : undefined,
    error: handshakeOk ? undefined : r.timedOut ? `no answer within ${timeoutMs / 1000} s` : failureReason(r.stderr, r.stdout),
    timedOut: r.timedOut,
    stdout: r.stdout,
  };
}

/** What the local OpenSSL can offer as a client: its version and every cipher name it knows. */
export interface LocalOpenssl {
  version: string;
  ciphers: ReadonlySet<string>;
}

/** Asks the local openssl which suites it can offer at all (security level 0 lifts policy limits). */
export async function localOpenssl(timeoutMs: number, openssl = 'openssl'): Promise<LocalOpenssl> {
  const v = await runBounded(openssl, ['version'], timeoutMs);
  const c = await runBounded(openssl, ['ciphers', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], timeoutMs);
  if (c.code !== 0) throw new TlsgateError('TLSGATE_CHECK_OPENSSL', `openssl ciphers failed: ${c.stderr.trim()}`, { hint: 'check that the openssl on PATH is OpenSSL 1.1.1 or newer' });
  const names = new Set<string>();
  for (const line of c.stdout.split('\n')) {
    const m = /^\s*0x[0-9A-F]{2},0x[0-9A-F]{2} - (\S+)/.exec(line);
    if (m) names.add(m[1]!);
  }
  // "OpenSSL 3.0.19 27 Jan 2026 (Library: …)" → "OpenSSL 3.0.19": the name and version are what matter.
  return { version: v.stdout.trim().split(/\s+/).slice(0, 2).join(' '), ciphers: names };
}
