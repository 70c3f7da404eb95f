import path from 'node:path';
import { generateCsr } from '../certs/csr.js';
import { inspectFile, renderInspect } from '../certs/inspect.js';
import { checkBits, checkDays, checkNames } from '../certs/names.js';
import { writeOutputs } from '../certs/write.js';
import { TlsgateError } from '../errors.js';
import { generateSelfSigned } from '../tls/self-signed.js';
import { parseFlags, usageError, type CliIo, type Command } from './command.js';

const USAGE = `Usage: tlsgate certs self-signed --cn NAME [--san NAME]... [--days N] --out DIR [--force]
       tlsgate certs csr --cn NAME [--san NAME]... [--bits N] --out DIR [--force]
       tlsgate certs inspect FILE [--key FILE] [--json]

  self-signed   writes DIR/server.key (mode 0600) and DIR/server.crt: an RSA-2048 key and a
                self-signed certificate, for trying tlsgate (the sender trusts only public CAs)
  csr           writes DIR/server.key (mode 0600) and DIR/server.csr: an RSA key and a signing
                request to send to a CA; put the CA's answer (leaf, then intermediates) in server.crt
  inspect       prints subject, SANs, issuer, validity, key, signature and chain order of a PEM
                file, and every problem in the words \`tlsgate serve\` uses; exit 1 when serve
                would refuse it (not RSA, expired, not yet valid, leaf not first,
                SHA-1 signed, key mismatch)

Options:
  --cn NAME       the host name the sender posts to (also added as a SAN)
  --san NAME      another DNS name or IP address; repeat it or separate names with commas
  --days N        validity of the self-signed certificate, 1 to 3650 (default 365)
  --bits N        RSA key size: 2048 (default), 3072 or 4096
  --out DIR       folder for the files (created if missing)
  --force         replace existing files (the old key is lost); without it nothing is overwritten
  --key FILE      inspect: also check that FILE is the private key of the certificate
  --json          inspect: print the report as JSON
  -h, --help      show this help

Exit status: 0 done (inspect: serve would accept it), 1 refused or fatal problem, 2 bad usage.`;

const usage = (msg: string): TlsgateError => usageError(msg, USAGE);

const GENERATE_FLAGS = { cn: { type: 'string' }, san: { type: 'string', multiple: true }, out: { type: 'string' }, force: { type: 'boolean' } } as const;

function outDir(raw: string | undefined, io: CliIo): string {
  if (raw === undefined || raw === '') throw usage('--out DIR is required: the folder to write the key and certificate into, e.g. --out certs');
  return path.resolve(io.cwd, raw);
}

async function selfSigned(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, { ...GENERATE_FLAGS, days: { type: 'string' } }, USAGE);
  const { cn, sans } = checkNames(values.cn, values.san ?? [], USAGE);
  const days = checkDays(values.days, USAGE);
  const dir = outDir(values.out, io);
  const gen = generateSelfSigned({ commonName: cn, altNames: sans, days, now: new Date() });
  const [key, cert] = writeOutputs(dir, [{ name: 'server.key', content: gen.keyPem, mode: 0o600 }, { name: 'server.crt', content: gen.certPem, mode: 0o644 }], values.force === true);
  io.stdout.write(`wrote ${key} (RSA-2048 private key, mode 0600)\nwrote ${cert} (self-signed for ${[cn, ...sans].join(', ')}, ${days} days)\nthe sender trusts only public CAs: use this for testing, or run \`tlsgate certs csr\` for a real certificate\n`);
  return 0;
}

async function csr(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, { ...GENERATE_FLAGS, bits: { type: 'string' } }, USAGE);
  const { cn, sans } = checkNames(values.cn, values.san ?? [], USAGE);
  const bits = checkBits(values.bits, USAGE);
  const dir = outDir(values.out, io);
  const gen = generateCsr({ commonName: cn, altNames: sans, bits });
  const [key, req] = writeOutputs(dir, [{ name: 'server.key', content: gen.keyPem, mode: 0o600 }, { name: 'server.csr', content: gen.csrPem, mode: 0o644 }], values.force === true);
  io.stdout.write(`wrote ${key} (RSA-${bits} private key, mode 0600: keep it here, never send it)\nwrote ${req} (signing request for ${[cn, ...sans].join(', ')})\nsend server.csr to your CA; save its answer, leaf first then intermediates, as server.crt next to the key\n`);
  return 0;
}

async function inspect(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, { key: { type: 'string' }, json: { type: 'boolean' } }, USAGE, true);
  if (positionals.length !== 1) throw usage('inspect takes one PEM file, e.g. tlsgate certs inspect certs/server.crt');
  const file = path.resolve(io.cwd, positionals[0]!);
  const report = inspectFile(file, values.key === undefined ? undefined : path.resolve(io.cwd, values.key), Date.now());
  io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : renderInspect(report));
  return report.fatal ? 1 : 0;
}

const SUBCOMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { 'self-signed': selfSigned, csr, inspect };

/** `tlsgate certs self-signed|csr|inspect`: make and check certificates offline. */
export const certsCommand: Command = {
  name: 'certs',
  summary: 'make a self-signed certificate or a CSR, or inspect a chain',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const fn = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!fn) throw usage(sub === undefined ? 'certs needs a subcommand: self-signed, csr or inspect' : `unknown certs subcommand "${sub}"; use self-signed, csr or inspect`);
    return fn(rest, io);
  },
};
