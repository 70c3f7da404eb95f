/** Real TLS peers: the openssl CLI, curl and a Java client that behaves like the sender. */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with optional stdin, bounded by `timeoutMs`; never rejects. */
export function runCommand(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv; holdStdinMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    // Some peers (s_client) quit at stdin EOF before reading the server's answer: hold it open.
    if (opts.holdStdinMs) {
      child.stdin.write(opts.input ?? '');
      setTimeout(() => child.stdin.end(), opts.holdStdinMs);
    } else child.stdin.end(opts.input ?? '');
  });
}

/** `openssl s_client` against 127.0.0.1:port with extra args; returns its output and the negotiated suite. */
export async function sClient(port: number, args: string[], input = 'Q\n', holdStdinMs?: number): Promise<RunResult & { cipher: string | undefined; protocol: string | undefined; handshakeOk: boolean }> {
  const r = await runCommand('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { input, timeoutMs: 15_000, holdStdinMs });
  const cipher = /Cipher is (\S+)/.exec(r.stdout)?.[1];
  const protocol = /Protocol\s*:\s*(\S+)/.exec(r.stdout)?.[1];
  const handshakeOk = cipher !== undefined && cipher !== '(NONE)' && cipher !== '0000';
  return { ...r, cipher: handshakeOk ? cipher : undefined, protocol, handshakeOk };
}

/**
 * Runs curl with `-sS` and the given args. `status` is the HTTP status (0 when no response),
 * `stdout` is that status as text, `body` the response body.
 */
export async function curl(args: string[], input?: string | Buffer): Promise<RunResult & { status: number; body: string }> {
  // The body goes to a file: curl cannot write to /dev/stderr when that is a socket pair.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlsgate-curl-'));
  const out = path.join(dir, 'body');
  try {
    const r = await runCommand('curl', ['-sS', '--max-time', '15', '-o', out, '-w', '%{http_code}', ...args], { input, timeoutMs: 20_000 });
    const body = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    return { ...r, status: Number(r.stdout.trim()), body };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What the Java sender client prints. */
export interface JavaResult {
  ok: boolean;
  status?: number;
  protocol?: string;
  cipher?: string;
  body?: string;
  error?: string;
  skipped?: string[];
}

const JAVA_SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), 'SenderClient.java');

/**
 * Posts like the sender: Java HttpsURLConnection, TLS 1.2 only, a suite list (default: all 14
 * of the sender's), trusting only `caFile`. Optionally signs the body with X-FS-Signature.
 */
export async function javaSender(opts: { url: string; caFile: string; body: string | Buffer; suites?: string[]; secret?: string; headers?: Record<string, string> }): Promise<JavaResult> {
  const args = [JAVA_SRC, opts.url, opts.caFile, (opts.suites ?? []).join(','), opts.secret ?? ''];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push(`${k}: ${v}`);
  const r = await runCommand('java', args, { input: opts.body, timeoutMs: 40_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as JavaResult;
  } catch {
    return { ok: false, error: `java client printed no JSON (exit ${String(r.code)}): ${r.stdout}\n${r.stderr}` };
  }
}
