import type { Command } from './command.js';
import { certsCommand } from './certs.js';
import { checkCommand } from './check.js';
import { demoBackendCommand } from './demo-backend.js';
import { serveCommand } from './serve.js';
import { validateCommand } from './validate.js';

/** Every command, by the words that name it on the command line. */
export const COMMANDS: readonly Command[] = [serveCommand, validateCommand, demoBackendCommand, checkCommand, certsCommand];

/** Finds the command named by the leading words of argv; serve when none is named. */
export function findCommand(argv: string[]): { command: Command; rest: string[] } | { unknown: string } {
  for (const c of [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)) {
    const words = c.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command: c, rest: argv.slice(words.length) };
  }
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) return { command: serveCommand, rest: argv };
  return { unknown: argv.slice(0, 2).join(' ') };
}
