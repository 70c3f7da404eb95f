/** The messages a cluster primary and its workers exchange over the IPC channel. */

/** Listener summary as `App.listeners()` reports it. */
export interface ListenerSummary {
  port: number;
  host: string;
  subject: string;
  daysToExpiry: number;
}

/** Primary → worker. */
export type ToWorker = { tlsgate: 'reload'; id: number; reason: string } | { tlsgate: 'stop'; signal: string };

/** Worker → primary. */
export type ToPrimary =
  | { tlsgate: 'ready'; generation: number; listeners: ListenerSummary[]; admin: string | undefined }
  | { tlsgate: 'reload_result'; id: number; ok: boolean; generation: number; error?: string }
  | { tlsgate: 'failed'; error: string };

/** True for a message of ours (the channel may carry Node's own internal messages). */
export function isOurs<T extends { tlsgate: string }>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && typeof (m as { tlsgate?: unknown }).tlsgate === 'string';
}
