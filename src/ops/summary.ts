import type { Config } from '../config/schema.js';
import type { ListenerSummary } from '../cluster/messages.js';

/** The fields of the one start-up summary line, the same for a single process and a cluster. */
export function startedFields(o: { version: string; file: string; config: Config; listeners: readonly ListenerSummary[]; admin: string | undefined; generation: number; workers: number; workerPids?: number[] }) {
  return {
    event: 'started',
    version: o.version,
    config: o.file,
    generation: o.generation,
    workers: o.workers,
    ...(o.workerPids ? { workerPids: o.workerPids } : {}),
    listeners: o.listeners,
    admin: o.admin ?? null,
    routes: o.config.routes.map((r) => ({ name: r.name, host: r.host, path: r.path, upstream: r.upstream.url })),
  };
}

/** The summary line's message: where tlsgate listens. */
export function startedMessage(listeners: readonly ListenerSummary[], workers: number): string {
  const where = listeners.map((l) => `${l.host}:${l.port}`).join(', ');
  return workers > 1 ? `tlsgate listening on ${where} (${workers} workers)` : `tlsgate listening on ${where}`;
}
