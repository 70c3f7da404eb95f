import path from 'node:path';
import { PROFILES } from '../tls/suites.js';
import { DEFAULTS, type ListenerConfig } from './schema.js';
import { IssueSink, Obj, type YamlPath } from './reader.js';
import { LISTENER_SECURITY_KEYS, readListenerSecurity } from './validate-security.js';

const LISTENER_KEYS = ['port', 'host', 'cert', 'key', 'profile', 'allowAnyPort', 'generateCert', 'handshakeTimeout', ...LISTENER_SECURITY_KEYS] as const;

/** Validates `listeners:`; enforces the sender's port policy and unique ports. */
export function readListeners(sink: IssueSink, root: Obj, baseDir: string): ListenerConfig[] {
  const out: ListenerConfig[] = [];
  const seen = new Map<string, YamlPath>();
  for (const item of root.list('listeners', true)) {
    const o = Obj.from(sink, item.path, item.value, 'a listener');
    if (!o) continue;
    o.onlyKeys(LISTENER_KEYS);
    const port = o.int('port', undefined, 0, 65535);
    const host = o.str('host', DEFAULTS.host)!;
    const cert = o.str('cert');
    const key = o.str('key');
    const profileName = o.str('profile', DEFAULTS.profile)!;
    const allowAnyPort = o.bool('allowAnyPort', false);
    const generateCert = o.bool('generateCert', false);
    const handshakeTimeoutMs = o.duration('handshakeTimeout', DEFAULTS.handshakeTimeoutMs, 120_000);
    const { trustProxy, limits } = readListenerSecurity(sink, o);
    const profile = PROFILES[profileName];
    if (!profile) sink.error(o.at('profile'), `unknown profile "${profileName}"; known: ${Object.keys(PROFILES).join(', ')}`);
    if (port !== undefined && profile && !profile.ports.includes(port)) {
      if (allowAnyPort) {
        sink.warn(o.at('port'), `port ${port} is not one the ${profile.name} sender posts to (${profile.ports.join(', ')}); allowed because allowAnyPort is true`);
      } else {
        sink.error(o.at('port'), `port ${port} is not one the ${profile.name} sender posts to; use one of ${profile.ports.join(', ')} (or set allowAnyPort: true for a port behind a NAT or load balancer)`);
      }
    }
    if (port !== undefined && port !== 0) {
      const id = `${host}:${port}`;
      const first = seen.get(id);
      if (first) sink.error(o.at('port'), `duplicate listener ${id} (also at listeners[${String(first[1])}])`);
      else seen.set(id, item.path);
    }
    if (port === undefined || cert === undefined || key === undefined) continue;
    out.push({
      port,
      host,
      cert: path.resolve(baseDir, cert),
      key: path.resolve(baseDir, key),
      profile: profileName,
      allowAnyPort,
      generateCert,
      handshakeTimeoutMs,
      trustProxy,
      limits,
    });
  }
  return out;
}
