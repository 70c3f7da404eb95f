import cluster from 'node:cluster';
import type { CliIo } from '../cli/command.js';
import { startGatewayProcess, type GatewayProcessOptions } from '../ops/gateway-process.js';
import { isOurs, type ToPrimary, type ToWorker } from './messages.js';

/**
 * Hands a start-up error's text to the primary, which prints it once for all workers; resolves
 * when it was sent. False outside a worker, so the caller prints it itself.
 */
export function reportStartupFailure(text: string): Promise<boolean> {
  const self = cluster.worker;
  if (!self?.isConnected()) return Promise.resolve(false);
  return new Promise((resolve) => self.send({ tlsgate: 'failed', error: text } satisfies ToPrimary, undefined, () => resolve(true)));
}

/** Environment variable through which the primary tells a replacement worker the generation in force. */
export const GENERATION_ENV = 'TLSGATE_GENERATION';

/**
 * Runs one cluster worker: the same gateway as a single process, but the primary watches the
 * files and tells every worker when to reload and stop, so all workers stay on one generation.
 */
export async function runWorker(opts: Omit<GatewayProcessOptions, 'watch'>, io: CliIo): Promise<number> {
  const self = cluster.worker;
  if (!self) throw new Error('runWorker called outside a cluster worker');
  const { logger } = opts;
  const inherited = Number(io.env[GENERATION_ENV]);
  const gp = await startGatewayProcess({ ...opts, watch: false, initialGeneration: Number.isInteger(inherited) && inherited > 0 ? inherited : 1 });
  const send = (m: ToPrimary) => {
    if (self.isConnected()) self.send(m);
  };
  logger.info({ event: 'worker_started', generation: gp.app.generation(), listeners: gp.app.listeners() }, 'worker serving');
  send({ tlsgate: 'ready', generation: gp.app.generation(), listeners: [...gp.app.listeners()], admin: gp.app.admin()?.url });

  return await new Promise<number>((resolve) => {
    const offs: (() => void)[] = [];
    const finish = (signal: string) => {
      void gp.stop(signal).then(() => {
        offs.forEach((off) => off());
        resolve(0);
      });
    };
    const onMessage = (m: unknown) => {
      if (!isOurs<ToWorker>(m)) return;
      if (m.tlsgate === 'stop') finish(m.signal);
      else if (m.tlsgate === 'reload') void gp.reload(m.reason).then((o) => send({ tlsgate: 'reload_result', id: m.id, ...o }));
    };
    // The primary is gone (killed): serve what is in flight, then leave rather than run unsupervised.
    const onDisconnect = () => finish('primary disconnected');
    self.on('message', onMessage);
    self.on('disconnect', onDisconnect);
    offs.push(() => self.off('message', onMessage), () => self.off('disconnect', onDisconnect));
    offs.push(io.onSignal('SIGTERM', () => finish('SIGTERM')));
    offs.push(io.onSignal('SIGINT', () => finish('SIGINT')));
    // A terminal hangup reaches every process of the group; only the primary's fan-out reloads,
    // so all workers move to the next generation together. Without a handler SIGHUP would kill us.
    offs.push(io.onSignal('SIGHUP', () => logger.debug({ event: 'sighup_ignored' }, 'SIGHUP to a worker is ignored; the primary fans reloads out')));
  });
}
