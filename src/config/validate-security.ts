/**
 * Validates the security settings of listeners (`trustProxy`, `limits:`) and routes (`allow:`,
 * `methods:`, `verify:`). Secrets are never in YAML: `verify` names an environment variable.
 */
import { parseCidr } from '../security/cidr.js';
import { DEFAULTS, type ListenerLimits, type RouteVerify } from './schema.js';
import { IssueSink, Obj } from './reader.js';

/** Keys this module adds to a listener. */
export const LISTENER_SECURITY_KEYS = ['trustProxy', 'limits'] as const;
/** Keys this module adds to a route. */
export const ROUTE_SECURITY_KEYS = ['allow', 'methods', 'verify'] as const;

const LIMIT_KEYS = ['maxConnections', 'maxConnectionsPerSource', 'headersTimeout', 'requestTimeout', 'idleTimeout', 'maxHeaderBytes'] as const;
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads a listener's `trustProxy` and `limits:`; every limit has a safe default. */
export function readListenerSecurity(sink: IssueSink, o: Obj): { trustProxy: boolean; limits: ListenerLimits } {
  const trustProxy = o.bool('trustProxy', false);
  if (trustProxy) sink.warn(o.at('trustProxy'), 'is true: every connection must start with a PROXY v1/v2 header and its source address is believed; make sure only your load balancer can reach this port');
  const l = o.obj('limits', 'listener limits: ' + LIMIT_KEYS.join(', '));
  l?.onlyKeys(LIMIT_KEYS);
  const limits: ListenerLimits = {
    maxConnections: l?.int('maxConnections', DEFAULTS.maxConnections, 1, 1_000_000) ?? DEFAULTS.maxConnections,
    maxConnectionsPerSource: l?.int('maxConnectionsPerSource', DEFAULTS.maxConnectionsPerSource, 1, 1_000_000) ?? DEFAULTS.maxConnectionsPerSource,
    headersTimeoutMs: l?.duration('headersTimeout', DEFAULTS.headersTimeoutMs, 600_000) ?? DEFAULTS.headersTimeoutMs,
    requestTimeoutMs: l?.duration('requestTimeout', DEFAULTS.requestTimeoutMs, 3600_000) ?? DEFAULTS.requestTimeoutMs,
    idleTimeoutMs: l?.duration('idleTimeout', DEFAULTS.idleTimeoutMs, 3600_000) ?? DEFAULTS.idleTimeoutMs,
    maxHeaderBytes: l?.int('maxHeaderBytes', DEFAULTS.maxHeaderBytes, 1024, 1024 * 1024) ?? DEFAULTS.maxHeaderBytes,
  };
  if (l && limits.headersTimeoutMs > limits.requestTimeoutMs) {
    sink.error(l.at('headersTimeout'), `(${limits.headersTimeoutMs} ms) must not exceed requestTimeout (${limits.requestTimeoutMs} ms): the request timeout covers the headers too; lower headersTimeout or raise requestTimeout`);
  }
  if (l && limits.maxConnectionsPerSource > limits.maxConnections) {
    sink.warn(l.at('maxConnectionsPerSource'), `(${limits.maxConnectionsPerSource}) is above maxConnections (${limits.maxConnections}): one address can fill the listener`);
  }
  return { trustProxy, limits };
}

/** Reads a route's `allow:`, `methods:` and `verify:`. */
export function readRouteSecurity(sink: IssueSink, o: Obj): { allow: string[] | undefined; methods: string[]; verify: RouteVerify | undefined } {
  const verify = readVerify(sink, o);
  let allow: string[] | undefined;
  if (o.has('allow')) {
    allow = [];
    const items = o.list('allow', true);
    for (const item of items) {
      if (typeof item.value !== 'string') {
        sink.error(item.path, 'must be an IP address or CIDR string such as 203.0.113.0/24');
        continue;
      }
      const c = parseCidr(item.value);
      if ('error' in c) sink.error(item.path, c.error);
      else allow.push(item.value.trim());
    }
  }
  const fallback = verify ? DEFAULTS.methodsSigned : DEFAULTS.methods;
  let methods = [...fallback];
  if (o.has('methods')) {
    methods = [];
    for (const item of o.list('methods', true)) {
      const m = typeof item.value === 'string' ? item.value.toUpperCase() : undefined;
      if (m === undefined || !(HTTP_METHODS as readonly string[]).includes(m)) {
        sink.error(item.path, `must be one of ${HTTP_METHODS.join(', ')}; the sender only POSTs`);
        continue;
      }
      if (!methods.includes(m)) methods.push(m);
    }
    if (verify && methods.some((m) => m !== 'POST')) sink.warn(o.at('methods'), 'allows methods other than POST on a signed route: the sender only POSTs, and a GET carries no body to sign');
  }
  return { allow, methods, verify };
}

function readVerify(sink: IssueSink, o: Obj): RouteVerify | undefined {
  const v = o.obj('verify', 'verify: { fastspringSignature: { secretEnv: NAME } }');
  if (!v) return undefined;
  v.onlyKeys(['fastspringSignature']);
  const fs = v.obj('fastspringSignature', 'fastspringSignature: { secretEnv: NAME }');
  if (!fs) {
    sink.error(v.at('fastspringSignature'), 'is required: fastspringSignature: { secretEnv: NAME }, NAME being the environment variable holding the webhook secret');
    return undefined;
  }
  if (fs.has('secret')) {
    sink.error(fs.at('secret'), 'secrets never go in the YAML file (it ends up in backups, repositories and ConfigMaps): put the secret in an environment variable and write secretEnv: ITS_NAME');
    return undefined;
  }
  fs.onlyKeys(['secretEnv']);
  const name = fs.str('secretEnv');
  if (name === undefined) return undefined;
  if (!ENV_NAME.test(name)) {
    sink.error(fs.at('secretEnv'), `must be the NAME of an environment variable (letters, digits, _), not the secret itself; got a value of ${name.length} characters`);
    return undefined;
  }
  return { fastspringSignature: { secretEnv: name } };
}
