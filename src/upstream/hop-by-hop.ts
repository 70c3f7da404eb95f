import type { IncomingHttpHeaders } from 'node:http';

/**
 * Connection-specific fields (RFC 9110 §7.6.1) that must not be forwarded. Transfer-Encoding
 * is not listed: Node re-frames the body itself and needs the header to know it is chunked.
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'];

/** Removes hop-by-hop fields and every field the Connection header names, in place. */
export function stripHopByHop(headers: IncomingHttpHeaders): void {
  const listed = String(headers['connection'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'transfer-encoding' && s !== 'content-length' && s !== 'host');
  for (const name of [...HOP_BY_HOP, ...listed]) delete headers[name];
}
