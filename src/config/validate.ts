import { DEFAULTS, LOG_LEVELS, type Config } from './schema.js';
import { IssueSink, Obj } from './reader.js';
import { readListeners } from './validate-listeners.js';
import { readRoutes } from './validate-routes.js';

const ROOT_KEYS = ['listeners', 'routes', 'log'] as const;

/** Validates parsed YAML into a Config; every problem goes to `sink`, nothing throws. */
export function validateConfig(sink: IssueSink, raw: unknown, source: string, baseDir: string): Config | undefined {
  const root = Obj.from(sink, [], raw ?? {}, 'the top level: listeners, routes, log');
  if (!root) return undefined;
  root.onlyKeys(ROOT_KEYS);
  const listeners = readListeners(sink, root, baseDir);
  const routes = readRoutes(sink, root, baseDir);
  const logObj = root.obj('log', 'log settings');
  logObj?.onlyKeys(['level']);
  const level = logObj ? logObj.oneOf('level', LOG_LEVELS, DEFAULTS.logLevel) : DEFAULTS.logLevel;
  if (!sink.ok) return undefined;
  return deepFreeze({ source, listeners, routes, log: { level } });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
