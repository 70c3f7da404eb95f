import forge from 'node-forge';

/** A generated key pair and certificate in PEM. */
export interface GeneratedCert {
  certPem: string;
  keyPem: string;
}

/** Options for a generated RSA certificate. */
export interface SelfSignedOptions {
  commonName: string;
  altNames?: string[];
  days?: number;
  bits?: number;
  now: Date;
}

/**
 * Generates an RSA key and a self-signed certificate with node-forge (which uses Node's native
 * key generation when present, so RSA-2048 takes milliseconds, not seconds).
 */
export function generateSelfSigned(opts: SelfSignedOptions): GeneratedCert {
  const keys = forge.pki.rsa.generateKeyPair({ bits: opts.bits ?? 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date(opts.now.getTime() - 60_000);
  cert.validity.notAfter = new Date(opts.now.getTime() + (opts.days ?? 365) * 86_400_000);
  const attrs = [{ name: 'commonName', value: opts.commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const names = [opts.commonName, ...(opts.altNames ?? [])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...new Set(names)].map(toAltName) },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** A subjectAltName entry for node-forge: an IP address (type 7) or a DNS name (type 2). */
export function toAltName(name: string): { type: number; value?: string; ip?: string } {
  return /^[\d.]+$/.test(name) || name.includes(':') ? { type: 7, ip: name } : { type: 2, value: name };
}
