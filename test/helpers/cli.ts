/** Runs the built CLI (dist/main.js) as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, type RunResult } from './peers.js';
import { parseJsonLines, type LogLine } from './log-sink.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = path.join(ROOT, 'dist/main.js');

/** Runs `tlsgate ARGS` to completion. */
export function tlsgate(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return runCommand(process.execPath, [MAIN, ...args], { timeoutMs: opts.timeoutMs ?? 30_000, env: { ...process.env, ...opts.env } });
}

/** A long-running `tlsgate serve` child whose stdout is parsed as JSON log lines. */
export interface ServeProcess {
  child: ChildProcess;
  lines: LogLine[];
  stderr(): string;
  waitFor(pred: (l: LogLine) => boolean, ms?: number): Promise<LogLine>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `tlsgate serve ARGS`; every stdout line must be JSON or the test fails. */
export function spawnServe(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ServeProcess {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let buf = '';
  let err = '';
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const l of parseJsonLines(parts.join('\n'))) {
      lines.push(l);
      for (const w of [...waiters]) if (w.pred(l)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(l));
    }
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    waitFor(pred, ms = 15_000) {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching log line in ${ms} ms. stdout:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${err}`)), ms);
        waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
        void exited.then((code) => reject(new Error(`tlsgate exited (${String(code)}) before a matching line. stdout:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${err}`)));
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
