/** Resolves the routes' signing secrets from the environment the caller passes in, once, at start. */
import type { Config, RouteConfig } from '../config/schema.js';
import { TlsgateError } from '../errors.js';

/** Signing secrets by route; routes without `verify` are absent. */
export type RouteSecrets = ReadonlyMap<RouteConfig, string>;

/**
 * Reads every `verify.fastspringSignature.secretEnv` from `env`. An unset or empty variable is a
 * start-up error naming the route and the variable: starting anyway would either refuse every
 * webhook (401 until someone notices) or, worse, invite "temporarily" removing the check.
 */
export function resolveSecrets(config: Config, env: Readonly<Record<string, string | undefined>>): RouteSecrets {
  const out = new Map<RouteConfig, string>();
  const missing: string[] = [];
  config.routes.forEach((r, i) => {
    const name = r.verify?.fastspringSignature.secretEnv;
    if (name === undefined) return;
    const value = env[name];
    if (value === undefined || value === '') missing.push(`route "${r.name}" (routes[${i}].verify.fastspringSignature.secretEnv) names ${name}, which is ${value === '' ? 'empty' : 'not set'}`);
    else out.set(r, value);
  });
  if (missing.length > 0) {
    throw new TlsgateError('TLSGATE_SECRET_MISSING', `signing secret missing from the environment: ${missing.join('; ')}`, {
      hint: 'export the variable (the webhook secret from the sender\'s dashboard) in the environment tlsgate starts in, e.g. a systemd EnvironmentFile or a Kubernetes Secret',
    });
  }
  return out;
}
