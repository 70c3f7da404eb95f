import path from 'node:path';
import { run } from '../app.js';
import { loadConfig } from '../config/load.js';
import { formatIssue, TlsgateError } from '../errors.js';
import { createLogger } from '../observe/logger.js';
import { configPath, packageVersion, parseFlags, type CliIo, type Command } from './command.js';
import { errorFields, errorText } from './report.js';

const USAGE = `Usage: tlsgate serve [--config FILE] [--grace SECONDS]

Runs the gateway: TLS 1.2 listeners on the sender's ports, forwarding to the routes' upstreams.
Logs are JSON lines on stdout. SIGHUP reloads config and certificates; SIGTERM/SIGINT drain.

Options:
  --config FILE     YAML config (default: $TLSGATE_CONFIG or config/tlsgate.yaml)
  --grace SECONDS   how long requests in flight may take to finish on stop (default 25)
  -h, --help        show this help
  -v, --version     show the version`;

/** `tlsgate serve`: runs until SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the gateway (the default command)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: 'string' }, grace: { type: 'string' } }, USAGE);
    const graceMs = values.grace === undefined ? 25_000 : Number(values.grace) * 1000;
    if (!Number.isFinite(graceMs) || graceMs < 0) throw usage(`--grace must be a number of seconds, got ${JSON.stringify(values.grace)}`);
    const file = path.resolve(io.cwd, configPath(values.config, io));
    let logger = createLogger('info');
    const clock = { now: () => Date.now() };
    let app;
    try {
      const loaded = loadConfig(file);
      logger = createLogger(loaded.config.log.level);
      for (const w of loaded.warnings) logger.warn({ event: 'config_warning', file: w.file, line: w.line, col: w.col, path: w.path }, formatIssue(w));
      app = await run(loaded.config, { logger, clock });
      logger.info(
        { event: 'started', version: packageVersion(), config: file, listeners: app.listeners(), routes: loaded.config.routes.map((r) => ({ name: r.name, host: r.host, path: r.path, upstream: r.upstream.url })) },
        `tlsgate listening on ${app.listeners().map((l) => `${l.host}:${l.port}`).join(', ')}`,
      );
    } catch (e) {
      logger.fatal({ event: 'startup_failed', config: file, ...errorFields(e) }, 'tlsgate cannot start');
      logger.flush();
      io.stderr.write(errorText(e));
      return 1;
    }
    const running = app;
    return await new Promise<number>((resolve) => {
      const offs: (() => void)[] = [];
      const stop = (signal: string) => {
        offs.forEach((off) => off());
        logger.info({ event: 'stopping', signal, graceMs }, `${signal}: draining requests in flight (up to ${graceMs / 1000}s)`);
        void running.close(graceMs).then(() => {
          logger.info({ event: 'stopped' }, 'tlsgate stopped');
          logger.flush();
          resolve(0);
        });
      };
      offs.push(io.onSignal('SIGTERM', () => stop('SIGTERM')));
      offs.push(io.onSignal('SIGINT', () => stop('SIGINT')));
      offs.push(
        io.onSignal('SIGHUP', () => {
          try {
            const next = loadConfig(file);
            void running.reload(next.config).then(
              () => logger.info({ event: 'reloaded', config: file }, 'config and certificates reloaded'),
              (e: unknown) => logger.error({ event: 'reload_failed', ...errorFields(e) }, 'reload refused; the previous config stays in force'),
            );
          } catch (e) {
            logger.error({ event: 'reload_failed', ...errorFields(e) }, 'reload refused; the previous config stays in force');
          }
        }),
      );
    });
  },
};

function usage(msg: string): TlsgateError {
  return new TlsgateError('TLSGATE_USAGE', `${msg}\n\n${USAGE}`);
}
