import { TlsgateError, type ErrorCode } from '../errors.js';

/** What the sender is told, and what the log says, when an upstream exchange fails. */
export interface UpstreamFailure {
  code: ErrorCode;
  status: 502 | 504;
  message: string;
  hint: string;
  /** The low-level code (ECONNREFUSED, ERR_SSL_…), for people who grep for it. */
  cause: string | undefined;
}

const TLS_HANDSHAKE = /^ERR_SSL_|^EPROTO$|^ERR_TLS_/;

/** Maps any error raised while talking to an upstream onto a stable code and status. */
export function classifyUpstreamError(err: unknown, upstreamUrl: string, timeoutMs: number): UpstreamFailure {
  const where = new URL(upstreamUrl).host;
  if (err instanceof TlsgateError) {
    const status = err.code === 'TLSGATE_UPSTREAM_TIMEOUT' ? 504 : 502;
    return { code: err.code, status, message: err.message, hint: err.hint ?? '', cause: undefined };
  }
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const cause = e?.code;
  switch (cause) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EAI_AGAIN':
      return { code: 'TLSGATE_UPSTREAM_REFUSED', status: 502, cause, message: `upstream ${where} cannot be reached: ${cause}`, hint: `start the backend or fix the upstream URL (${upstreamUrl})` };
    case 'ETIMEDOUT':
      return { code: 'TLSGATE_UPSTREAM_TIMEOUT', status: 504, cause, message: `upstream ${where} did not answer within ${timeoutMs} ms`, hint: 'the backend is slow or a firewall drops packets; raise upstream.timeout only if the backend is known to be slow' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { code: 'TLSGATE_UPSTREAM_RESET', status: 502, cause, message: `upstream ${where} closed the connection before answering (${cause})`, hint: 'the backend crashed or rejected the request; check its logs. If it is an HTTP/1.0 server that does not understand chunked bodies, set upstream.bufferBody: true' };
  }
  if (cause !== undefined && TLS_HANDSHAKE.test(cause)) {
    return {
      code: 'TLSGATE_UPSTREAM_TLS_HANDSHAKE',
      status: 502,
      cause,
      message: `TLS handshake with upstream ${where} failed: ${e.reason ?? e.message}`,
      hint: 'the backend speaks an older TLS version or cipher than allowed: lower upstream.tls.minVersion (e.g. TLSv1) and keep upstream.tls.ciphers at "DEFAULT:@SECLEVEL=0"; if the backend is plain HTTP, use an http:// URL',
    };
  }
  return { code: 'TLSGATE_UPSTREAM_ERROR', status: 502, cause, message: `upstream ${where} exchange failed: ${e?.message ?? String(err)}`, hint: 'check the backend logs' };
}
