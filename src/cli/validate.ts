import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { ConfigError, formatIssue, TlsgateError, type ConfigIssue } from '../errors.js';
import { dryRunProvision } from '../tls/provision.js';
import { resolveSecrets } from '../security/secrets.js';
import { resolveAdminToken } from '../admin/token.js';
import { configPath, parseFlags, type Command } from './command.js';

const USAGE = `Usage: tlsgate config validate [--config FILE]

Runs every start-up check (YAML, ports, routes, upstreams, certificates and keys, the
signing secrets and admin token named in the environment) without
binding a port. Prints each problem as file:line:column. Exit 0 when the config is usable, 1 when not.

Options:
  --config FILE   YAML config (default: $TLSGATE_CONFIG or config/tlsgate.yaml)
  -h, --help      show this help`;

/** `tlsgate config validate`: every start-up check, no port bound. */
export const validateCommand: Command = {
  name: 'config validate',
  summary: 'check a config and its certificates without starting',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: 'string' } }, USAGE);
    const file = path.resolve(io.cwd, configPath(values.config, io));
    const issues: ConfigIssue[] = [];
    let listeners = 0;
    try {
      const loaded = loadConfig(file);
      issues.push(...loaded.warnings);
      listeners = loaded.config.listeners.length;
      loaded.config.listeners.forEach((l, i) => {
        const at = { file, path: `listeners[${i}]` };
        try {
          const cert = dryRunProvision(l, new Date());
          for (const w of cert.warnings) issues.push({ ...at, message: w, severity: 'warning' });
        } catch (e) {
          if (!(e instanceof TlsgateError)) throw e;
          issues.push({ ...at, message: `${e.code}: ${e.message}` + (e.hint ? ` (fix: ${e.hint})` : ''), severity: 'error' });
        }
      });
      // Secrets live in the environment: check it as serve would, so a deploy fails here first.
      const config = loaded.config;
      const envChecks: [string, () => unknown][] = [
        ['routes', () => resolveSecrets(config, io.env)],
        ['admin', () => config.admin && resolveAdminToken(config.admin, io.env)],
      ];
      for (const [where, check] of envChecks) {
        try {
          check();
        } catch (e) {
          if (!(e instanceof TlsgateError)) throw e;
          issues.push({ file, path: where, message: `${e.code}: ${e.message}` + (e.hint ? ` (fix: ${e.hint})` : ''), severity: 'error' });
        }
      }
    } catch (e) {
      if (e instanceof ConfigError) issues.push(...e.issues);
      else if (e instanceof TlsgateError) issues.push({ file, path: '', message: `${e.code}: ${e.message}`, severity: 'error' });
      else throw e;
    }
    for (const i of issues) io.stdout.write(formatIssue(i) + '\n');
    const errors = issues.filter((i) => i.severity === 'error').length;
    io.stdout.write(errors === 0 ? `${file}: OK (${listeners} listener(s), ${issues.length} warning(s))\n` : `${file}: ${errors} error(s)\n`);
    return errors === 0 ? 0 : 1;
  },
};
