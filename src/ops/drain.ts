import type { Logger } from 'pino';
import type { App } from '../app.js';

/**
 * Returns a stop function that drains once: a second signal while draining is logged and
 * ignored, because Ctrl-C reaches cluster workers both from the terminal and from the primary.
 */
export function drainOnce(app: App, graceMs: number, logger: Logger): (signal: string) => Promise<void> {
  let draining: Promise<void> | undefined;
  return (signal) => {
    if (draining) {
      logger.info({ event: 'stopping', signal, repeated: true }, `${signal}: already draining`);
      return draining;
    }
    logger.info({ event: 'stopping', signal, graceMs }, `${signal}: draining requests in flight (up to ${graceMs / 1000}s)`);
    draining = app.close(graceMs).then(() => logger.info({ event: 'stopped', generation: app.generation() }, 'tlsgate stopped'));
    return draining;
  };
}
