import forge from 'node-forge';
import { toAltName } from '../tls/self-signed.js';

/** A new RSA key and a certificate signing request for it, in PEM. */
export interface GeneratedCsr {
  csrPem: string;
  keyPem: string;
}


/**
 * Generates an RSA key and a SHA-256 CSR naming `commonName` and every alt name (the CN is
 * repeated as a SAN because clients match SANs only), ready to send to a CA.
 */
export function generateCsr(opts: { commonName: string; altNames: readonly string[]; bits: number }): GeneratedCsr {
  const keys = forge.pki.rsa.generateKeyPair({ bits: opts.bits, e: 0x10001 });
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: opts.commonName }]);
  const names = [...new Set([opts.commonName, ...opts.altNames])];
  csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: names.map(toAltName) }] }]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return { csrPem: forge.pki.certificationRequestToPem(csr), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}
