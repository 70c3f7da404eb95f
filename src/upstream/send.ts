/**
 * The last pass: sends the request upstream with node:http(s) and streams the answer back.
 * It replaced http-proxy (see README "Performance"): one request object, no event bus, the
 * exact path from the start, and our own Connection handling.
 */
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { TlsgateError } from '../errors.js';
import type { RouteConfig } from '../config/schema.js';
import { upstreamPath } from '../router.js';
import { classifyUpstreamError } from './classify.js';
import { stripHopByHop } from './hop-by-hop.js';
import type { Exchange, Forwarder } from './forward.js';

/** Where a route's upstream is, parsed once per route rather than per request. */
export interface Target {
  request: typeof http.request;
  hostname: string;
  port: number;
  host: string;
  /** The URL's path, onto which the route prefix is rewritten. */
  basePath: string;
}

/** Parses a route's upstream URL into a Target. */
export function targetOf(route: RouteConfig): Target {
  const u = new URL(route.upstream.url);
  const tls = u.protocol === 'https:';
  return { request: tls ? https.request : http.request, hostname: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (tls ? 443 : 80)), host: u.host, basePath: u.pathname };
}

/** Sends the exchange upstream; the response, or the failure, settles it. */
export function send(ex: Exchange, f: Forwarder): true {
  const route = ex.route!;
  const target = f.target(route);
  const { req, res } = ex;
  const fail = (err: unknown) => f.fail(ex, classifyUpstreamError(err, route.upstream.url, route.upstream.timeoutMs));
  const upstream = target.request({
    hostname: target.hostname,
    port: target.port,
    method: req.method,
    path: upstreamPath(route, req.url ?? '/', target.basePath),
    headers: req.headers,
    agent: f.agents.get(route),
    setHost: false, // the sender's Host (or hostHeader) is already in the headers
  });
  const ms = route.upstream.timeoutMs;
  upstream.setTimeout(ms, () => {
    upstream.destroy(new TlsgateError('TLSGATE_UPSTREAM_TIMEOUT', `upstream ${target.host} sent nothing for ${ms} ms`, { hint: 'the backend is hung or too slow; check it, or raise upstream.timeout if it is known to be slow' }));
  });
  upstream.on('error', fail);
  upstream.on('response', (answer) => {
    ex.upstreamStatus = answer.statusCode;
    const up = answer.socket as TLSSocket | null;
    if (up && typeof up.getProtocol === 'function') ex.upstreamTls = { protocol: up.getProtocol(), cipher: up.getCipher().name };
    const headers = answer.headers;
    stripHopByHop(headers);
    // Framing is ours to choose for the sender's connection: Node adds Connection and, when
    // there is no Content-Length, chunks (HTTP/1.1) or closes (HTTP/1.0) by itself.
    delete headers['transfer-encoding'];
    answer.on('data', (c: Buffer) => (ex.bytesOut += c.length));
    answer.once('aborted', () => fail(Object.assign(new Error('upstream aborted the response'), { code: 'ECONNRESET' })));
    answer.once('error', fail);
    if (res.destroyed) return void upstream.destroy();
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    answer.pipe(res);
  });
  // The sender hung up before the answer was complete: let the upstream know at once.
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  if (ex.buffered) {
    upstream.end(ex.buffered);
    return true;
  }
  const body = ex.body!;
  body.once('error', () => upstream.destroy());
  body.pipe(upstream);
  req.pipe(body);
  return true;
}
