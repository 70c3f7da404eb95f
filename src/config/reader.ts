/**
 * A small, path-aware reader over parsed YAML. Every check records an issue with the exact
 * YAML path instead of throwing, so a user sees all problems of a config at once.
 */

/** A YAML path: keys and list indexes from the document root. */
export type YamlPath = readonly (string | number)[];

/** One problem found while reading, before file/line are attached. */
export interface RawIssue {
  path: YamlPath;
  message: string;
  severity: 'error' | 'warning';
  /** Point at the key itself rather than its value (unknown keys). */
  atKey?: boolean;
}

/** Collects issues while the config is read. */
export class IssueSink {
  readonly issues: RawIssue[] = [];
  /** Records an error at path. */
  error(path: YamlPath, message: string, atKey = false): void {
    this.issues.push({ path, message, severity: 'error', atKey });
  }
  /** Records a warning at path. */
  warn(path: YamlPath, message: string): void {
    this.issues.push({ path, message, severity: 'warning' });
  }
  /** True when no error (warnings allowed) was recorded. */
  get ok(): boolean {
    return !this.issues.some((i) => i.severity === 'error');
  }
}

/** Formats a YAML path as `listeners[0].port`. */
export function pathToString(path: YamlPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

/** A plain object node with its path, read field by field. */
export class Obj {
  constructor(
    readonly sink: IssueSink,
    readonly path: YamlPath,
    readonly value: Record<string, unknown>,
  ) {}

  /** Reads `value` as an object; records an error and returns undefined otherwise. */
  static from(sink: IssueSink, path: YamlPath, value: unknown, what: string): Obj | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      sink.error(path, `must be a mapping (${what}), got ${describe(value)}`);
      return undefined;
    }
    return new Obj(sink, path, value as Record<string, unknown>);
  }

  /** Records an error for every key not in `known`, suggesting the closest known key. */
  onlyKeys(known: readonly string[]): void {
    for (const k of Object.keys(this.value)) {
      if (known.includes(k)) continue;
      const near = closest(k, known);
      this.sink.error([...this.path, k], `unknown key "${k}"` + (near ? ` (did you mean "${near}"?)` : `; known keys: ${known.join(', ')}`), true);
    }
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  at(key: string): YamlPath {
    return [...this.path, key];
  }

  /** A string field; `fallback` undefined means required. */
  str(key: string, fallback?: string): string | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.sink.error(this.at(key), 'is required');
      return fallback;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.sink.error(this.at(key), `must be a non-empty string, got ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  /** An optional string field. */
  optStr(key: string): string | undefined {
    return this.has(key) ? this.str(key) : undefined;
  }

  /** An integer field within [min, max]. */
  int(key: string, fallback: number | undefined, min: number, max: number): number | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.sink.error(this.at(key), 'is required');
      return fallback;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.sink.error(this.at(key), `must be a whole number from ${min} to ${max}, got ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  /** A boolean field. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.value[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.sink.error(this.at(key), `must be true or false, got ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  /** A duration: a number of milliseconds or a string such as `500ms`, `30s`, `2m`. */
  duration(key: string, fallbackMs: number, maxMs = 24 * 3600_000): number {
    const v = this.value[key];
    if (v === undefined || v === null) return fallbackMs;
    const ms = parseDuration(v);
    if (ms === undefined || ms <= 0 || ms > maxMs) {
      this.sink.error(this.at(key), `must be a positive duration such as 500ms, 30s or 2m (at most ${maxMs / 1000}s), got ${describe(v)}`);
      return fallbackMs;
    }
    return ms;
  }

  /** A list field; each element is returned with its path. */
  list(key: string, required: boolean): { path: YamlPath; value: unknown }[] {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (required) this.sink.error(this.at(key), 'is required and must list at least one entry');
      return [];
    }
    if (!Array.isArray(v)) {
      this.sink.error(this.at(key), `must be a list, got ${describe(v)}`);
      return [];
    }
    if (required && v.length === 0) this.sink.error(this.at(key), 'must list at least one entry');
    return v.map((value, i) => ({ path: [...this.path, key, i], value }));
  }

  /** A nested object field, or undefined when absent. */
  obj(key: string, what: string): Obj | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    return Obj.from(this.sink, this.at(key), v, what);
  }

  /** A string field restricted to `choices`. */
  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const v = this.value[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      this.sink.error(this.at(key), `must be one of ${choices.join(', ')}, got ${describe(v)}`);
      return fallback;
    }
    return v as T;
  }
}

/** Parses `500ms`, `30s`, `2m`, `1h` or a bare number of milliseconds. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
