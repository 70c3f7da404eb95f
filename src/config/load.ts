import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import { ConfigError, TlsgateError, type ConfigIssue } from '../errors.js';
import { IssueSink, pathToString, type RawIssue } from './reader.js';
import type { Config } from './schema.js';
import { validateConfig } from './validate.js';

/** A loaded config and its warnings (errors throw a ConfigError). */
export interface LoadedConfig {
  config: Config;
  warnings: ConfigIssue[];
}

/** Reads, parses and validates a YAML config; throws ConfigError listing every problem. */
export function loadConfig(file: string): LoadedConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new TlsgateError('TLSGATE_CONFIG_NOT_FOUND', `cannot read config ${abs}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      hint: 'pass --config with the path of your YAML file; config/tlsgate.yaml is the embedded default',
    });
  }
  return parseConfig(text, abs);
}

/** Parses and validates YAML text as if it were the file `source`. */
export function parseConfig(text: string, source: string): LoadedConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    issues.push({ file: source, path: '', line: pos?.line, col: pos?.col, message: e.message.split('\n')[0]!, severity: e.name === 'YAMLWarning' ? 'warning' : 'error' });
  }
  if (issues.some((i) => i.severity === 'error')) throw new ConfigError(issues);
  const sink = new IssueSink();
  const config = validateConfig(sink, doc.toJS(), source, path.dirname(source));
  for (const raw of sink.issues) issues.push(locate(raw, doc, lc, source));
  if (!config || issues.some((i) => i.severity === 'error')) throw new ConfigError(issues);
  return { config, warnings: issues };
}

/** Finds line:column for a YAML path: the value when it exists, else the nearest parent. */
function locate(raw: RawIssue, doc: Document, lc: LineCounter, file: string): ConfigIssue {
  let offset: number | undefined;
  for (let n = raw.path.length; n >= 0 && offset === undefined; n--) {
    const sub = raw.path.slice(0, n);
    if (raw.atKey && n === raw.path.length) {
      const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === sub[sub.length - 1]);
        offset = (pair?.key as Node | undefined)?.range?.[0];
      }
      continue;
    }
    const node = (sub.length === 0 ? doc.contents : doc.getIn(sub, true)) as Node | undefined;
    offset = node?.range?.[0];
  }
  const pos = offset === undefined ? undefined : lc.linePos(offset);
  return { file, path: pathToString(raw.path), line: pos?.line, col: pos?.col, message: raw.message, severity: raw.severity };
}
