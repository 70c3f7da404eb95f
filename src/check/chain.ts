import type { X509Certificate } from 'node:crypto';
import { chainFindings, signatureName, signatureOid, type CertFinding } from '../tls/cert-checks.js';
import { commonName, daysToExpiry, isSelfSigned, issuedBy, parseChain } from '../tls/pem.js';

/** One certificate as served, in a form a person (or --json) can read. */
export interface CertSummary {
  subject: string;
  issuer: string;
  altNames: string | undefined;
  notBefore: string;
  notAfter: string;
  daysToExpiry: number;
  keyType: string;
  /** RSA/DSA modulus length, or undefined for EC keys. */
  keyBits: number | undefined;
  curve: string | undefined;
  signature: string;
  ca: boolean;
  selfSigned: boolean;
}

/** A trust anchor and where it came from. */
export interface Anchor {
  cert: X509Certificate;
  source: 'node-ca-store' | 'ca-file';
}

/** The served chain judged the way the sender's client would judge it. */
export interface ChainReport {
  certificates: CertSummary[];
  /** Every issuer up to a CA certificate is served (or trusted): nothing is missing in between. */
  complete: boolean;
  trusted: boolean;
  trustedBy: Anchor['source'] | undefined;
  /** Subject of the last certificate reached when the path stops short. */
  brokenAt: string | undefined;
  /** Issuer of `brokenAt`: missing from the chain (incomplete) or from the trust store (untrusted). */
  missingIssuer: string | undefined;
  /** `brokenAt` is self-signed: a root (or a self-signed server certificate) nobody trusts. */
  brokenAtSelfSigned: boolean;
  hostnameMatch: boolean;
  expired: boolean;
  notYetValid: boolean;
  keyType: string;
  keyBits: number | undefined;
  /** The same findings `certs inspect` and `serve` report, worded for "the served chain". */
  findings: CertFinding[];
}

/** A readable summary of one certificate. */
export function summarize(c: X509Certificate, nowMs: number): CertSummary {
  const d = c.publicKey.asymmetricKeyDetails;
  return {
    subject: commonName(c),
    issuer: /(?:^|\n)CN=([^\n]*)/.exec(c.issuer)?.[1] ?? c.issuer.replace(/\n/g, ', '),
    altNames: c.subjectAltName,
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    daysToExpiry: daysToExpiry(c, nowMs),
    keyType: String(c.publicKey.asymmetricKeyType),
    keyBits: d?.modulusLength,
    curve: d?.namedCurve,
    signature: signatureName(signatureOid(c)),
    ca: c.ca,
    selfSigned: isSelfSigned(c),
  };
}

/**
 * Builds the path from the leaf through the served certificates to a trust anchor, as a
 * client that does not fetch missing intermediates (Java, the sender) must.
 */
export function analyzeChain(served: readonly X509Certificate[], host: string, isIp: boolean, anchors: readonly Anchor[], nowMs: number): ChainReport {
  const leaf = served[0]!;
  const used = new Set<X509Certificate>([leaf]);
  let current = leaf;
  let trustedBy: Anchor['source'] | undefined;
  for (;;) {
    const direct = anchors.find((a) => a.cert.fingerprint256 === current.fingerprint256) ?? anchors.find((a) => issuedBy(current, a.cert));
    if (direct) {
      trustedBy = direct.source;
      break;
    }
    const next = served.find((c) => !used.has(c) && issuedBy(current, c));
    if (!next) break;
    used.add(next);
    current = next;
  }
  const trusted = trustedBy !== undefined;
  // Servers need not send the root: a path that reaches a CA certificate is complete, and
  // whether that CA's issuer is trusted is a separate question.
  const complete = trusted || isSelfSigned(current) || (current !== leaf && current.ca);
  const hostnameMatch = (isIp ? leaf.checkIP(host) : leaf.checkHost(host)) !== undefined;
  const d = leaf.publicKey.asymmetricKeyDetails;
  return {
    certificates: served.map((c) => summarize(c, nowMs)),
    complete,
    trusted,
    trustedBy,
    brokenAt: trusted ? undefined : commonName(current),
    brokenAtSelfSigned: !trusted && isSelfSigned(current),
    missingIssuer: trusted ? undefined : /(?:^|\n)CN=([^\n]*)/.exec(current.issuer)?.[1] ?? current.issuer.replace(/\n/g, ', '),
    hostnameMatch,
    expired: Date.parse(leaf.validTo) <= nowMs,
    notYetValid: Date.parse(leaf.validFrom) > nowMs,
    keyType: String(leaf.publicKey.asymmetricKeyType),
    keyBits: d?.modulusLength,
    findings: chainFindings(served, nowMs, 'the served chain'),
  };
}

/** Splits `openssl s_client -showcerts` output into the certificates of the chain, as served. */
export function servedCertificates(stdout: string): X509Certificate[] {
  const start = stdout.indexOf('Certificate chain');
  if (start < 0) return [];
  const end = stdout.indexOf('\n---\n', start);
  const section = stdout.slice(start, end < 0 ? undefined : end);
  return parseChain(section);
}
