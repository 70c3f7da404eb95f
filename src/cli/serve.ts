import cluster from 'node:cluster';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { runPrimary } from '../cluster/primary.js';
import { reportStartupFailure, runWorker } from '../cluster/worker.js';
import { workerCount } from '../cluster/worker-count.js';
import { formatIssue } from '../errors.js';
import { createLogger } from '../observe/logger.js';
import { startGatewayProcess } from '../ops/gateway-process.js';
import { resolveSecrets } from '../security/secrets.js';
import { startedFields, startedMessage } from '../ops/summary.js';
import { configPath, numberFlag, packageVersion, parseFlags, type Command } from './command.js';
import { errorFields, errorText } from './report.js';

const USAGE = `Usage: tlsgate serve [--config FILE] [--grace SECONDS] [--no-watch] [--watch-debounce MS]

Runs the gateway: TLS 1.2 listeners on the sender's ports, forwarding to the routes' upstreams.
Logs are JSON lines on stdout.

Reload: SIGHUP, or a change to the config file or to a certificate, key or upstream CA file it
names, re-reads everything; new connections get the new settings, connections in flight finish on
the old ones. A bad file is refused with the same message as at start and the old one stays in
force; the log line "reloaded" / "reload_failed" carries the generation in force.
Stop: SIGTERM/SIGINT stop accepting, let requests in flight finish (up to --grace), then exit 0.
With \`workers: N\` (or auto) in the config, a primary process runs N workers sharing the ports.

Options:
  --config FILE          YAML config (default: $TLSGATE_CONFIG or config/tlsgate.yaml)
  --grace SECONDS        how long requests in flight may take to finish on stop (default 25)
  --no-watch             do not watch files; reload only on SIGHUP
  --watch-debounce MS    quiet time after a file change before reloading (default 500)
  -h, --help             show this help
  -v, --version          show the version`;

/** `tlsgate serve`: runs until SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the gateway (the default command)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      { config: { type: 'string' }, grace: { type: 'string' }, 'no-watch': { type: 'boolean' }, 'watch-debounce': { type: 'string' } },
      USAGE,
    );
    const graceMs = numberFlag('--grace', values.grace, { dflt: 25, min: 0, max: 3600, unit: 'seconds' }, USAGE) * 1000;
    const debounceMs = numberFlag('--watch-debounce', values['watch-debounce'], { dflt: 500, min: 0, max: 60_000, integer: true, unit: 'milliseconds' }, USAGE);
    const watch = values['no-watch'] !== true;
    const file = path.resolve(io.cwd, configPath(values.config, io));
    let logger = createLogger('info');
    const clock = { now: () => Date.now() };
    try {
      const loaded = loadConfig(file);
      logger = createLogger(loaded.config.log.level);
      // A worker re-reads the same file: only the primary (or single process) reports its warnings.
      if (!cluster.isWorker) for (const w of loaded.warnings) logger.warn({ event: 'config_warning', file: w.file, line: w.line, col: w.col, path: w.path }, formatIssue(w));
      // Signing secrets are checked before any worker is forked: a missing one is a start-up error, not a crash loop.
      resolveSecrets(loaded.config, io.env);
      const base = { file, config: loaded.config, graceMs, logger, clock, debounceMs, env: io.env };
      if (cluster.isWorker) return await runWorker(base, io);
      const count = workerCount(loaded.config.workers);
      if (count > 1) return await runPrimary({ ...base, count, watch, version: packageVersion() }, io);
      const gp = await startGatewayProcess({ ...base, watch });
      const listeners = gp.app.listeners();
      logger.info(startedFields({ version: packageVersion(), file, config: loaded.config, listeners, admin: gp.app.admin()?.url, generation: gp.app.generation(), workers: 1 }), startedMessage(listeners, 1));
      return await new Promise<number>((resolve) => {
        const offs: (() => void)[] = [];
        const stop = (signal: string) =>
          void gp.stop(signal).then(() => {
            offs.forEach((off) => off());
            logger.flush();
            resolve(0);
          });
        offs.push(io.onSignal('SIGTERM', () => stop('SIGTERM')));
        offs.push(io.onSignal('SIGINT', () => stop('SIGINT')));
        offs.push(io.onSignal('SIGHUP', () => void gp.reload('SIGHUP')));
      });
    } catch (e) {
      logger.fatal({ event: 'startup_failed', config: file, ...errorFields(e) }, 'tlsgate cannot start');
      logger.flush();
      // N workers failing alike would print N copies: a worker hands its text to the primary.
      if (!(await reportStartupFailure(errorText(e)))) io.stderr.write(errorText(e));
      return 1;
    }
  },
};
