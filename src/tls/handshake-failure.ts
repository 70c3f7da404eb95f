import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HandshakeFailureEvent } from '../observe/events.js';
import { diagnose, type DiagnosisContext } from './diagnose.js';
import type { CapturedConnection } from './hello-capture.js';

/**
 * Builds the event for one failed handshake: who, where, Node's error code and, when the
 * listener's context is known, the full diagnosis (classification, hint, what was offered).
 */
export function describeHandshakeFailure(
  err: Error & { code?: string; reason?: string },
  socket: TLSSocket | Socket,
  port: number,
  now: number,
  conn?: CapturedConnection,
  ctx?: DiagnosisContext,
): HandshakeFailureEvent {
  // Node hands us the TLSSocket; the peer address lives on it or, once it is torn down, on
  // the raw TCP socket underneath, or only in what the capture saw at accept time.
  const raw = (socket as TLSSocket & { _parent?: Socket })._parent;
  const code = err.code ?? 'UNKNOWN';
  const reason = err.reason ?? err.message;
  const diagnosis = ctx
    ? diagnose({ code, reason, message: err.message, hello: conn?.hello, head: conn?.head, bytesReceived: conn?.bytesReceived }, ctx)
    : {};
  return {
    type: 'handshake_failure',
    time: now,
    port,
    remoteAddress: socket.remoteAddress ?? raw?.remoteAddress ?? conn?.remoteAddress,
    remotePort: socket.remotePort ?? raw?.remotePort ?? conn?.remotePort,
    code,
    reason,
    diagnosis: { ...diagnosis, durationMs: conn ? Math.max(0, now - conn.acceptedAt) : undefined },
  };
}
