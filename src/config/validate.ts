import { DEFAULTS, LOG_LEVELS, MAX_WORKERS, type Config } from './schema.js';
import { IssueSink, Obj } from './reader.js';
import { readListeners } from './validate-listeners.js';
import { readRoutes } from './validate-routes.js';
import { readActivity, readAdmin } from './validate-admin.js';

const ROOT_KEYS = ['listeners', 'routes', 'log', 'workers', 'admin', 'activity'] as const;

/** Validates parsed YAML into a Config; every problem goes to `sink`, nothing throws. */
export function validateConfig(sink: IssueSink, raw: unknown, source: string, baseDir: string): Config | undefined {
  const root = Obj.from(sink, [], raw ?? {}, 'the top level: listeners, routes, log, admin, activity');
  if (!root) return undefined;
  root.onlyKeys(ROOT_KEYS);
  const listeners = readListeners(sink, root, baseDir);
  const routes = readRoutes(sink, root, baseDir);
  const logObj = root.obj('log', 'log settings');
  logObj?.onlyKeys(['level']);
  const level = logObj ? logObj.oneOf('level', LOG_LEVELS, DEFAULTS.logLevel) : DEFAULTS.logLevel;
  const workers = readWorkers(sink, root);
  const admin = readAdmin(sink, root);
  const activity = readActivity(sink, root);
  if (admin && workers !== 1) sink.warn(['admin'], 'with several workers each one answers admin requests for itself: /activity and /metrics show only the worker that answered; use workers: 1 for one complete view');
  if (!sink.ok) return undefined;
  return deepFreeze({ source, listeners, routes, log: { level }, workers, ...(admin ? { admin } : {}), activity });
}

/** `workers: auto | N`; anything else names the field and the two accepted forms. */
function readWorkers(sink: IssueSink, root: Obj): number | 'auto' {
  const v = root.value['workers'];
  if (v === undefined || v === null) return DEFAULTS.workers;
  if (v === 'auto') return 'auto';
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_WORKERS) return v;
  sink.error(root.at('workers'), `must be "auto" (one worker per CPU core) or a whole number from 1 to ${MAX_WORKERS}, got ${JSON.stringify(v)}`);
  return DEFAULTS.workers;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
