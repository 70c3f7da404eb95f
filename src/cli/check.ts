import fs from 'node:fs';
import path from 'node:path';
import { hasCode, TlsgateError } from '../errors.js';
import { progressTo } from '../check/progress.js';
import { renderTable } from '../check/render-table.js';
import { runCheck } from '../check/run-check.js';
import { parseTarget } from '../check/target.js';
import { parseChain, splitPemCertificates } from '../tls/pem.js';
import { SENDER_PORTS } from '../tls/suites.js';
import { numberFlag, packageVersion, parseFlags, usageError, type Command } from './command.js';
import { errorText } from './report.js';

const USAGE = `Usage: tlsgate check URL [--ca FILE] [--allow-any-port] [--post [--secret-env NAME]] [--json]

Tells whether the sender (FastSpring) can deliver webhooks to URL (https://host[:port][/path]).
Probes with the machine's openssl: TLS 1.0, 1.1, 1.2 and 1.3 each alone; each of the sender's
14 suites alone (those this OpenSSL cannot offer are "not testable here"); the certificate chain
as served (order, intermediates, expiry, key type and size, host name, trust by Node's bundled CA
store); and whether the port is one the sender posts to (${SENDER_PORTS.join(', ')}).

Exit status: 0 COMPATIBLE, 1 NOT COMPATIBLE, 2 could not connect, no openssl, or bad usage.

Options:
  --ca FILE            also trust the CA certificate(s) in FILE (PEM), e.g. a private test CA
  --allow-any-port     do not hold the port against the sender's list (a firewall maps it)
  --post               also POST a signed sample webhook, as the sender would; 200/202 = delivered
  --secret-env NAME    read the --post signing secret from environment variable NAME
                       (default TLSGATE_CHECK_SECRET), e.g. the one your route's secretEnv names
  --secret SECRET      the secret itself (avoid: a flag is visible to other users in ps)
  --json               print the report as JSON on stdout
  --timeout SECONDS    deadline for each probe (default 5)
  --concurrency N      openssl probes at a time (default 4)
  --quiet              no progress on stderr
  -h, --help           show this help`;

const usage = (msg: string): TlsgateError => usageError(msg, USAGE);

function readCa(file: string, cwd: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    throw usage(`--ca ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)}); pass the path of a PEM CA certificate`);
  }
  const pems = splitPemCertificates(text);
  if (pems.length === 0) throw usage(`--ca ${file}: no "-----BEGIN CERTIFICATE-----" block in it; pass a PEM CA certificate`);
  try {
    parseChain(text); // a corrupt block is a usage error here, not a stack trace later
  } catch (e) {
    throw usage(`--ca ${file}: a certificate block cannot be parsed (${(e as Error).message}); pass a PEM CA certificate`);
  }
  return pems;
}

/** `tlsgate check URL`: will the sender's handshake (and, with --post, its webhook) work? */
export const checkCommand: Command = {
  name: 'check',
  summary: "test a webhook URL against the sender's TLS and post",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        ca: { type: 'string', multiple: true },
        'allow-any-port': { type: 'boolean' },
        post: { type: 'boolean' },
        secret: { type: 'string' },
        'secret-env': { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        concurrency: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      USAGE,
      true,
    );
    if (positionals.length !== 1) throw usage(positionals.length === 0 ? 'check needs the URL to test, e.g. tlsgate check https://hooks.example.com:8443/fastspring' : `check takes one URL, got ${positionals.length}: ${positionals.join(' ')}`);
    const target = parseTarget(positionals[0]!);
    const timeoutMs = numberFlag('--timeout', values.timeout, { dflt: 5, min: 0, aboveMin: true, max: 120 }, USAGE) * 1000;
    const concurrency = numberFlag('--concurrency', values.concurrency, { dflt: 4, min: 1, max: 32, integer: true }, USAGE);
    const caPems = (values.ca ?? []).flatMap((f) => readCa(f, io.cwd));
    const secretEnv = values['secret-env'] ?? 'TLSGATE_CHECK_SECRET';
    const secret = values.secret ?? io.env[secretEnv];
    if ((values.secret !== undefined || values['secret-env'] !== undefined) && !values.post) throw usage('--secret and --secret-env are only used with --post; add --post or drop them');
    if (values.post && (secret === undefined || secret === '')) {
      throw usage(`--post signs the sample webhook like the sender, but the environment variable ${secretEnv} is ${secret === '' ? 'empty' : 'not set'}: export it with the webhook secret, or name another with --secret-env`);
    }
    const progress = progressTo(io.stderr, target.connect, values.quiet === true);
    try {
      const report = await runCheck(target, {
        caPems,
        allowAnyPort: values['allow-any-port'] === true,
        post: values.post ? { secret: secret! } : undefined,
        timeoutMs,
        concurrency,
        clock: { now: () => Date.now() },
        userAgent: `tlsgate-check/${packageVersion()}`,
        onProgress: (d, t, l) => progress.update(d, t, l),
      });
      progress.end();
      const color = io.stdout.isTTY === true && io.env['NO_COLOR'] === undefined;
      io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : renderTable(report, color));
      return report.verdict === 'COMPATIBLE' ? 0 : 1;
    } catch (e) {
      progress.end();
      // Exit 1 means "not compatible": a host we could not reach, or a machine without openssl,
      // must not read as a verdict to a script.
      if (!hasCode(e, 'TLSGATE_CHECK_UNREACHABLE') && !hasCode(e, 'TLSGATE_CHECK_OPENSSL')) throw e;
      const err = e as TlsgateError;
      if (values.json) io.stdout.write(JSON.stringify({ url: target.url, host: target.host, port: target.port, verdict: err.code === 'TLSGATE_CHECK_UNREACHABLE' ? 'UNREACHABLE' : 'NOT CHECKED', error: { code: err.code, message: err.message, hint: err.hint } }, null, 2) + '\n');
      io.stderr.write(errorText(e));
      return 2;
    }
  },
};
