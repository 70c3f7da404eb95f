import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import forge from 'node-forge';
import { TlsgateError, type ErrorCode } from '../errors.js';
import { commonName, daysToExpiry, isSelfSigned, parseChain } from './pem.js';

/** A certificate chain and key that passed the start-up checks. */
export interface CheckedCertificate {
  certPem: string;
  keyPem: string;
  chain: X509Certificate[];
  subject: string;
  daysToExpiry: number;
  selfSigned: boolean;
  /** Problems the sender may hit that do not stop tlsgate (missing intermediate, near expiry). */
  warnings: string[];
}

/** Warn this many days before expiry. */
export const EXPIRY_WARNING_DAYS = 14;

/**
 * Reads and checks a listener's certificate and key. Every fatal problem throws a TlsgateError
 * naming the file; problems the sender might survive are returned as warnings.
 */
export function checkCertificateFiles(certFile: string, keyFile: string, nowMs: number): CheckedCertificate {
  const certPem = readFile(certFile, 'certificate');
  const keyPem = readFile(keyFile, 'key');
  return checkCertificate(certPem, keyPem, nowMs, certFile, keyFile);
}

/** The same checks on PEM text; `certFile`/`keyFile` only name the source in messages. */
export function checkCertificate(certPem: string, keyPem: string, nowMs: number, certFile = 'certificate', keyFile = 'key'): CheckedCertificate {
  let chain: X509Certificate[];
  try {
    chain = parseChain(certPem);
  } catch (e) {
    throw new TlsgateError('TLSGATE_CERT_NOT_PEM', `${certFile}: a certificate block cannot be parsed: ${(e as Error).message}`);
  }
  const leaf = chain[0];
  if (!leaf) {
    const what = certPem.includes('PRIVATE KEY') ? 'it holds a private key; cert: and key: may be swapped' : 'no "-----BEGIN CERTIFICATE-----" block found';
    throw new TlsgateError('TLSGATE_CERT_NOT_PEM', `${certFile} is not a PEM certificate: ${what}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new TlsgateError('TLSGATE_KEY_NOT_PEM', `${keyFile} is not a readable PEM private key (${(e as Error).message}); an encrypted key must be decrypted first: openssl pkey -in ${keyFile} -out plain.key`);
  }
  // The same findings `tlsgate certs inspect` prints: serve refuses on exactly its fatal ones.
  const findings = chainFindings(chain, nowMs, certFile);
  const fatal = findings.filter((f): f is Extract<CertFinding, { severity: 'fatal' }> => f.severity === 'fatal');
  const first = fatal[0];
  if (first && (first.code === 'TLSGATE_CERT_CHAIN_ORDER' || first.code === 'TLSGATE_CERT_KEY_TYPE')) throw new TlsgateError(first.code, first.message);
  if (!leaf.checkPrivateKey(key)) {
    throw new TlsgateError('TLSGATE_CERT_KEY_MISMATCH', `${keyFile} does not belong to the certificate in ${certFile} (${commonName(leaf)}); pair the certificate with the key it was issued for`);
  }
  if (first) throw new TlsgateError(first.code, first.message);
  const warnings = findings.map((f) => f.message);
  return { certPem, keyPem, chain, subject: commonName(leaf), daysToExpiry: daysToExpiry(leaf, nowMs), selfSigned: isSelfSigned(leaf), warnings };
}

/** Codes of findings that do not stop tlsgate but that the sender may trip over. */
export type CertWarningCode = 'CERT_CHAIN_INCOMPLETE' | 'CERT_CHAIN_UNORDERED' | 'CERT_SELF_SIGNED' | 'CERT_EXPIRES_SOON' | 'CERT_INTERMEDIATE_EXPIRED' | 'CERT_WEAK_KEY';

/** Codes of findings that stop `serve` (and that `certs inspect` calls fatal). */
export type CertFatalCode = Extract<ErrorCode, 'TLSGATE_CERT_CHAIN_ORDER' | 'TLSGATE_CERT_KEY_TYPE' | 'TLSGATE_CERT_EXPIRED' | 'TLSGATE_CERT_NOT_YET_VALID' | 'TLSGATE_CERT_WEAK_SIGNATURE'>;

/** One problem with a certificate chain; `fatal` ones stop `serve`, `warning` ones are logged. */
export type CertFinding = { code: CertFatalCode; severity: 'fatal'; message: string } | { code: CertWarningCode; severity: 'warning'; message: string };

/** SHA-1 signature algorithm OIDs (RSA, ECDSA, DSA): modern Java refuses such chains for TLS servers. */
const SHA1_OIDS = new Set(['1.2.840.113549.1.1.5', '1.2.840.10045.4.1', '1.2.840.10040.4.3', '1.3.14.3.2.29']);

/** The certificate's signature algorithm as an OID (Node's X509Certificate does not expose it before v23). */
export function signatureOid(cert: X509Certificate): string {
  const der = forge.asn1.fromDer(forge.util.createBuffer(cert.raw.toString('binary')));
  const algId = (der.value as forge.asn1.Asn1[])[1]!;
  return forge.asn1.derToOid((algId.value as forge.asn1.Asn1[])[0]!.value as string);
}

/** A readable name for a signature algorithm OID, e.g. sha256WithRSAEncryption. */
export function signatureName(oid: string): string {
  return (forge.pki.oids as Record<string, string | undefined>)[oid] ?? oid;
}

/** True when the certificate is signed with SHA-1. */
export function isSha1Signed(cert: X509Certificate): boolean {
  return SHA1_OIDS.has(signatureOid(cert));
}

/**
 * Every check on a served chain: fatal ones (wrong order, a key the sender cannot use, out of
 * validity, SHA-1 signatures) stop `serve`; warnings are logged. `certFile` only names the source.
 */
export function chainFindings(chain: readonly X509Certificate[], nowMs: number, certFile = 'certificate'): CertFinding[] {
  const out: CertFinding[] = [];
  const first = chain[0];
  if (!first) return out;
  // A server presents the first certificate of the file as its own: a CA certificate first
  // (a reversed bundle) means the sender sees the wrong certificate entirely.
  const leafAt = first.ca ? chain.findIndex((c) => !c.ca) : 0;
  const leaf = chain[Math.max(leafAt, 0)]!;
  if (leafAt > 0) {
    out.push({ code: 'TLSGATE_CERT_CHAIN_ORDER', severity: 'fatal', message: `${certFile} starts with a CA certificate (${commonName(first)}) instead of the server certificate (${commonName(leaf)}), which is certificate ${leafAt + 1}; put the server certificate first, then its intermediates in order` });
  }
  const keyType = leaf.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa') {
    out.push({ code: 'TLSGATE_CERT_KEY_TYPE', severity: 'fatal', message: `${certFile} has an ${String(keyType).toUpperCase()} key: the sender offers only RSA and DHE-RSA suites, so no handshake can succeed. Use an RSA certificate (2048 bits or more)` });
  }
  if (Date.parse(leaf.validTo) <= nowMs) {
    out.push({ code: 'TLSGATE_CERT_EXPIRED', severity: 'fatal', message: `${certFile} (${commonName(leaf)}) expired on ${new Date(leaf.validTo).toISOString()}; renew it` });
  }
  if (Date.parse(leaf.validFrom) > nowMs) {
    out.push({ code: 'TLSGATE_CERT_NOT_YET_VALID', severity: 'fatal', message: `${certFile} (${commonName(leaf)}) is not valid before ${new Date(leaf.validFrom).toISOString()}; check the machine clock or the certificate` });
  }
  const selfSigned = isSelfSigned(leaf);
  if (leafAt <= 0) {
    chain.slice(0, -1).forEach((c, i) => {
      const next = chain[i + 1]!;
      if (!c.checkIssued(next)) {
        out.push({ code: 'CERT_CHAIN_UNORDERED', severity: 'warning', message: `${certFile}: certificate ${i + 2} (${commonName(next)}) is not the issuer of certificate ${i + 1} (${commonName(c)}); each certificate must be followed by the one that issued it` });
      }
    });
  }
  if (!selfSigned && !chain.some((c) => c !== leaf && leaf.checkIssued(c))) {
    out.push({
      code: 'CERT_CHAIN_INCOMPLETE',
      severity: 'warning',
      message: chain.length === 1
        ? `${certFile} holds only the leaf certificate: the sender's Java client does not fetch missing intermediates and will fail with certificate_unknown; append the intermediate certificate(s) after the leaf`
        : `${certFile} does not hold the issuer of ${commonName(leaf)} (${leaf.issuer.replace(/\n/g, ', ')}): the sender's Java client does not fetch missing intermediates and will fail with certificate_unknown; append that intermediate after the leaf`,
    });
  }
  if (selfSigned) {
    out.push({ code: 'CERT_SELF_SIGNED', severity: 'warning', message: `${certFile} is self-signed: the sender's Java client trusts only public CAs, so use it for testing, not for real webhooks` });
  }
  const days = daysToExpiry(leaf, nowMs);
  if (days >= 0 && days < EXPIRY_WARNING_DAYS) out.push({ code: 'CERT_EXPIRES_SOON', severity: 'warning', message: `${certFile} (${commonName(leaf)}) expires in ${days} day(s) on ${new Date(leaf.validTo).toISOString()}; renew it` });
  for (const c of chain) {
    if (c !== leaf && Date.parse(c.validTo) <= nowMs) {
      out.push({ code: 'CERT_INTERMEDIATE_EXPIRED', severity: 'warning', message: `${certFile}: ${commonName(c)} in the chain expired on ${new Date(c.validTo).toISOString()}; download the current intermediate from your CA` });
    }
  }
  const bits = leaf.publicKey.asymmetricKeyDetails?.modulusLength;
  if (keyType === 'rsa' && bits !== undefined && bits < 2048) {
    out.push({ code: 'CERT_WEAK_KEY', severity: 'warning', message: `${certFile} has a ${bits}-bit RSA key; use 2048 bits or more` });
  }
  for (const c of chain) {
    // A self-signed root's own signature is never checked by clients, so SHA-1 there is harmless.
    // Elsewhere it is fatal: the sender's Java client refuses it, and OpenSSL will not even load
    // such a chain at its default security level ("ca md too weak").
    if (!isSelfSigned(c) && isSha1Signed(c)) {
      out.push({ code: 'TLSGATE_CERT_WEAK_SIGNATURE', severity: 'fatal', message: `${certFile}: ${commonName(c)} is signed with SHA-1, which the sender's Java client refuses; have it reissued with SHA-256` });
    }
  }
  return out;
}

/** Reads a certificate or key file; a failure is TLSGATE_CERT_UNREADABLE naming the file. */
export function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TlsgateError('TLSGATE_CERT_UNREADABLE', `cannot read ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
