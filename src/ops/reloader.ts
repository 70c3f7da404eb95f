import type { Logger } from 'pino';
import type { App } from '../app.js';
import { errorFields, errorText } from '../cli/report.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { formatIssue } from '../errors.js';
import { serialize } from './serialize.js';

/** The result of one reload attempt. */
export interface ReloadOutcome {
  ok: boolean;
  /** The generation in force afterwards (unchanged when the reload was refused). */
  generation: number;
  /** The same text `serve` prints at start for this problem, when refused. */
  error?: string;
}

/** What a reloader needs. */
export interface ReloaderDeps {
  file: string;
  app: App;
  logger: Logger;
  /** Told about each config put in force, e.g. to watch its new certificate paths. */
  onApplied?(config: Config): void;
}

/**
 * Re-reads the config file and certificates and applies them to the app, one reload at a time.
 * A bad config or certificate is refused with the same codes and messages as at start, and the
 * previous generation stays in force.
 */
export function createReloader(deps: ReloaderDeps): (reason: string) => Promise<ReloadOutcome> {
  const { file, app, logger } = deps;
  return serialize(async (reason) => {
    const before = app.generation();
    try {
      const loaded = loadConfig(file);
      for (const w of loaded.warnings) logger.warn({ event: 'config_warning', file: w.file, line: w.line, col: w.col, path: w.path }, formatIssue(w));
      await app.reload(loaded.config);
      const generation = app.generation();
      logger.info({ event: 'reloaded', reason, generation, config: file, listeners: app.listeners() }, `config and certificates reloaded (${reason}); generation ${generation} in force`);
      deps.onApplied?.(loaded.config);
      return { ok: true, generation };
    } catch (e) {
      logger.error({ event: 'reload_failed', reason, generation: before, config: file, ...errorFields(e) }, `reload (${reason}) refused; generation ${before} stays in force`);
      return { ok: false, generation: before, error: errorText(e) };
    }
  });
}
