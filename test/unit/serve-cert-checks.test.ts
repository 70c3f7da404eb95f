// Start-up certificate checks: each fatal problem is a clear error naming the file.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCertificateFiles } from '../../src/tls/cert-checks.js';
import { TlsgateError } from '../../src/errors.js';
import { makeCert, makeChain, makeEcdsaCert, tmpDir, writeFiles } from '../helpers/certs.js';

const dir = tmpDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const now = Date.now();
const chain = makeChain();
const other = makeCert({ cn: 'other' });

function codeOf(cert: string, key: string): { code: string; message: string } {
  try {
    checkCertificateFiles(cert, key, now);
  } catch (e) {
    if (e instanceof TlsgateError) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: 'OK', message: '' };
}

describe('certificate checks at start', () => {
  const f = writeFiles(dir, {
    'full.crt': chain.fullchain,
    'leaf.crt': chain.leaf.cert,
    'leaf.key': chain.leaf.key,
    'other.key': other.key,
    'notpem.crt': 'hello, I am not a certificate\n',
  });
  const expired = makeCert({ cn: 'expired', notBefore: new Date(now - 90 * 86_400_000), notAfter: new Date(now - 86_400_000) }, chain.intermediate);
  const future = makeCert({ cn: 'future', notBefore: new Date(now + 86_400_000), notAfter: new Date(now + 90 * 86_400_000) }, chain.intermediate);
  const g = writeFiles(dir, {
    'expired.crt': expired.cert + chain.intermediate.cert,
    'expired.key': expired.key,
    'future.crt': future.cert + chain.intermediate.cert,
    'future.key': future.key,
  });

  it('accepts a full chain with no warnings', () => {
    expect(checkCertificateFiles(f['full.crt']!, f['leaf.key']!, now).warnings).toEqual([]);
  });

  it('warns (does not fail) when the chain has no intermediate and the leaf is not self-signed', () => {
    const w = checkCertificateFiles(f['leaf.crt']!, f['leaf.key']!, now).warnings;
    expect(w.join('\n')).toMatch(/only the leaf certificate.*Java client does not fetch missing intermediates/);
  });

  it('refuses a key that does not match the certificate, naming the key file', () => {
    const r = codeOf(f['full.crt']!, f['other.key']!);
    expect(r.code).toBe('TLSGATE_CERT_KEY_MISMATCH');
    expect(r.message).toContain(f['other.key']!);
  });

  it('refuses an ECDSA certificate and says the sender shares no suite with it', () => {
    const ec = makeEcdsaCert(dir);
    const r = codeOf(ec.cert, ec.key);
    expect(r.code).toBe('TLSGATE_CERT_KEY_TYPE');
    expect(r.message).toMatch(/EC key: the sender offers only RSA and DHE-RSA suites/);
    expect(r.message).toContain(ec.cert);
  });

  it('refuses an expired and a not-yet-valid certificate', () => {
    expect(codeOf(g['expired.crt']!, g['expired.key']!).code).toBe('TLSGATE_CERT_EXPIRED');
    expect(codeOf(g['future.crt']!, g['future.key']!).code).toBe('TLSGATE_CERT_NOT_YET_VALID');
  });

  it('refuses a file that is not a PEM certificate, and a swapped cert/key pair', () => {
    expect(codeOf(f['notpem.crt']!, f['leaf.key']!)).toMatchObject({ code: 'TLSGATE_CERT_NOT_PEM' });
    expect(codeOf(f['leaf.key']!, f['leaf.crt']!).message).toMatch(/cert: and key: may be swapped/);
  });

  it('refuses an unreadable file, naming it', () => {
    const r = codeOf(`${dir}/missing.crt`, f['leaf.key']!);
    expect(r).toMatchObject({ code: 'TLSGATE_CERT_UNREADABLE' });
    expect(r.message).toContain('missing.crt: ENOENT');
  });

  it('warns within 14 days of expiry', () => {
    const soon = makeCert({ cn: 'soon2', notAfter: new Date(now + 5 * 86_400_000) }, chain.intermediate);
    const g = writeFiles(dir, { 'soon2.crt': soon.cert + chain.intermediate.cert, 'soon2.key': soon.key });
    const w = checkCertificateFiles(g['soon2.crt']!, g['soon2.key']!, now).warnings;
    expect(w.join('\n')).toMatch(/expires in [45] day\(s\)/);
  });
});
