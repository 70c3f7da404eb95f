/**
 * The request pipeline: one array of small named passes, run in order until one answers.
 * Each pass either returns (continue) or settles the exchange itself.
 */
import type http from 'node:http';
import type https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { RouteConfig } from '../config/schema.js';
import { TlsgateError, type ErrorCode } from '../errors.js';
import type { EventHub, RequestEvent } from '../observe/events.js';
import { matchRoute } from '../router.js';
import { CountingLimit, readBody } from './body.js';
import { createAgents, destroyAgents } from './agents.js';
import { stripHopByHop } from './hop-by-hop.js';
import { send, targetOf, type Target } from './send.js';
import { compileAllowList, type Cidr } from '../security/cidr.js';
import type { RouteSecrets } from '../security/secrets.js';
import { allow } from './passes/allow.js';
import { methods } from './passes/methods.js';
import { signature } from './passes/signature.js';

/** A source of the current time in milliseconds; tests may pass their own. */
export interface Clock {
  now(): number;
}

/** What the forwarder needs from its caller. */
export interface ForwarderDeps {
  logger: Logger;
  clock: Clock;
  hub: EventHub;
  /** Signing secrets of routes with `verify`, resolved from the environment at start. */
  secrets?: RouteSecrets;
}

/** The state of one request as it moves through the passes. */
export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  port: number;
  start: number;
  route?: RouteConfig;
  body?: CountingLimit;
  buffered?: Buffer;
  upstreamStatus?: number;
  /** TLS version and suite spoken to an https:// upstream, for the log line. */
  upstreamTls?: { protocol: string | null; cipher: string };
  bytesOut: number;
  failure?: { code: ErrorCode; status: number; message: string; hint?: string; cause?: string };
}

/** One step of the pipeline: returns true (or answers) to stop, nothing to continue. */
export type Pass = (ex: Exchange, f: Forwarder) => Promise<boolean | void> | boolean | void;

/** Finds the route; no route is a 404 and the upstream is never contacted. */
const route: Pass = (ex, f) => {
  const sni = (ex.req.socket as TLSSocket).servername || undefined;
  const host = sni ?? hostOnly(ex.req.headers.host);
  ex.route = matchRoute(f.routes, { host: host?.toLowerCase(), path: (ex.req.url ?? '/').split('?')[0]! });
  if (!ex.route) return f.refuse(ex, 404, 'TLSGATE_NO_ROUTE', `no route for ${host ?? '(no host)'} ${ex.req.url ?? ''}`, 'add a route whose path is a prefix of this path');
};

/** A declared body over the route's limit is refused before the upstream is contacted. */
const sizeLimit: Pass = (ex, f) => {
  const declared = Number(ex.req.headers['content-length'] ?? 0);
  const limit = ex.route!.maxBodyBytes;
  if (declared > limit) return f.refuse(ex, 413, 'TLSGATE_BODY_TOO_LARGE', `content-length ${declared} exceeds the route's maxBodyBytes (${limit})`, 'raise routes[].maxBodyBytes if such bodies are legitimate');
};

/** Strips hop-by-hop fields and sets X-Forwarded-*, replacing (never trusting) inbound values. */
const headers: Pass = (ex) => {
  const h = ex.req.headers;
  stripHopByHop(h);
  delete h['forwarded'];
  // Node already answered "100 Continue" to the sender; forwarding Expect would make the
  // upstream request wait for a second 100 that it has no use for.
  delete h['expect'];
  h['x-forwarded-for'] = ex.req.socket.remoteAddress ?? '';
  h['x-forwarded-proto'] = 'https';
  h['x-forwarded-port'] = String(ex.port);
  const hostHeader = ex.route!.upstream.hostHeader;
  if (hostHeader !== undefined) h.host = hostHeader;
};

/**
 * Either reads the whole body (HTTP/1.0 backends, signed routes) or prepares to stream it
 * through a byte counter; the send pass starts the flow.
 */
const body: Pass = async (ex, f) => {
  const limit = ex.route!.maxBodyBytes;
  // A signed route must see the whole body before anything reaches the upstream.
  if (ex.route!.upstream.bufferBody || ex.route!.verify) {
    try {
      ex.buffered = await readBody(ex.req, limit);
    } catch (e) {
      const err = e as TlsgateError;
      if (err.code === 'TLSGATE_CLIENT_ABORTED') return f.refuse(ex, 400, err.code, err.message);
      return f.refuse(ex, 413, 'TLSGATE_BODY_TOO_LARGE', err.message, err.hint);
    }
    ex.req.headers['content-length'] = String(ex.buffered.length);
    delete ex.req.headers['transfer-encoding'];
    return; // already counted and limited by readBody
  }
  ex.body = new CountingLimit(limit);
  ex.body.on('error', (err: TlsgateError) => f.fail(ex, { code: err.code, status: 413, message: err.message, hint: err.hint }));
};

/** The passes, in order. */
const PASSES: readonly Pass[] = [route, allow, methods, sizeLimit, headers, body, signature, send];

/** Forwards requests to their routes' upstreams and reports each exchange once. */
export class Forwarder {
  readonly agents: Map<RouteConfig, http.Agent | https.Agent>;
  private readonly targets = new Map<RouteConfig, Target>();
  private readonly allowLists = new Map<RouteConfig, Cidr[]>();
  /** Signing secrets by route (empty when no route has `verify`). */
  readonly secrets: RouteSecrets;

  constructor(
    readonly routes: readonly RouteConfig[],
    private readonly deps: ForwarderDeps,
  ) {
    this.secrets = deps.secrets ?? new Map();
    this.agents = createAgents(routes);
    for (const r of routes) {
      this.targets.set(r, targetOf(r));
      if (r.allow) this.allowLists.set(r, compileAllowList(r.allow));
    }
  }

  /** A route's `allow:` CIDRs, parsed once per config rather than per request. */
  allowList(route: RouteConfig): readonly Cidr[] | undefined {
    return this.allowLists.get(route);
  }

  /** The parsed upstream of a route. */
  target(route: RouteConfig): Target {
    return this.targets.get(route)!;
  }

  /** Runs one request through the passes. Never throws. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, port: number): Promise<void> {
    const ex: Exchange = { req, res, port, start: this.deps.clock.now(), bytesOut: 0 };
    res.once('close', () => this.report(ex));
    try {
      for (const pass of PASSES) {
        if ((await pass(ex, this)) === true || res.headersSent || res.destroyed) return;
      }
    } catch (e) {
      this.fail(ex, { code: 'TLSGATE_UPSTREAM_ERROR', status: 502, message: `internal error: ${(e as Error).message}` });
    }
  }

  /** Answers the sender directly (404, 413…) without contacting the upstream. Returns true. */
  refuse(ex: Exchange, status: number, code: ErrorCode, message: string, hint?: string): true {
    this.fail(ex, { code, status, message, hint });
    return true;
  }

  /** Settles an exchange with an error status; if headers are out already, the socket is cut. */
  fail(ex: Exchange, failure: NonNullable<Exchange['failure']>): void {
    if (ex.failure) return;
    ex.failure = failure;
    const { res } = ex;
    if (res.headersSent) {
      // The status line is out: cut the connection so the sender cannot mistake a truncated
      // answer for success.
      res.destroy();
      return;
    }
    if (res.destroyed) return;
    const text = `${failure.status} ${failure.message}\n`;
    res.writeHead(failure.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
    res.end(text);
    // The body may still be arriving; discard it rather than leave the socket stuck.
    ex.req.resume();
  }

  /** Logs and publishes the exchange once the response is closed. */
  private report(ex: Exchange): void {
    const { req, res } = ex;
    const sock = req.socket as TLSSocket;
    const aborted = !res.writableFinished && !ex.failure;
    const cipher = typeof sock.getCipher === 'function' ? sock.getCipher() : undefined;
    const failure = ex.failure ?? (aborted ? { code: 'TLSGATE_CLIENT_ABORTED' as const, status: 499, message: 'sender closed the connection before the response' } : undefined);
    const event: RequestEvent = {
      type: 'request',
      time: ex.start,
      port: ex.port,
      remoteAddress: sock.remoteAddress,
      remotePort: sock.remotePort,
      method: req.method ?? '',
      path: req.url ?? '',
      route: ex.route?.name,
      upstream: ex.route?.upstream.url,
      // What the sender saw: the status written, or ours when nothing was written.
      status: res.headersSent ? res.statusCode : (failure?.status ?? res.statusCode),
      outcome: outcomeOf(ex, failure?.code),
      errorCode: failure?.code,
      bytesIn: ex.buffered?.length ?? ex.body?.bytes ?? 0,
      bytesOut: ex.bytesOut,
      durationMs: this.deps.clock.now() - ex.start,
      protocol: typeof sock.getProtocol === 'function' ? (sock.getProtocol() ?? undefined) : undefined,
      cipher: cipher?.standardName ?? cipher?.name,
    };
    const { type: _t, time: _time, ...rest } = event;
    const fields = { ...rest, upstreamTls: ex.upstreamTls };
    if (failure) this.deps.logger.warn({ event: 'request', ...fields, error: failure.message, hint: failure.hint, cause: failure.cause }, `${event.method} ${event.path} -> ${event.status} ${failure.code}`);
    else this.deps.logger.info({ event: 'request', ...fields }, `${event.method} ${event.path} -> ${event.status}`);
    this.deps.hub.publish(event);
  }

  /** Closes idle upstream connections. */
  close(): void {
    destroyAgents(this.agents);
  }
}

function outcomeOf(ex: Exchange, code: string | undefined): RequestEvent['outcome'] {
  if (code === 'TLSGATE_CLIENT_ABORTED') return 'aborted';
  if (ex.failure && ex.upstreamStatus === undefined) return ex.failure.code.startsWith('TLSGATE_UPSTREAM') ? 'upstream_error' : 'refused';
  if (ex.failure) return 'upstream_error';
  return ex.upstreamStatus === 200 || ex.upstreamStatus === 202 ? 'processed' : 'unprocessed';
}

function hostOnly(host: string | undefined): string | undefined {
  if (!host) return undefined;
  return host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0];
}
