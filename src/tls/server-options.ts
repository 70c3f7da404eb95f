import { constants } from 'node:crypto';
import type { TlsOptions } from 'node:tls';
import { PROFILES } from './suites.js';
import { serverCipherString } from './suites.js';
import type { CheckedCertificate } from './cert-checks.js';

/**
 * TLS options for a listener: TLS 1.2 only, exactly the profile's enabled suites in server
 * order, RFC 7919 DH groups, no renegotiation, no compression.
 */
export function serverTlsOptions(cert: CheckedCertificate, profileName: string, handshakeTimeoutMs: number): TlsOptions {
  const profile = PROFILES[profileName];
  if (!profile) throw new Error(`unknown profile ${profileName}`);
  return {
    cert: cert.certPem,
    key: cert.keyPem,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    ciphers: serverCipherString(profile.suites),
    honorCipherOrder: true,
    // RFC 7919 named FFDHE groups instead of a generated dhparam file: nothing to generate,
    // nothing weak to get wrong.
    dhparam: 'auto',
    handshakeTimeout: handshakeTimeoutMs,
    // Client-initiated renegotiation is a CPU-exhaustion lever for unauthenticated clients;
    // compression enables CRIME. OpenSSL 3 disables compression already: say it anyway.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_NO_COMPRESSION | constants.SSL_OP_CIPHER_SERVER_PREFERENCE,
  };
}
