import type { Config } from '../config/schema.js';

/** Every file whose change should reload tlsgate: the config, certificates, keys and upstream CAs. */
export function watchedPaths(config: Config): string[] {
  const files = [config.source];
  for (const l of config.listeners) files.push(l.cert, l.key);
  for (const r of config.routes) if (r.upstream.tls.ca !== undefined) files.push(r.upstream.tls.ca);
  return [...new Set(files)];
}
