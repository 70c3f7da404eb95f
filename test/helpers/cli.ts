/** Runs the built CLI (dist/main.js) as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, type RunResult } from './peers.js';
import { LogSink, type LogLine } from './log-sink.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = path.join(ROOT, 'dist/main.js');

/** Runs `tlsgate ARGS` to completion. */
export function tlsgate(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
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
  const logs = new LogSink();
  child.stdout!.pipe(logs);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  // 'close', not 'exit': only then have stdout and stderr been read to the end.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const dump = () => `stdout:\n${logs.lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${err}`;
  return {
    child,
    lines: logs.lines,
    stderr: () => err,
    exited,
    waitFor: (pred, ms = 15_000) =>
      Promise.race([
        logs.waitFor(pred, ms),
        exited.then((code) => {
          const found = logs.lines.find(pred);
          if (found) return found;
          throw new Error(`tlsgate exited (${String(code)}) before a matching line. ${dump()}`);
        }),
      ]),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
