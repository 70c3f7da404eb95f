/** A pino destination that keeps every log line as a parsed JSON object. */
import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown> & { level: string; msg?: string; event?: string };

export class LogSink extends Writable {
  readonly lines: LogLine[] = [];
  private buf = '';
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const text = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as LogLine; // a non-JSON line fails the test, on purpose
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => (w.pred(line) ? (w.resolve(line), false) : true));
    }
    cb();
  }

  /** Lines whose `event` field equals `event`. */
  events(event: string): LogLine[] {
    return this.lines.filter((l) => l.event === event);
  }

  /** Resolves with the first line (past or future) matching `pred`; rejects after `ms`. */
  waitFor(pred: (l: LogLine) => boolean, ms = 10_000): Promise<LogLine> {
    const found = this.lines.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no log line matched within ${ms} ms; lines:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}`)), ms);
      this.waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  }
}

/** Parses a process's stdout as JSON lines, failing on any line that is not JSON. */
export function parseJsonLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogLine);
}
