/**
 * The admin routes: /healthz (process up), /readyz (listeners bound, certificates loaded),
 * /activity (JSON), /metrics (Prometheus text) and / (the HTML page). Read-only: nothing here
 * changes the gateway, so GET and HEAD are the only methods.
 */
import type http from 'node:http';
import { ACTIVITY_FILTERS, type ActivityFilter, type ActivityLog } from '../observe/activity.js';
import type { GateMetrics } from '../observe/metrics.js';
import { authorized } from './token.js';
import { PAGE_CSP, renderPage, type ListenerView } from './page.js';

/** What the admin routes read from the running app. */
export interface AdminView {
  activity: ActivityLog;
  metrics: GateMetrics;
  listeners(): readonly ListenerView[];
  /** Empty when ready; otherwise why not (shown by /readyz). */
  notReady(): string[];
  /** The config generation in force (1 at start, +1 per successful reload). */
  generation(): number;
  now(): number;
  /** When set, every route but /healthz and /readyz needs it as a bearer token. */
  token: string | undefined;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, view: AdminView) => void | Promise<void>;

/** Liveness: the process answers. */
const healthz: Handler = (_req, res) => send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));

/** Readiness: 200 when every listener is bound with its certificate, 503 (with reasons) otherwise. */
const readyz: Handler = (_req, res, _url, view) => {
  const reasons = view.notReady();
  send(res, reasons.length === 0 ? 200 : 503, 'application/json', JSON.stringify({ ready: reasons.length === 0, reasons, generation: view.generation(), listeners: view.listeners() }));
};

/** Recent activity as JSON, newest first. */
const activity: Handler = (_req, res, url, view) => {
  const filter = readFilter(url, res);
  if (!filter) return;
  send(res, 200, 'application/json', JSON.stringify({ filter, capacity: view.activity.capacity, entries: view.activity.list(filter) }));
};

/** Prometheus text exposition. */
const metrics: Handler = async (_req, res, _url, view) => {
  send(res, 200, view.metrics.contentType, await view.metrics.render());
};

/** The HTML page. */
const page: Handler = (_req, res, url, view) => {
  const filter = readFilter(url, res);
  if (!filter) return;
  const html = renderPage({ listeners: view.listeners(), entries: view.activity.list(filter), filter, capacity: view.activity.capacity, generatedAt: view.now() });
  res.setHeader('content-security-policy', PAGE_CSP);
  send(res, 200, 'text/html; charset=utf-8', html);
};

const ROUTES: Readonly<Record<string, { handler: Handler; open: boolean }>> = Object.freeze({
  '/healthz': { handler: healthz, open: true },
  '/readyz': { handler: readyz, open: true },
  '/activity': { handler: activity, open: false },
  '/metrics': { handler: metrics, open: false },
  '/': { handler: page, open: false },
});

/** Answers one admin request; never throws. */
export async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, view: AdminView): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const route = ROUTES[url.pathname];
    if (!route) return send(res, 404, 'text/plain; charset=utf-8', `not found; admin routes: ${Object.keys(ROUTES).join(' ')}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'the admin server is read-only: use GET\n');
    }
    if (!route.open && view.token !== undefined && !authorized(req.headers.authorization, view.token)) {
      res.setHeader('www-authenticate', 'Basic realm="tlsgate admin", charset="UTF-8"');
      return send(res, 401, 'text/plain; charset=utf-8', 'unauthorized: send the admin token (from admin.tokenEnv) as "Authorization: Bearer TOKEN"\n');
    }
    await route.handler(req, res, url, view);
  } catch (e) {
    if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${(e as Error).message}\n`);
    else res.destroy();
  }
}

function readFilter(url: URL, res: http.ServerResponse): ActivityFilter | undefined {
  const raw = url.searchParams.get('filter') ?? 'all';
  if ((ACTIVITY_FILTERS as readonly string[]).includes(raw)) return raw as ActivityFilter;
  send(res, 400, 'text/plain; charset=utf-8', `filter must be one of ${ACTIVITY_FILTERS.join(', ')}, got ${JSON.stringify(raw.slice(0, 40))}\n`);
  return undefined;
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
