/**
 * The first thing every TCP connection meets: the listener's connection caps and, on a
 * `trustProxy` listener, the PROXY header. It sits in front of whatever already listens for
 * `connection` (TLS itself, the ClientHello capture), so TLS only ever sees admitted sockets
 * whose remoteAddress is the sender's, not the load balancer's.
 */
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { ListenerConfig } from '../config/schema.js';
import { parseAddress } from './cidr.js';
import { readProxyHeader, type ProxiedPeer } from './proxy-protocol.js';

/** What the gate needs from the listener. */
export interface GateDeps {
  logger: Logger;
  /** The bound port (known only after listen). */
  port: () => number;
}

/** Installs the gate on `server`; call it after every other `connection` listener is attached. */
export function guardConnections(server: Server, cfg: ListenerConfig, deps: GateDeps): { close(): void } {
  const { logger } = deps;
  const { maxConnections, maxConnectionsPerSource } = cfg.limits;
  // Node refuses past this count before any JS runs for the socket: the cheapest refusal there is.
  server.maxConnections = maxConnections;
  const inner = server.listeners('connection') as ((s: Socket) => void)[];
  server.removeAllListeners('connection');

  // Refusals are logged once when a limit is first hit, then summarised when it eases, so a
  // flood of connections cannot become a flood of log lines.
  let listenerRefused = 0;
  server.on('drop', (d?: { remoteAddress?: string; remotePort?: number }) => {
    if (listenerRefused++ === 0) {
      logger.warn({ event: 'connection_refused', port: deps.port(), errorCode: 'TLSGATE_CONN_LIMIT', limit: maxConnections, remoteAddress: d?.remoteAddress }, `listener holds maxConnections (${maxConnections}): refusing new connections until some close`);
    }
  });
  const perSource = new Map<string, { open: number; refused: number }>();

  const admit = (socket: Socket) => {
    if (listenerRefused > 0) {
      logger.warn({ event: 'connection_refused_summary', port: deps.port(), errorCode: 'TLSGATE_CONN_LIMIT', refused: listenerRefused }, `${listenerRefused} connection(s) were refused at maxConnections (${maxConnections})`);
      listenerRefused = 0;
    }
    const source = parseAddress(socket.remoteAddress)?.toString() ?? String(socket.remoteAddress);
    const entry = perSource.get(source) ?? { open: 0, refused: 0 };
    if (entry.open >= maxConnectionsPerSource) {
      if (entry.refused++ === 0) {
        logger.warn({ event: 'connection_refused', port: deps.port(), errorCode: 'TLSGATE_CONN_LIMIT_SOURCE', limit: maxConnectionsPerSource, remoteAddress: source }, `${source} holds maxConnectionsPerSource (${maxConnectionsPerSource}): refusing its new connections until some close`);
      }
      socket.destroy();
      return;
    }
    entry.open += 1;
    perSource.set(source, entry);
    socket.once('close', () => {
      entry.open -= 1;
      if (entry.refused > 0 && entry.open < maxConnectionsPerSource) {
        logger.warn({ event: 'connection_refused_summary', port: deps.port(), errorCode: 'TLSGATE_CONN_LIMIT_SOURCE', refused: entry.refused, remoteAddress: source }, `${entry.refused} connection(s) from ${source} were refused at maxConnectionsPerSource (${maxConnectionsPerSource})`);
        entry.refused = 0;
      }
      if (entry.open === 0) perSource.delete(source);
    });
    for (const fn of inner) fn.call(server, socket);
  };

  // Sockets still sending their PROXY header: no one else sees them yet (not the hello capture,
  // not the HTTP server), so a stop must close them here.
  const awaitingHeader = new Set<Socket>();
  let closed = false;
  server.on('connection', (socket: Socket) => {
    if (!cfg.trustProxy) return admit(socket);
    const tcpPeer = socket.remoteAddress;
    awaitingHeader.add(socket);
    readProxyHeader(socket, cfg.handshakeTimeoutMs).then(
      ({ peer }) => {
        awaitingHeader.delete(socket);
        if (closed) return void socket.destroy();
        if (peer) setPeer(socket, peer);
        admit(socket);
      },
      (err: Error) => {
        awaitingHeader.delete(socket);
        if (closed) return void socket.destroy();
        logger.warn({ event: 'proxy_header_failed', port: deps.port(), errorCode: 'TLSGATE_PROXY_HEADER', remoteAddress: tcpPeer, reason: err.message }, `PROXY header from ${tcpPeer ?? '?'}: ${err.message}`);
        socket.destroy();
      },
    );
  });

  if (cfg.trustProxy) {
    // The TLS socket wraps the raw one; give it the proxied address too, before anyone reads it.
    server.prependListener('secureConnection', (tls: TLSSocket) => copyPeer(tls));
    server.prependListener('tlsClientError', (_err: Error, tls: TLSSocket) => copyPeer(tls));
  }
  return {
    close() {
      closed = true;
      for (const s of awaitingHeader) s.destroy();
      awaitingHeader.clear();
    },
  };
}

/** Makes `remoteAddress`/`remotePort` report the PROXY header's source. */
function setPeer(socket: Socket, peer: ProxiedPeer): void {
  Object.defineProperty(socket, 'remoteAddress', { value: peer.sourceAddress, configurable: true });
  Object.defineProperty(socket, 'remotePort', { value: peer.sourcePort, configurable: true });
}

function copyPeer(tls: TLSSocket): void {
  const raw = (tls as TLSSocket & { _parent?: Socket })._parent;
  if (!raw || !Object.prototype.hasOwnProperty.call(raw, 'remoteAddress')) return;
  setPeer(tls, { sourceAddress: raw.remoteAddress!, sourcePort: raw.remotePort!, destinationAddress: '', destinationPort: 0 });
}
