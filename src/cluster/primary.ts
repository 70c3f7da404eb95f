import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { CliIo } from '../cli/command.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { startWatcher } from '../ops/gateway-process.js';
import { serialize } from '../ops/serialize.js';
import { startedFields, startedMessage } from '../ops/summary.js';
import type { FileWatcher } from '../ops/watch-files.js';
import { watchedPaths } from '../ops/watched-paths.js';
import { provisionCertificate } from '../tls/provision.js';
import type { Clock } from '../upstream/forward.js';
import { isOurs, type ToPrimary, type ToWorker } from './messages.js';
import { GENERATION_ENV } from './worker.js';
import { workerCount } from './worker-count.js';

/** How the primary runs its workers. */
export interface PrimaryOptions {
  file: string;
  config: Config;
  count: number;
  graceMs: number;
  logger: Logger;
  watch: boolean;
  debounceMs: number;
  version: string;
  clock: Clock;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  startedAt: number;
}

/** A worker that dies sooner than this after starting counts as crash-looping and is restarted with backoff. */
const STABLE_MS = 10_000;
/** Longest wait between restarts of a crash-looping worker. */
const MAX_BACKOFF_MS = 30_000;
/** A worker that has not answered a reload by then is reported as failed. */
const RELOAD_ANSWER_MS = 60_000;

/**
 * The cluster primary: forks the workers (which share the listening sockets through node:cluster),
 * replaces crashed ones, watches the files, and fans SIGHUP/file reloads and SIGTERM/SIGINT drains
 * out to every worker. It serves no traffic itself.
 */
export async function runPrimary(opts: PrimaryOptions, io: CliIo): Promise<number> {
  const { logger, count } = opts;
  const slots = new Map<number, Slot>();
  let generation = 1;
  let stopping = false;
  let crashes = 0;
  let nextReloadId = 0;
  const replyWaiters = new Map<string, (m: Extract<ToPrimary, { tlsgate: 'reload_result' }> | undefined) => void>();
  const timers = new Set<NodeJS.Timeout>();
  let onStartupExit: ((w: Worker, code: number | null, signal: string | null) => void) | undefined;
  let onReady: ((w: Worker, ready: Extract<ToPrimary, { tlsgate: 'ready' }>) => void) | undefined;
  let watcher: FileWatcher | undefined;
  let startupError: string | undefined;

  // Check (and, with generateCert, create) certificates once here: N workers racing to write the
  // same self-signed pair would collide, and a bad certificate should be reported once, not N times.
  for (const l of opts.config.listeners) provisionCertificate(l, new Date(opts.clock.now()), logger);

  const fork = () => {
    const worker = cluster.fork({ [GENERATION_ENV]: String(generation) });
    slots.set(worker.id, { worker, ready: false, startedAt: opts.clock.now() });
    return worker;
  };
  const live = () => [...slots.values()].filter((s) => s.ready && s.worker.isConnected());

  cluster.on('message', (worker, m: unknown) => {
    if (!isOurs<ToPrimary>(m)) return;
    const slot = slots.get(worker.id);
    if (m.tlsgate === 'ready' && slot) {
      slot.ready = true;
      onReady?.(worker, m);
    } else if (m.tlsgate === 'failed') {
      startupError ??= m.error;
    } else if (m.tlsgate === 'reload_result') {
      replyWaiters.get(`${worker.id}:${m.id}`)?.(m);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker.id);
    slots.delete(worker.id);
    for (const [key, resolve] of replyWaiters) if (key.startsWith(`${worker.id}:`)) resolve(undefined);
    if (stopping || !slot) return;
    if (!slot.ready) return onStartupExit?.(worker, code, signal);
    const lived = opts.clock.now() - slot.startedAt;
    crashes = lived < STABLE_MS ? crashes + 1 : 0;
    const delay = crashes === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (crashes - 1));
    logger.error({ event: 'worker_exited', workerPid: worker.process.pid, code, signal, restartInMs: delay }, `worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting a replacement`);
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopping) replace(worker.process.pid);
    }, delay);
    timers.add(t);
  });

  const replace = (oldPid: number | undefined) => {
    // A replacement that dies before it is ready goes to onStartupExit: retried with back-off.
    const w = fork();
    const onMsg = (m: unknown) => {
      if (isOurs<ToPrimary>(m) && m.tlsgate === 'ready') {
        w.off('message', onMsg);
        logger.info({ event: 'worker_replaced', workerPid: w.process.pid, replaces: oldPid, generation: m.generation }, `worker ${w.process.pid} replaces ${oldPid}`);
      }
    };
    w.on('message', onMsg);
  };

  // Start-up: every worker must come up, or tlsgate exits 1 (the worker printed why).
  const started = await new Promise<Extract<ToPrimary, { tlsgate: 'ready' }> | undefined>((resolve) => {
    let readyCount = 0;
    let first: Extract<ToPrimary, { tlsgate: 'ready' }> | undefined;
    onReady = (_w, ready) => {
      first ??= ready;
      if (++readyCount === count) resolve(first);
    };
    let failed = false;
    onStartupExit = (w, code, signal) => {
      if (failed) return;
      failed = true;
      logger.fatal({ event: 'startup_failed', config: opts.file, workerPid: w.process.pid, code, signal }, 'a worker could not start; see its error above');
      io.stderr.write(startupError ?? `tlsgate: worker ${w.process.pid} exited during start-up (${signal ?? `code ${code}`})\n`);
      resolve(undefined);
    };
    for (let i = 0; i < count; i++) fork();
  });
  onReady = undefined;
  // After start-up, a replacement that dies before it is ready counts as a crash.
  onStartupExit = (w, code, signal) => {
    crashes += 1;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (crashes - 1));
    logger.error({ event: 'worker_exited', workerPid: w.process.pid, code, signal, restartInMs: delay }, `replacement worker ${w.process.pid} could not start; retrying`);
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopping) replace(w.process.pid);
    }, delay);
    timers.add(t);
  };

  if (!started) {
    await stopAll('startup failed');
    return 1;
  }
  logger.info(
    startedFields({ version: opts.version, file: opts.file, config: opts.config, listeners: started.listeners, admin: started.admin, generation, workers: count, workerPids: live().map((s) => s.worker.process.pid!) }),
    startedMessage(started.listeners, count),
  );

  const reload = serialize(async (reason: string) => {
    const id = ++nextReloadId;
    const targets = live();
    const answers = await Promise.all(
      targets.map(
        (s) =>
          new Promise<Extract<ToPrimary, { tlsgate: 'reload_result' }> | undefined>((resolve) => {
            const key = `${s.worker.id}:${id}`;
            const t = setTimeout(() => done(undefined), RELOAD_ANSWER_MS);
            const done = (m: Extract<ToPrimary, { tlsgate: 'reload_result' }> | undefined) => {
              clearTimeout(t);
              replyWaiters.delete(key);
              resolve(m);
            };
            replyWaiters.set(key, done);
            s.worker.send({ tlsgate: 'reload', id, reason } satisfies ToWorker);
          }),
      ),
    );
    const pids = targets.map((s) => s.worker.process.pid);
    const failed = answers.map((a, i) => (a?.ok ? undefined : pids[i])).filter((p) => p !== undefined);
    generation = Math.max(generation, ...answers.map((a) => a?.generation ?? 0));
    if (failed.length === 0) {
      logger.info({ event: 'reloaded', reason, generation, workerPids: pids }, `all ${pids.length} workers reloaded (${reason}); generation ${generation} in force`);
      try {
        const fresh = loadConfig(opts.file).config;
        watcher?.update(watchedPaths(fresh));
        const wanted = workerCount(fresh.workers);
        if (wanted !== count) logger.warn({ event: 'restart_needed', field: 'workers', running: count, configured: wanted }, `workers changed from ${count} to ${wanted}: restart tlsgate to apply it; ${count} workers keep serving`);
      } catch {
        // The workers just accepted this file; a change since then will trigger its own reload.
      }
    } else {
      const error = answers.find((a) => a?.error)?.error;
      logger.error({ event: 'reload_failed', reason, generation, failedPids: failed, error }, `reload (${reason}) refused by worker(s) ${failed.join(', ')}; generation ${generation} stays in force`);
    }
    return failed.length === 0;
  });

  watcher = opts.watch ? startWatcher(watchedPaths(opts.config), opts.debounceMs, logger, (changed) => void reload(`file change: ${changed.join(', ')}`)) : undefined;

  async function stopAll(signal: string): Promise<void> {
    stopping = true;
    for (const t of timers) clearTimeout(t);
    watcher?.close();
    const all = [...slots.values()];
    await Promise.all(
      all.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.worker.isDead()) return resolve();
            // A worker that outlives the grace period (plus a margin to flush its logs) is killed.
            const t = setTimeout(() => s.worker.process.kill('SIGKILL'), opts.graceMs + 5000);
            s.worker.once('exit', () => (clearTimeout(t), resolve()));
            // A worker still starting does not listen for messages yet: a signal reaches it.
            if (s.ready && s.worker.isConnected()) s.worker.send({ tlsgate: 'stop', signal } satisfies ToWorker);
            else s.worker.process.kill('SIGTERM');
          }),
      ),
    );
  }

  return await new Promise<number>((resolve) => {
    const offs: (() => void)[] = [];
    const stop = (signal: string) => {
      if (stopping) return void logger.info({ event: 'stopping', signal, repeated: true }, `${signal}: already draining`);
      logger.info({ event: 'stopping', signal, graceMs: opts.graceMs, workers: slots.size }, `${signal}: draining ${slots.size} workers (up to ${opts.graceMs / 1000}s)`);
      void stopAll(signal).then(() => {
        offs.forEach((off) => off());
        logger.info({ event: 'stopped', generation }, 'tlsgate stopped');
        resolve(0);
      });
    };
    offs.push(io.onSignal('SIGTERM', () => stop('SIGTERM')));
    offs.push(io.onSignal('SIGINT', () => stop('SIGINT')));
    offs.push(io.onSignal('SIGHUP', () => void reload('SIGHUP')));
  });
}
