/**
 * Keeps a scanner from flooding the disk with handshake-failure lines: per key (remote address
 * and classification) the first events of a window (a small burst, so a person testing a few
 * clients sees each attempt) are logged in full; further repeats are only counted and reported
 * as one summary when the window closes.
 */

/** How long repeats of one (remote, classification) are summarised rather than logged. */
export const DEFAULT_REPEAT_WINDOW_MS = 60_000;
/** Events per key and window logged in full before repeats are only counted. */
export const DEFAULT_BURST = 5;
/** Keys tracked at most; past this, new keys share one overflow bucket so memory stays bounded. */
export const DEFAULT_MAX_KEYS = 10_000;
/** The key the overflow bucket is counted under. */
export const OVERFLOW_KEY = '*';

/** Repeats that were counted, not logged, during one window. */
export interface RepeatSummary<T> {
  key: string;
  /** What the caller attached to the window's first event (remote address, classification…). */
  info: T;
  /** Events counted, not logged, after the window's burst. */
  suppressed: number;
  windowStart: number;
  windowMs: number;
}

interface Window<T> {
  info: T;
  start: number;
  logged: number;
  suppressed: number;
}

/** Per-key windows; time comes from the caller so the limiter is deterministic. */
export class RepeatLimiter<T> {
  private readonly windows = new Map<string, Window<T>>();

  constructor(
    readonly windowMs = DEFAULT_REPEAT_WINDOW_MS,
    readonly burst = DEFAULT_BURST,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {}

  /**
   * Records one event. `log` says whether to log it in full; `summary` carries the previous
   * window's repeats when that window has just closed (log it first).
   */
  admit(key: string, now: number, info: T): { log: boolean; summary?: RepeatSummary<T> } {
    const k = this.windows.has(key) || this.windows.size < this.maxKeys ? key : OVERFLOW_KEY;
    const w = this.windows.get(k);
    if (w && now - w.start < this.windowMs) {
      if (w.logged < this.burst) {
        w.logged += 1;
        return { log: true };
      }
      w.suppressed += 1;
      return { log: false };
    }
    const summary = w && w.suppressed > 0 ? this.summary(k, w) : undefined;
    this.windows.set(k, { info, start: now, logged: 1, suppressed: 0 });
    return summary ? { log: true, summary } : { log: true };
  }

  /** Closes every window that has ended by `now`: returns their summaries and forgets them. */
  sweep(now: number): RepeatSummary<T>[] {
    const out: RepeatSummary<T>[] = [];
    for (const [k, w] of this.windows) {
      if (now - w.start < this.windowMs) continue;
      if (w.suppressed > 0) out.push(this.summary(k, w));
      this.windows.delete(k);
    }
    return out;
  }

  /** Closes every window now (on shutdown), returning the summaries that were still pending. */
  drain(): RepeatSummary<T>[] {
    return this.sweep(Infinity);
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.windows.size;
  }

  private summary(key: string, w: Window<T>): RepeatSummary<T> {
    return { key, info: w.info, suppressed: w.suppressed, windowStart: w.start, windowMs: this.windowMs };
  }
}
