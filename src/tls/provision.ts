import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { TlsgateError } from '../errors.js';
import type { ListenerConfig } from '../config/schema.js';
import { checkCertificate, checkCertificateFiles, type CheckedCertificate } from './cert-checks.js';
import { generateSelfSigned } from './self-signed.js';

/**
 * Loads a listener's certificate, first writing a self-signed one when the listener asks for
 * it (`generateCert: true`) and neither file exists. An existing file is never overwritten.
 */
export function provisionCertificate(listener: ListenerConfig, now: Date, logger: Logger | undefined, dryRun = false): CheckedCertificate {
  const certMissing = !fs.existsSync(listener.cert);
  const keyMissing = !fs.existsSync(listener.key);
  if (listener.generateCert && certMissing && keyMissing) {
    if (dryRun) {
      logger?.info({ event: 'cert_would_generate', cert: listener.cert, key: listener.key }, 'certificate files are missing; serve would generate a self-signed RSA-2048 certificate');
      const gen = generateSelfSigned({ commonName: 'localhost', altNames: ['127.0.0.1'], now });
      return { ...checkCertificate(gen.certPem, gen.keyPem, now.getTime()), warnings: ['certificate files are missing; serve will generate a self-signed one'] };
    }
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
