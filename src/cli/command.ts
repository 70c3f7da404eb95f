import fs from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TlsgateError } from '../errors.js';

/** Where a command reads and writes; passed in so commands never touch process globals. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT); used by long-running commands. */
  onSignal(signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP', fn: () => void): () => void;
}

/** One CLI command. `run` returns the exit code; only main.ts exits. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Parses flags strictly; an unknown flag is a usage error naming the flag and the fix. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    throw new TlsgateError('TLSGATE_USAGE', `${(e as Error).message}\n\n${usage}`);
  }
}

/** The package version, read from package.json next to dist/. */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The config file to use: --config, then $TLSGATE_CONFIG, then config/tlsgate.yaml. */
export function configPath(flag: string | undefined, io: CliIo): string {
  return flag ?? io.env['TLSGATE_CONFIG'] ?? 'config/tlsgate.yaml';
}

/** A usage error: the message, then the command's usage text (exit 2 in main). */
export function usageError(msg: string, usage: string): TlsgateError {
  return new TlsgateError('TLSGATE_USAGE', `${msg}\n\n${usage}`);
}

/**
 * Parses a numeric flag within [min, max] (whole numbers only with `integer`); absent means
 * `dflt`. Anything else is a usage error naming the flag, never a NaN that fails later.
 */
export function numberFlag(flag: string, raw: string | undefined, opts: { dflt: number; min: number; max: number; integer?: boolean; unit?: string; aboveMin?: boolean }, usage: string): number {
  if (raw === undefined) return opts.dflt;
  const n = Number(raw);
  const low = opts.aboveMin ? n <= opts.min : n < opts.min;
  if (raw.trim() === '' || !Number.isFinite(n) || low || n > opts.max || (opts.integer && !Number.isInteger(n))) {
    const kind = (opts.integer ? 'a whole number' : 'a number') + (opts.unit ? ` of ${opts.unit}` : '');
    const range = opts.aboveMin ? `above ${opts.min} and at most ${opts.max}` : `from ${opts.min} to ${opts.max}`;
    throw usageError(`${flag} must be ${kind} ${range}, got ${JSON.stringify(raw)}`, usage);
  }
  return n;
}
