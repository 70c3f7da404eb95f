/**
 * Reads each connection's ClientHello before TLS consumes it, so a failed handshake can be
 * explained with what the client offered. Built on read-tls-client-hello's reader; unlike its
 * `trackClientHellos` it never writes to the console, remembers the first bytes of non-TLS
 * traffic, and puts a deadline on the hello itself.
 */
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readTlsClientHello, type TlsClientHelloMessage } from 'read-tls-client-hello';
import { summarizeHello, type HelloSummary } from './hello-parse.js';

/** What the capture learnt about one TCP connection. */
export interface CapturedConnection {
  /** Read at accept time: once a socket is torn down Node no longer reports its peer. */
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** Clock time the connection was accepted. */
  readonly acceptedAt: number;
  /** What the client offered, summarised on first read. */
  readonly hello: HelloSummary | undefined;
  /** The first bytes when they were not a ClientHello; used to classify, never logged raw. */
  head: Buffer | undefined;
  /** Bytes received before the capture ended (deadline, reset or hand-over to TLS). */
  bytesReceived: number;
}

/** Why the capture itself ended a connection (TLS never saw it). */
export type CaptureAbort = Error & { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' | 'ECONNRESET' };

/** What the capture needs from the listener. */
export interface HelloCaptureOptions {
  /** How long a client may take to send its whole ClientHello. */
  deadlineMs: number;
  now: () => number;
  /** Called when the capture ends a connection itself: deadline passed, or peer gone before TLS. */
  onAbort(err: CaptureAbort, socket: Socket, conn: CapturedConnection): void;
}

/** A capture installed on one server. */
export interface HelloCapture {
  /** The capture record for a raw socket or the TLS socket wrapping it. */
  connectionOf(socket: Socket | TLSSocket): CapturedConnection | undefined;
  /** Destroys connections still sending their hello (on shutdown: they hold no request). */
  close(): void;
}

/**
 * Installs the capture in place of the server's TLS `connection` listener: each socket's hello
 * is read (and put back), then the socket is handed to TLS exactly as Node would have.
 */
export function captureClientHellos(server: Server, opts: HelloCaptureOptions): HelloCapture {
  const tlsListener = server.listeners('connection')[0] as ((s: Socket) => void) | undefined;
  if (!tlsListener) throw new Error('captureClientHellos: the server has no TLS connection listener');
  server.removeListener('connection', tlsListener);
  const records = new WeakMap<Socket, CapturedConnection>();
  const pending = new Set<Socket>();
  let closed = false;

  server.on('connection', (socket: Socket) => {
    // The hello is summarised (suite names, JA3/JA4) only when a failure asks for it: a
    // successful handshake never needs it, and summarising costs a noticeable share of a
    // handshake's CPU (bench/RESULTS.md).
    let parsed: TlsClientHelloMessage | undefined;
    let summary: HelloSummary | undefined;
    const conn: CapturedConnection = {
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
      acceptedAt: opts.now(),
      get hello() {
        return (summary ??= parsed && summarizeHello(parsed));
      },
      head: undefined,
      bytesReceived: 0,
    };
    records.set(socket, conn);
    pending.add(socket);
    // Errors before TLS owns the socket would otherwise be unhandled and crash the process;
    // the read below sees them as a closed stream.
    socket.on('error', () => undefined);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      pending.delete(socket);
      conn.bytesReceived = socket.bytesRead;
      return true;
    };
    // Node's handshakeTimeout only starts once TLS has the socket, i.e. after a whole hello:
    // without this deadline half a hello followed by silence would hold the socket forever.
    const timer = setTimeout(() => {
      if (!settle()) return;
      opts.onAbort(abort('ERR_TLS_HANDSHAKE_TIMEOUT', `no complete ClientHello within ${opts.deadlineMs} ms`), socket, conn);
      socket.destroy();
    }, opts.deadlineMs);

    readTlsClientHello(socket).then(
      (msg) => {
        parsed = msg;
      },
      () => {
        // Not TLS (NonTlsError) or a malformed hello: the bytes read were put back by the
        // reader; keep a few to classify what the client sent instead.
        conn.head = peek(socket);
      },
    ).finally(() => {
      if (!settle()) return;
      if (closed) return void socket.destroy(); // shutting down: not the client's failure
      if (socket.destroyed || !socket.readable) {
        opts.onAbort(abort('ECONNRESET', 'connection closed before the ClientHello was complete'), socket, conn);
        socket.destroy();
        return;
      }
      tlsListener.call(server, socket);
    });
  });

  return {
    connectionOf(socket) {
      const raw = (socket as TLSSocket & { _parent?: Socket })._parent ?? socket;
      return records.get(raw) ?? records.get(socket);
    },
    close() {
      closed = true;
      for (const s of pending) s.destroy();
      pending.clear();
    },
  };
}

/** Reads whatever is buffered and puts it straight back; returns at most 16 bytes of it. */
function peek(socket: Socket): Buffer | undefined {
  if (socket.destroyed) return undefined;
  const buffered = socket.read() as Buffer | null;
  if (!buffered) return undefined;
  socket.unshift(buffered);
  return Buffer.from(buffered.subarray(0, 16));
}

function abort(code: CaptureAbort['code'], message: string): CaptureAbort {
  return Object.assign(new Error(message), { code });
}
