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
// OpenSSL reason codes, grouped by what the user has to change in the YAML.
const PLAIN_HTTP = /WRONG_VERSION_NUMBER|HTTP_REQUEST|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE/;
const VERSION = /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW|VERSION_TOO_HIGH|TLSV1_ALERT_PROTOCOL/;
const CIPHER = /HANDSHAKE_FAILURE|NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE|NO_CIPHER_MATCH|INSUFFICIENT_SECURITY|DH_KEY_TOO_SMALL|EE_KEY_TOO_SMALL|CA_MD_TOO_WEAK/;

/**
 * The message and hint for a failed TLS handshake with an upstream, chosen from the OpenSSL
 * code so the hint names the one YAML field to change.
 */
export function describeUpstreamHandshake(where: string, code: string | undefined, reason: string): { message: string; hint: string } {
  const message = `TLS handshake with upstream ${where} failed${code ? ` (${code})` : ''}: ${reason}`;
  const text = `${code ?? ''} ${reason}`;
  if (PLAIN_HTTP.test(text)) {
    return { message, hint: 'the backend did not answer with TLS: if it speaks plain HTTP on this port, use an http:// upstream URL' };
  }
  if (VERSION.test(text)) {
    // OpenSSL 3.5 also ends here when upstream.tls.ciphers holds no suite for the old versions
    // (it then stops offering them), so both fields are named.
    return { message, hint: 'the backend and tlsgate share no TLS version: set upstream.tls.minVersion to TLSv1 (or TLSv1.1) for an old backend, and keep upstream.tls.ciphers at "DEFAULT:@SECLEVEL=0" (the default) so suites for those versions are offered' };
  }
  if (CIPHER.test(text)) {
    return { message, hint: 'the backend shares no cipher suite (or key size) with upstream.tls.ciphers: set upstream.tls.ciphers to "DEFAULT:@SECLEVEL=0" (the default), and upstream.tls.minVersion to TLSv1 for an old backend' };
  }
  return {
    message,
    hint: 'the backend dropped or refused the TLS handshake: an old backend needs upstream.tls.minVersion: TLSv1 and upstream.tls.ciphers: "DEFAULT:@SECLEVEL=0" (the defaults); if the backend is plain HTTP, use an http:// URL',
  };
}

/** Maps any error raised while talking to an upstream onto a stable code and status. */
export function classifyUpstreamError(err: unknown, upstreamUrl: string, timeoutMs: number): UpstreamFailure {
  const where = new URL(upstreamUrl).host;
  if (err instanceof TlsgateError) {
    const status = err.code === 'TLSGATE_UPSTREAM_TIMEOUT' ? 504 : 502;
    const cause = typeof err.details?.['cause'] === 'string' ? err.details['cause'] : undefined;
    return { code: err.code, status, message: err.message, hint: err.hint ?? '', cause };
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
      return {
        code: 'TLSGATE_UPSTREAM_RESET',
        status: 502,
        cause,
        message: `upstream ${where} closed the connection before answering (${cause})`,
        hint:
          'the backend crashed or rejected the request; check its logs. ' +
          (upstreamUrl.startsWith('http:') ? `If it speaks HTTPS on this port, use an https:// upstream URL (it is now ${upstreamUrl}). ` : '') +
          'If it is an HTTP/1.0 server that does not understand chunked bodies, set upstream.bufferBody: true',
      };
  }
  if (cause !== undefined && TLS_HANDSHAKE.test(cause)) {
    return { code: 'TLSGATE_UPSTREAM_TLS_HANDSHAKE', status: 502, cause, ...describeUpstreamHandshake(where, cause, e.reason ?? e.message) };
  }
  if (cause !== undefined && cause.startsWith('HPE_')) {
    return { code: 'TLSGATE_UPSTREAM_ERROR', status: 502, cause, message: `upstream ${where} did not answer with valid HTTP (${cause}): ${e.message}`, hint: `if the backend speaks HTTPS on this port, use an https:// upstream URL (it is now ${upstreamUrl}); otherwise check what the backend sends` };
  }
  return { code: 'TLSGATE_UPSTREAM_ERROR', status: 502, cause, message: `upstream ${where} exchange failed: ${e?.message ?? String(err)}`, hint: 'check the backend logs' };
}
