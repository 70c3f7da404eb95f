import net from 'node:net';
import { TlsgateError } from '../errors.js';
import { numberFlag } from '../cli/command.js';

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Checks --cn and every --san (comma-separated lists allowed); returns the SANs, deduplicated. */
export function checkNames(cn: string | undefined, sans: readonly string[], usage: string): { cn: string; sans: string[] } {
  if (cn === undefined || cn.trim() === '') throw new TlsgateError('TLSGATE_USAGE', `--cn is required: the host name the sender posts to, e.g. --cn hooks.example.com\n\n${usage}`);
  const all = sans.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  for (const name of [cn, ...all]) {
    if (net.isIP(name) === 0 && !DNS_NAME.test(name)) {
      throw new TlsgateError('TLSGATE_USAGE', `"${name}" is neither a host name nor an IP address; --cn and --san take names like hooks.example.com, *.example.com or 192.0.2.10\n\n${usage}`);
    }
  }
  return { cn, sans: [...new Set(all)] };
}

/** Parses --days: a whole number of days from 1 to 3650. */
export function checkDays(raw: string | undefined, usage: string): number {
  return numberFlag('--days', raw, { dflt: 365, min: 1, max: 3650, integer: true }, usage);
}

/** Parses --bits: 2048, 3072 or 4096 (smaller RSA keys are refused by modern clients). */
export function checkBits(raw: string | undefined, usage: string): number {
  if (raw === undefined) return 2048;
  const n = Number(raw);
  if (![2048, 3072, 4096].includes(n)) throw new TlsgateError('TLSGATE_USAGE', `--bits must be 2048, 3072 or 4096, got ${JSON.stringify(raw)}\n\n${usage}`);
  return n;
}
