/** Certificates made at test time with node-forge (and openssl for the ECDSA case). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

export interface CertOptions {
  cn: string;
  sans?: string[];
  notBefore?: Date;
  notAfter?: Date;
  bits?: number;
  isCa?: boolean;
  md?: 'sha256' | 'sha1';
}

/** Signs a new RSA certificate; `issuer` undefined means self-signed. */
export function makeCert(opts: CertOptions, issuer?: Pem): Pem & { keys: forge.pki.rsa.KeyPair } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: opts.bits ?? 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(12));
  cert.validity.notBefore = opts.notBefore ?? new Date(Date.now() - 3600_000);
  cert.validity.notAfter = opts.notAfter ?? new Date(Date.now() + 90 * 86_400_000);
  const subject = [{ name: 'commonName', value: opts.cn }];
  cert.setSubject(subject);
  const issuerCert = issuer ? forge.pki.certificateFromPem(issuer.cert) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const exts: object[] = [{ name: 'basicConstraints', cA: !!opts.isCa, critical: true }];
  if (opts.isCa) exts.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else {
    exts.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true });
    exts.push({ name: 'extKeyUsage', serverAuth: true });
    const sans = opts.sans ?? [opts.cn];
    exts.push({ name: 'subjectAltName', altNames: sans.map((s) => (/^[\d.]+$/.test(s) || s.includes(':') ? { type: 7, ip: s } : { type: 2, value: s })) });
  }
  exts.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(exts);
  const signer = issuer ? forge.pki.privateKeyFromPem(issuer.key) : keys.privateKey;
  cert.sign(signer, opts.md === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey), keys };
}

/** A root CA, an intermediate and a leaf for localhost/127.0.0.1. */
export function makeChain(leafOpts: Partial<CertOptions> = {}) {
  const root = makeCert({ cn: 'tlsgate test root', isCa: true, notAfter: new Date(Date.now() + 365 * 86_400_000) });
  const intermediate = makeCert({ cn: 'tlsgate test intermediate', isCa: true }, root);
  const leaf = makeCert({ cn: 'localhost', sans: ['localhost', '127.0.0.1', '::1'], ...leafOpts }, intermediate);
  return { root, intermediate, leaf, fullchain: leaf.cert + intermediate.cert };
}

/** A fresh temporary folder, removed by the caller's cleanup. */
export function tmpDir(prefix = 'tlsgate-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files into `dir` and returns their absolute paths by name. */
export function writeFiles(dir: string, files: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text, { mode: name.endsWith('.key') ? 0o600 : 0o644 });
    out[name] = p;
  }
  return out;
}

/** An ECDSA P-256 self-signed certificate, made with the openssl CLI (node-forge has no ECDSA). */
export function makeEcdsaCert(dir: string): { cert: string; key: string } {
  const key = path.join(dir, 'ec.key');
  const cert = path.join(dir, 'ec.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}
