import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { TlsgateError } from '../errors.js';
import type { ListenerConfig } from '../config/schema.js';
import { checkCertificateFiles, type CheckedCertificate } from './cert-checks.js';
import { generateSelfSigned } from './self-signed.js';

/**
 * Loads a listener's certificate, first writing a self-signed one when the listener asks for
 * it (`generateCert: true`) and neither file exists. An existing file is never overwritten.
 */
export function provisionCertificate(listener: ListenerConfig, now: Date, logger: Logger | undefined): CheckedCertificate {
  const certMissing = !fs.existsSync(listener.cert);
  const keyMissing = !fs.existsSync(listener.key);
  if (listener.generateCert && certMissing && keyMissing) {
    writeSelfSigned(listener, now);
    logger?.warn({ event: 'cert_generated', cert: listener.cert, key: listener.key, port: listener.port }, 'generated a self-signed RSA-2048 certificate for testing; replace it with a CA-issued certificate before the sender posts here');
  } else if (certMissing || keyMissing) {
    const missing = certMissing ? listener.cert : listener.key;
    throw new TlsgateError('TLSGATE_CERT_UNREADABLE', `cannot read ${certMissing ? 'certificate' : 'key'} file ${missing}: ENOENT`, {
      hint: 'point cert:/key: at your files, run `tlsgate certs self-signed --cn NAME --out DIR`, or set generateCert: true on the listener to have one made on first start',
    });
  }
  return checkCertificateFiles(listener.cert, listener.key, now.getTime());
}

/**
 * What serve would do with a listener's certificate, writing nothing: its warnings, or the error
 * it would stop with. A certificate still to be generated is checked for where it would go (a
 * folder tlsgate cannot write), not generated: tlsgate's own output always passes the checks.
 */
export function dryRunProvision(listener: ListenerConfig, now: Date): { warnings: string[] } {
  if (!(listener.generateCert && !fs.existsSync(listener.cert) && !fs.existsSync(listener.key))) return provisionCertificate(listener, now, undefined);
  for (const file of [listener.cert, listener.key]) {
    let dir = path.dirname(file);
    while (!fs.existsSync(dir)) dir = path.dirname(dir);
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      throw new TlsgateError('TLSGATE_CERT_GENERATE', `cannot write self-signed certificate to ${file}: ${dir} is not writable`, {
        hint: 'make the folder writable, or create the files yourself with `tlsgate certs self-signed`',
      });
    }
  }
  return { warnings: ['certificate files are missing; serve will generate a self-signed one'] };
}

function writeSelfSigned(listener: ListenerConfig, now: Date): void {
  const gen = generateSelfSigned({ commonName: 'localhost', altNames: ['127.0.0.1', '::1'], now });
  try {
    fs.mkdirSync(path.dirname(listener.cert), { recursive: true });
    fs.mkdirSync(path.dirname(listener.key), { recursive: true });
    // 'wx' fails if the file appeared meanwhile: never overwrite a certificate or key.
    fs.writeFileSync(listener.key, gen.keyPem, { mode: 0o600, flag: 'wx' });
    fs.writeFileSync(listener.cert, gen.certPem, { mode: 0o644, flag: 'wx' });
  } catch (e) {
    throw new TlsgateError('TLSGATE_CERT_GENERATE', `cannot write self-signed certificate to ${listener.cert} / ${listener.key}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      hint: 'make the folder writable, or create the files yourself with `tlsgate certs self-signed`',
    });
  }
}
