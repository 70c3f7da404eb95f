import type { Logger } from 'pino';
import { run, type App } from '../app.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../upstream/forward.js';
import { drainOnce } from './drain.js';
import { createReloader, type ReloadOutcome } from './reloader.js';
import { watchFiles, type FileWatcher } from './watch-files.js';
import { watchedPaths } from './watched-paths.js';

/** How one gateway process runs. */
export interface GatewayProcessOptions {
  file: string;
  config: Config;
  graceMs: number;
  logger: Logger;
  clock: Clock;
  /** Watch the config and certificate files and reload on change (the cluster primary watches instead). */
  watch: boolean;
  debounceMs: number;
  initialGeneration?: number;
  /** Where routes' signing-secret variables are read (the CLI passes its io.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A running gateway with its reload and drain controls. */
export interface GatewayProcess {
  app: App;
  reload(reason: string): Promise<ReloadOutcome>;
  /** Drains and stops; safe to call more than once. */
  stop(signal: string): Promise<void>;
}

/** Starts the app and, when asked, a debounced watcher that reloads it on file changes. */
export async function startGatewayProcess(opts: GatewayProcessOptions): Promise<GatewayProcess> {
  const { logger } = opts;
  const app = await run(opts.config, { logger, clock: opts.clock, initialGeneration: opts.initialGeneration, env: opts.env });
  let watcher: FileWatcher | undefined;
  const reload = createReloader({ file: opts.file, app, logger, onApplied: (c) => watcher?.update(watchedPaths(c)) });
  if (opts.watch) watcher = startWatcher(watchedPaths(opts.config), opts.debounceMs, logger, (changed) => void reload(`file change: ${changed.join(', ')}`));
  const drain = drainOnce(app, opts.graceMs, logger);
  return {
    app,
    reload,
    stop: (signal) => {
      watcher?.close();
      return drain(signal);
    },
  };
}

/** A file watcher that logs what it watches and what it cannot. */
export function startWatcher(files: string[], debounceMs: number, logger: Logger, onChange: (changed: string[]) => void): FileWatcher {
  logger.debug({ event: 'watching', files, debounceMs }, 'watching config and certificate files for changes');
  return watchFiles(files, {
    debounceMs,
    onChange,
    onError: (dir, err) => logger.warn({ event: 'watch_failed', dir, error: err.message }, `cannot watch ${dir}; send SIGHUP to reload after changing files there`),
  });
}
