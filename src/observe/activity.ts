/**
 * Recent activity, as the sender's "Recent Server Webhook Activity" page shows it but from our
 * side: the last N handshake failures and forwarded requests in a fixed-size ring. Bodies are
 * never stored; paths are stored without their query string, which may carry secrets.
 */
import type { GateEvent } from './events.js';
import { DEFAULTS } from '../config/schema.js';

/** What happened, in the words of the activity page. */
export type ActivityOutcome = 'processed' | 'unprocessed' | 'upstream_error' | 'refused' | 'aborted' | 'handshake_failure';

/** Filters the admin page and `/activity?filter=` accept. */
export const ACTIVITY_FILTERS = ['all', 'processed', 'unprocessed', 'failed'] as const;
/** One of ACTIVITY_FILTERS. */
export type ActivityFilter = (typeof ACTIVITY_FILTERS)[number];

/** One row of recent activity. */
export interface ActivityEntry {
  /** Increasing sequence number: stable row identity across refreshes. */
  id: number;
  /** ISO-8601 UTC. */
  time: string;
  port: number;
  /** `address:port` of the client ([v6]:port for IPv6). */
  remote: string;
  outcome: ActivityOutcome;
  /** HTTP status the sender saw (requests only). */
  status?: number;
  durationMs?: number;
  method?: string;
  path?: string;
  route?: string;
  errorCode?: string;
  /** Handshake failures: Node/OpenSSL code and the diagnosis. */
  code?: string;
  classification?: string;
  hint?: string;
  sni?: string;
  offeredVersions?: string[];
}

/** True when the entry passes `filter`; `failed` is everything that is neither processed nor unprocessed. */
export function matchesFilter(e: ActivityEntry, filter: ActivityFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'processed' || filter === 'unprocessed') return e.outcome === filter;
  return e.outcome !== 'processed' && e.outcome !== 'unprocessed';
}

/** A fixed-size ring of recent activity, newest first on read. */
export class ActivityLog {
  // Raw events are kept and turned into entries only when read: recording sits on the request
  // hot path, reading happens when a person opens the page.
  private readonly ring: ({ id: number; event: GateEvent } | undefined)[];
  private next = 0;
  private seq = 0;

  constructor(readonly capacity: number = DEFAULTS.activitySize) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`activity size must be a whole number >= 1, got ${capacity}`);
    this.ring = new Array<{ id: number; event: GateEvent } | undefined>(capacity);
  }

  /** Records one gate event; empty connections (health checks, port scans) are not activity. */
  record(e: GateEvent): void {
    if (e.type === 'handshake_failure' && (e.diagnosis as { classification?: string }).classification === 'empty_connection') return;
    this.ring[this.next] = { id: ++this.seq, event: e };
    this.next = (this.next + 1) % this.capacity;
  }

  /** Entries passing `filter`, newest first. */
  list(filter: ActivityFilter = 'all'): ActivityEntry[] {
    const out: ActivityEntry[] = [];
    for (let i = 1; i <= this.capacity; i++) {
      const slot = this.ring[(this.next - i + this.capacity) % this.capacity];
      const e = slot && toEntry(slot.event, slot.id);
      if (e && matchesFilter(e, filter)) out.push(e);
    }
    return out;
  }
}

function toEntry(e: GateEvent, id: number): ActivityEntry | undefined {
  const base = { id, time: new Date(e.time).toISOString(), port: e.port, remote: remote(e.remoteAddress, e.remotePort) };
  if (e.type === 'request') {
    return {
      ...base,
      outcome: e.outcome,
      status: e.status,
      durationMs: e.durationMs,
      method: e.method,
      path: e.path.split('?')[0],
      route: e.route,
      errorCode: e.errorCode,
    };
  }
  const d = e.diagnosis as { classification?: string; hint?: string; sni?: string; offeredVersions?: string[]; durationMs?: number };
  return {
    ...base,
    outcome: 'handshake_failure',
    durationMs: d.durationMs,
    code: e.code,
    classification: d.classification,
    hint: d.hint,
    sni: d.sni,
    offeredVersions: d.offeredVersions,
  };
}

function remote(address: string | undefined, port: number | undefined): string {
  const a = address ?? '?';
  const host = a.includes(':') ? `[${a}]` : a;
  return port === undefined ? host : `${host}:${port}`;
}
