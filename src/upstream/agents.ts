import http from 'node:http';
import type https from 'node:https';
import type { RouteConfig } from '../config/schema.js';
import { createLegacyTlsAgent } from './legacy-tls.js';

/** How long a pooled upstream connection may sit idle before tlsgate closes it. */
export const IDLE_MS = 4_000;

/**
 * Pool settings for every upstream, http:// and https:// alike. Idle sockets close after
 * IDLE_MS: old servers and the firewalls in front of them drop idle connections silently, and a
 * webhook written into such a dead socket fails (the sender then retries only 10 minutes later).
 * 4 s stays under the common 5 s server keep-alive.
 */
const POOL = { keepAlive: true, maxSockets: 256, scheduling: 'fifo', timeout: IDLE_MS } as const;

/** One keep-alive agent per route, so one route's legacy TLS settings never reach another. */
export function createAgents(routes: readonly RouteConfig[]): Map<RouteConfig, http.Agent | https.Agent> {
  const agents = new Map<RouteConfig, http.Agent | https.Agent>();
  for (const r of routes) {
    agents.set(r, r.upstream.url.startsWith('https:') ? createLegacyTlsAgent(r.upstream, POOL) : new http.Agent(POOL));
  }
  return agents;
}

/** Closes every idle upstream socket. */
export function destroyAgents(agents: Map<RouteConfig, http.Agent | https.Agent>): void {
  for (const a of agents.values()) a.destroy();
}
