/**
 * The sender's cipher suites, in the sender's own numbering, and what tlsgate does with each.
 * This table is the single source of truth: the server cipher string, `tlsgate check`, the
 * diagnosis and the README table are all derived from it.
 */

/** What tlsgate does with one of the sender's suites. */
export type SuiteStatus = 'on' | 'needs-dsa' | 'never' | 'tls13';

/** One cipher suite from the sender's list. */
export interface SenderSuite {
  /** The sender's own index in its published list. */
  n: number;
  iana: string;
  openssl: string;
  /** IANA code point, as it appears in a ClientHello. */
  id: number;
  status: SuiteStatus;
  /** Why tlsgate offers it or not, in one sentence. */
  reason: string;
}

/** The sender's (FastSpring's) suites, in its numbering. */
export const FASTSPRING_SUITES: readonly SenderSuite[] = Object.freeze([
  { n: 0, iana: 'TLS_RSA_WITH_AES_256_CBC_SHA256', openssl: 'AES256-SHA256', id: 0x003d, status: 'on', reason: 'RSA key exchange, works with any RSA certificate' },
  { n: 1, iana: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', openssl: 'DHE-RSA-AES256-SHA256', id: 0x006b, status: 'on', reason: 'preferred: forward secrecy (RFC 7919 DH groups)' },
  { n: 2, iana: 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256', openssl: 'DHE-DSS-AES256-SHA256', id: 0x006a, status: 'needs-dsa', reason: 'needs a DSA certificate, which no public CA issues any more' },
  { n: 6, iana: 'TLS_RSA_WITH_AES_128_CBC_SHA256', openssl: 'AES128-SHA256', id: 0x003c, status: 'on', reason: 'RSA key exchange, works with any RSA certificate' },
  { n: 7, iana: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', openssl: 'DHE-RSA-AES128-SHA256', id: 0x0067, status: 'on', reason: 'forward secrecy (RFC 7919 DH groups)' },
  { n: 8, iana: 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256', openssl: 'DHE-DSS-AES128-SHA256', id: 0x0040, status: 'needs-dsa', reason: 'needs a DSA certificate, which no public CA issues any more' },
  { n: 13, iana: 'TLS_DH_anon_WITH_AES_256_CBC_SHA256', openssl: 'ADH-AES256-SHA256', id: 0x006d, status: 'never', reason: 'anonymous: the server is not authenticated, anyone in the path can read the webhook' },
  { n: 14, iana: 'TLS_DH_anon_WITH_AES_128_CBC_SHA256', openssl: 'ADH-AES128-SHA256', id: 0x006c, status: 'never', reason: 'anonymous: the server is not authenticated' },
  { n: 15, iana: 'TLS_DH_anon_WITH_AES_256_CBC_SHA', openssl: 'ADH-AES256-SHA', id: 0x003a, status: 'never', reason: 'anonymous: the server is not authenticated' },
  { n: 16, iana: 'TLS_DH_anon_WITH_AES_128_CBC_SHA', openssl: 'ADH-AES128-SHA', id: 0x0034, status: 'never', reason: 'anonymous: the server is not authenticated' },
  { n: 20, iana: 'SSL_DH_anon_WITH_DES_CBC_SHA', openssl: 'ADH-DES-CBC-SHA', id: 0x001a, status: 'never', reason: 'anonymous and single DES (56-bit, broken)' },
  { n: 21, iana: 'TLS_RSA_WITH_NULL_SHA256', openssl: 'NULL-SHA256', id: 0x003b, status: 'never', reason: 'no encryption at all' },
  { n: 26, iana: 'TLS_AES_128_GCM_SHA256', openssl: 'TLS_AES_128_GCM_SHA256', id: 0x1301, status: 'tls13', reason: 'a TLS 1.3 suite; the sender posts with TLS 1.2 only' },
  { n: 27, iana: 'TLS_AES_256_GCM_SHA384', openssl: 'TLS_AES_256_GCM_SHA384', id: 0x1302, status: 'tls13', reason: 'a TLS 1.3 suite; the sender posts with TLS 1.2 only' },
]);

/**
 * Server preference order: forward-secret DHE first, then plain RSA; AES-256 before AES-128.
 * Order matters because `honorCipherOrder` makes the server's order win.
 */
const PREFERENCE = ['DHE-RSA-AES256-SHA256', 'DHE-RSA-AES128-SHA256', 'AES256-SHA256', 'AES128-SHA256'];

/** The suites tlsgate offers, in server preference order. */
export function enabledSuites(suites: readonly SenderSuite[] = FASTSPRING_SUITES): SenderSuite[] {
  return suites
    .filter((s) => s.status === 'on')
    .sort((a, b) => PREFERENCE.indexOf(a.openssl) - PREFERENCE.indexOf(b.openssl));
}

/** The OpenSSL cipher string for the server: exactly the enabled suites, nothing else. */
export function serverCipherString(suites: readonly SenderSuite[] = FASTSPRING_SUITES): string {
  return enabledSuites(suites).map((s) => s.openssl).join(':');
}

/** Looks a suite up by OpenSSL or IANA name. */
export function findSuite(name: string, suites: readonly SenderSuite[] = FASTSPRING_SUITES): SenderSuite | undefined {
  return suites.find((s) => s.openssl === name || s.iana === name);
}

/** The ports the sender will post to; 8443 is its default. */
export const SENDER_PORTS: readonly number[] = Object.freeze([8443, 3443, 8282, 9191, 9000, 9999]);

/** A sender profile: the ports it posts to and the suites it offers. */
export interface SenderProfile {
  name: string;
  ports: readonly number[];
  suites: readonly SenderSuite[];
}

/** Known sender profiles by name; `fastspring` is the default and, for now, the only one. */
export const PROFILES: Readonly<Record<string, SenderProfile>> = Object.freeze({
  fastspring: { name: 'fastspring', ports: SENDER_PORTS, suites: FASTSPRING_SUITES },
});
