import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HandshakeFailureEvent } from '../observe/events.js';

/** The fields every handshake failure carries, before any deeper diagnosis. */
export function describeHandshakeFailure(err: Error & { code?: string; reason?: string }, socket: TLSSocket, port: number, now: number): HandshakeFailureEvent {
  // Node hands us the TLSSocket; the peer address lives on it or, once it is torn down, on
  // the raw TCP socket underneath.
  const raw = (socket as TLSSocket & { _parent?: Socket })._parent;
  return {
    type: 'handshake_failure',
    time: now,
    port,
    remoteAddress: socket.remoteAddress ?? raw?.remoteAddress,
    remotePort: socket.remotePort ?? raw?.remotePort,
    code: err.code ?? 'UNKNOWN',
    reason: err.reason ?? err.message,
    diagnosis: {},
  };
}
