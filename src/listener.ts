import https from 'node:https';
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { captureClientHellos, type CapturedConnection, type HelloCapture } from './tls/hello-capture.js';
import { TlsgateError } from './errors.js';
import type { ListenerConfig } from './config/schema.js';
import type { Logger } from 'pino';
import { guardConnections } from './security/connection-gate.js';
import { handleClientErrors, httpLimitOptions } from './security/limits.js';
import { rotateTicketKeys } from './security/ticket-keys.js';

/** A bound TLS listener. */
export interface Listener {
  readonly config: ListenerConfig;
  readonly server: https.Server;
  /** The port actually bound (differs from config.port when that is 0). */
  readonly port: number;
  /** The ClientHello capture in front of TLS (what each connection offered). */
  readonly capture: HelloCapture;
  /** The connection gate (caps, PROXY header) in front of the capture. */
  readonly gate: { close(): void };
}

/** What a listener calls for requests and failed handshakes. */
export interface ListenerHandlers {
  onRequest(req: http.IncomingMessage, res: http.ServerResponse, port: number): void;
  /** A failed handshake; `socket` is the raw one when the hello capture itself gave up. */
  onHandshakeFailure(err: Error, socket: TLSSocket | Socket, port: number, conn: CapturedConnection | undefined): void;
  /** A completed handshake (for negotiated-suite metrics). */
  onSecureConnection?(socket: TLSSocket, port: number, conn: CapturedConnection | undefined): void;
}

/** Starts one HTTPS server on the listener's port with the given TLS options. */
export async function startListener(config: ListenerConfig, tlsOptions: https.ServerOptions, handlers: ListenerHandlers, deps: { logger: Logger; now?: () => number }): Promise<Listener> {
  const server = https.createServer({ ...tlsOptions, ...httpLimitOptions(config.limits) });
  let port = config.port;
  // Half a ClientHello then silence is cut at the listener's handshake deadline and reported.
  const capture = captureClientHellos(server, {
    deadlineMs: config.handshakeTimeoutMs,
    now: deps.now ?? Date.now,
    onAbort: (err, socket, conn) => handlers.onHandshakeFailure(err, socket, port, conn),
  });
  server.on('request', (req, res) => handlers.onRequest(req, res, port));
  server.on('tlsClientError', (err, socket) => handlers.onHandshakeFailure(err, socket, port, capture.connectionOf(socket)));
  server.on('secureConnection', (socket: TLSSocket) => handlers.onSecureConnection?.(socket, port, capture.connectionOf(socket)));
  handleClientErrors(server, config.limits, () => port, deps.logger);
  rotateTicketKeys(server);
  // Must come after every other 'connection' listener (TLS, ClientHello capture): the PROXY
  // header and the connection caps come before the first TLS byte.
  const gate = guardConnections(server, config, { logger: deps.logger, port: () => port });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => reject(listenError(config, e));
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : config.port;
  return { config, server, port, capture, gate };
}

function listenError(config: ListenerConfig, e: NodeJS.ErrnoException): TlsgateError {
  const hint =
    e.code === 'EADDRINUSE' ? 'another process holds this port: stop it or choose another of the sender\'s ports'
    : e.code === 'EACCES' ? 'this user may not bind the port; run as a user allowed to, or grant CAP_NET_BIND_SERVICE'
    : e.code === 'EADDRNOTAVAIL' ? 'the host address is not on this machine; use 0.0.0.0 or one of its addresses'
    : undefined;
  return new TlsgateError('TLSGATE_LISTEN_FAILED', `cannot listen on ${config.host}:${config.port}: ${e.code ?? e.message}`, { hint, cause: e });
}

/** Stops accepting connections; resolves once the server is closed or `graceMs` passed. */
export function stopListener(l: Listener, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      l.server.closeAllConnections();
      resolve();
    }, graceMs);
    timer.unref();
    l.server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    l.server.closeIdleConnections();
    // Connections still sending a PROXY header or their hello carry no request: do not let them
    // delay the stop.
    l.gate.close();
    l.capture.close();
  });
}
