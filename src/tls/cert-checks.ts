import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { TlsgateError } from '../errors.js';
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
  const keyType = leaf.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa') {
    throw new TlsgateError('TLSGATE_CERT_KEY_TYPE', `${certFile} has an ${String(keyType).toUpperCase()} key: the sender offers only RSA and DHE-RSA suites, so no handshake can succeed. Use an RSA certificate (2048 bits or more)`);
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new TlsgateError('TLSGATE_CERT_KEY_MISMATCH', `${keyFile} does not belong to the certificate in ${certFile} (${commonName(leaf)}); pair the certificate with the key it was issued for`);
  }
  if (Date.parse(leaf.validTo) <= nowMs) {
    throw new TlsgateError('TLSGATE_CERT_EXPIRED', `${certFile} (${commonName(leaf)}) expired on ${new Date(leaf.validTo).toISOString()}; renew it`);
  }
  if (Date.parse(leaf.validFrom) > nowMs) {
    throw new TlsgateError('TLSGATE_CERT_NOT_YET_VALID', `${certFile} (${commonName(leaf)}) is not valid before ${new Date(leaf.validFrom).toISOString()}; check the machine clock or the certificate`);
  }
  const warnings: string[] = [];
  const selfSigned = isSelfSigned(leaf);
  if (chain.length === 1 && !selfSigned) {
    warnings.push(`${certFile} holds only the leaf certificate: the sender's Java client does not fetch missing intermediates and will fail with certificate_unknown; append the intermediate certificate(s) after the leaf`);
  }
  if (selfSigned) {
    warnings.push(`${certFile} is self-signed: the sender's Java client trusts only public CAs, so use it for testing, not for real webhooks`);
  }
  const days = daysToExpiry(leaf, nowMs);
  if (days < EXPIRY_WARNING_DAYS) warnings.push(`${certFile} (${commonName(leaf)}) expires in ${days} day(s) on ${new Date(leaf.validTo).toISOString()}; renew it`);
  if (leaf.publicKey.asymmetricKeyDetails?.modulusLength !== undefined && leaf.publicKey.asymmetricKeyDetails.modulusLength < 2048) {
    warnings.push(`${certFile} has a ${leaf.publicKey.asymmetricKeyDetails.modulusLength}-bit RSA key; use 2048 bits or more`);
  }
  return { certPem, keyPem, chain, subject: commonName(leaf), daysToExpiry: days, selfSigned, warnings };
}

function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TlsgateError('TLSGATE_CERT_UNREADABLE', `cannot read ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
