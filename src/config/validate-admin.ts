/**
 * Validates `admin:` and `activity:`. The admin server shows who connects and why handshakes
 * fail, so it listens on loopback unless a bearer token protects it, and that token comes
 * from the environment (named by `tokenEnv`), never from YAML, which is often committed.
 */
import { parseAddress } from '../security/cidr.js';
import { DEFAULTS, type ActivityConfig, type AdminConfig } from './schema.js';
import type { IssueSink, Obj } from './reader.js';

const ADMIN_KEYS = ['listen', 'tokenEnv'] as const;
const ACTIVITY_KEYS = ['size'] as const;
/** Upper bound for `activity.size`: each entry is small, but the page renders them all. */
export const MAX_ACTIVITY_SIZE = 10_000;

/** Validates `admin:`; undefined when the section is absent (no admin server). */
export function readAdmin(sink: IssueSink, root: Obj): AdminConfig | undefined {
  const o = root.obj('admin', 'admin server settings: listen, tokenEnv');
  if (!o) return undefined;
  if (o.has('token')) {
    sink.error(o.at('token'), 'a token must not be written in the config file; put it in an environment variable and name that variable here instead, e.g. tokenEnv: TLSGATE_ADMIN_TOKEN', true);
  }
  o.onlyKeys([...ADMIN_KEYS, 'token']);
  const listen = o.str('listen');
  const tokenEnv = o.optStr('tokenEnv');
  if (tokenEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
    sink.error(o.at('tokenEnv'), `must be the name of an environment variable (letters, digits, _), got ${JSON.stringify(tokenEnv)}; the token itself goes in that variable`);
  }
  if (listen === undefined) return undefined;
  const addr = parseListen(listen);
  if ('error' in addr) {
    sink.error(o.at('listen'), addr.error);
    return undefined;
  }
  if (!isLoopback(addr.host) && tokenEnv === undefined) {
    sink.error(o.at('listen'), `${listen} is reachable from other machines, and the admin pages show client addresses and failures: listen on 127.0.0.1:${addr.port} (or [::1]:${addr.port}), or set tokenEnv: NAME and put a bearer token of 16+ characters in that environment variable`);
  }
  return { host: addr.host, port: addr.port, tokenEnv };
}

/** Validates `activity:`; defaults when absent. */
export function readActivity(sink: IssueSink, root: Obj): ActivityConfig {
  const o = root.obj('activity', 'recent activity settings: size');
  if (!o) return { size: DEFAULTS.activitySize };
  o.onlyKeys(ACTIVITY_KEYS);
  return { size: o.int('size', DEFAULTS.activitySize, 1, MAX_ACTIVITY_SIZE) ?? DEFAULTS.activitySize };
}

/** Parses `HOST:PORT`, `[V6]:PORT` or `localhost:PORT`; the host must be an IP address or localhost. */
export function parseListen(text: string): { host: string; port: number } | { error: string } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text.trim()) ?? /^([^:[\]]+):(\d+)$/.exec(text.trim());
  const usage = `must be HOST:PORT such as 127.0.0.1:9900 or [::1]:9900, got ${JSON.stringify(text)}`;
  if (!m) return { error: usage };
  const host = m[1]!;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port > 65535) return { error: `port must be 0-65535; ${usage}` };
  if (host !== 'localhost' && parseAddress(host) === undefined) return { error: `host must be an IP address or localhost (a name could resolve anywhere); ${usage}` };
  return { host, port };
}

/** True for 127.0.0.0/8, ::1, IPv4-mapped loopback and `localhost`. */
export function isLoopback(host: string): boolean {
  // parseAddress refuses loose forms (127.1, 0x7f.1) and unwraps IPv4-mapped IPv6 addresses.
  return host === 'localhost' || parseAddress(host)?.range() === 'loopback';
}
