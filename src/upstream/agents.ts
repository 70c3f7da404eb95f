import http from 'node:http';
import type https from 'node:https';
import type { RouteConfig } from '../config/schema.js';
import { createLegacyTlsAgent, IDLE_MS } from './legacy-tls.js';

/**
 * One keep-alive agent per route, so one route's legacy TLS settings never reach another. Idle
 * sockets close after IDLE_MS on plain HTTP too: a firewall that silently drops an idle
 * connection would otherwise eat the next webhook written into it.
 */
export function createAgents(routes: readonly RouteConfig[]): Map<RouteConfig, http.Agent | https.Agent> {
  const agents = new Map<RouteConfig, http.Agent | https.Agent>();
  for (const r of routes) {
    agents.set(r, r.upstream.url.startsWith('https:') ? createLegacyTlsAgent(r.upstream) : new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'fifo', timeout: IDLE_MS }));
  }
  return agents;
}

/** Closes every idle upstream socket. */
export function destroyAgents(agents: Map<RouteConfig, http.Agent | https.Agent>): void {
  for (const a of agents.values()) a.destroy();
}
