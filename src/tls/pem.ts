import { X509Certificate } from 'node:crypto';

const CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits a PEM bundle into its certificates, in file order; non-certificate blocks are skipped. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(CERT_RE) ?? [];
}

/** Parses every certificate of a PEM bundle; throws on a malformed block. */
export function parseChain(pem: string): X509Certificate[] {
  return splitPemCertificates(pem).map((block) => new X509Certificate(block));
}

/** True when `parent` issued `child`: names match and the signature verifies with parent's key. */
export function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** True when the certificate's issuer is itself and its signature verifies with its own key. */
export function isSelfSigned(cert: X509Certificate): boolean {
  if (cert.issuer !== cert.subject) return false;
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** Whole days from `nowMs` until the certificate expires (negative once expired). */
export function daysToExpiry(cert: X509Certificate, nowMs: number): number {
  return Math.floor((Date.parse(cert.validTo) - nowMs) / 86_400_000);
}

/** The common name from a certificate subject, or the whole subject when it has none. */
export function commonName(cert: X509Certificate): string {
  const m = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  return m?.[1] ?? cert.subject.replace(/\n/g, ', ');
}
