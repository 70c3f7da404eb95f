/**
 * HTTP-layer limits of a listener: Node's own header/request/keep-alive timers and header-size
 * cap, plus one log line per connection that breaks them (never one per byte received).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ListenerLimits } from '../config/schema.js';
import type { ErrorCode } from '../errors.js';

/** Options for `https.createServer` that enforce the listener's HTTP limits. */
export function httpLimitOptions(limits: ListenerLimits): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    // Node checks header/request deadlines on this interval (default 30 s), so a slowloris would
    // otherwise live up to 30 s past its deadline; a quarter of the shortest limit, at most 1 s.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
  };
}

const CLIENT_ERRORS: Record<string, { status: number; code: ErrorCode; text: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'TLSGATE_HTTP_TIMEOUT', text: 'Request Timeout' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'TLSGATE_HEADERS_TOO_LARGE', text: 'Request Header Fields Too Large' },
};

/**
 * Answers HTTP-level client errors (slow or oversized headers, malformed requests) and logs each
 * one once: Node raises `clientError` once per connection and we close that connection.
 */
export function handleClientErrors(server: http.Server, limits: ListenerLimits, port: () => number, logger: Logger): void {
  // A peer that keeps sending after its answer can raise more parse errors on the same socket;
  // only the first one is reported.
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex & { remoteAddress?: string; remotePort?: number; bytesRead?: number }) => {
    if (answered.has(socket)) return void socket.destroy();
    answered.add(socket);
    // https.Server re-emits every tlsClientError as clientError; those are already reported as
    // handshake failures. Only HTTP parser errors and HTTP timeouts are ours. A peer that
    // vanished mid-request (ECONNRESET, EPIPE) is not worth a warning or an answer either.
    const code = err.code ?? '';
    if (!code.startsWith('HPE_') && code !== 'ERR_HTTP_REQUEST_TIMEOUT') return void socket.destroy();
    const known = CLIENT_ERRORS[err.code ?? ''] ?? { status: 400, code: 'TLSGATE_BAD_REQUEST' as const, text: 'Bad Request' };
    const detail =
      known.code === 'TLSGATE_HTTP_TIMEOUT' ? `request not complete within headersTimeout ${limits.headersTimeoutMs} ms / requestTimeout ${limits.requestTimeoutMs} ms`
      : known.code === 'TLSGATE_HEADERS_TOO_LARGE' ? `request headers larger than maxHeaderBytes (${limits.maxHeaderBytes})`
      : `malformed HTTP request (${err.code ?? err.message})`;
    logger.warn(
      { event: 'http_client_error', port: port(), remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, status: known.status, errorCode: known.code, bytesRead: socket.bytesRead, hint: known.code === 'TLSGATE_BAD_REQUEST' ? undefined : 'raise listeners[].limits if legitimate senders hit this; a trickle of bytes is a slowloris' },
      `${known.status} ${detail}`,
    );
    if (!socket.writable) return void socket.destroy();
    socket.end(`HTTP/1.1 ${known.status} ${known.text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
    // A peer that does not read the answer must not keep the socket: end() waits for it.
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}
