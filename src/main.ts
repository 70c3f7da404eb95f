#!/usr/bin/env node
/** The tlsgate CLI entry point: parses the command, runs it, and is the only place that exits. */
import { packageVersion, type CliIo } from './cli/command.js';
import { COMMANDS, findCommand } from './cli/registry.js';
import { errorText } from './cli/report.js';
import { TlsgateError } from './errors.js';

const HELP = `tlsgate — a TLS 1.2 front door for webhook receivers that cannot speak modern TLS

Usage: tlsgate [command] [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(18)}${c.summary}`).join('\n')}

Run \`tlsgate COMMAND --help\` for a command's options. With no command, tlsgate serves.
  -h, --help       show this help
  -v, --version    show the version`;

async function main(argv: string[]): Promise<number> {
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onSignal(signal, fn) {
      process.on(signal, fn);
      return () => process.off(signal, fn);
    },
  };
  if (argv.includes('--version') || argv.includes('-v')) {
    io.stdout.write(packageVersion() + '\n');
    return 0;
  }
  const found = findCommand(argv);
  if ('unknown' in found) {
    io.stderr.write(`tlsgate: TLSGATE_USAGE: unknown command "${found.unknown}"\n\n${HELP}\n`);
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write((argv.length === 1 || found.rest.length === argv.length ? HELP : found.command.usage) + '\n');
    return 0;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (e) {
    io.stderr.write(errorText(e));
    return e instanceof TlsgateError && e.code === 'TLSGATE_USAGE' ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Let stdout drain, then leave even if a stray handle is still open.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (e: unknown) => {
    process.stderr.write(errorText(e));
    process.exit(1);
  },
);
