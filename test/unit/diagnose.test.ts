/** Classification and hints for each kind of failed handshake (pure: no sockets). */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeCert } from '../helpers/certs.js';
import { CLASSIFICATIONS, diagnose, type DiagnosisContext } from '../../src/tls/diagnose.js';
import type { HelloSummary } from '../../src/tls/hello-parse.js';
import { enabledSuites } from '../../src/tls/suites.js';

// A real leaf covering hooks.example.com and *.example.net: the SNI is matched against it.
const leaf = new X509Certificate(makeCert({ cn: 'hooks.example.com', sans: ['hooks.example.com', '*.example.net'] }).cert);
const ctx: DiagnosisContext = { suites: enabledSuites(), leaf, selfSigned: false, chainLength: 2, deadlineMs: 10_000 };

function hello(over: Partial<HelloSummary>): HelloSummary {
  return { offeredVersions: ['TLSv1.2'], offeredSuites: [], suiteIds: [], sni: 'hooks.example.com', alpn: [], ja3: 'a'.repeat(32), ja4: 't12d0101h1_x_y', hasSupportedVersions: false, ...over };
}

describe('diagnose', () => {
  it('TLS 1.3 only: no_shared_protocol, says to allow TLS 1.2', () => {
    const d = diagnose({ code: 'ERR_SSL_UNSUPPORTED_PROTOCOL', reason: 'unsupported protocol', hello: hello({ offeredVersions: ['TLSv1.3'], hasSupportedVersions: true }) }, ctx);
    expect(d.classification).toBe('no_shared_protocol');
    expect(d.hint).toMatch(/only TLS 1\.3/);
    expect(d.hint).toMatch(/allow TLS 1\.2/);
    expect(d.offeredVersions).toEqual(['TLSv1.3']);
  });

  it('TLS 1.0 only: no_shared_protocol, names the version', () => {
    const d = diagnose({ code: 'ERR_SSL_UNSUPPORTED_PROTOCOL', reason: 'unsupported protocol', hello: hello({ offeredVersions: ['TLSv1'] }) }, ctx);
    expect(d.classification).toBe('no_shared_protocol');
    expect(d.hint).toContain('TLSv1');
  });

  it('ECDHE-only: no_shared_cipher, names theirs and ours', () => {
    const h = hello({ offeredSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'], suiteIds: [0xc02f, 0x00ff] });
    const d = diagnose({ code: 'ERR_SSL_NO_SHARED_CIPHER', reason: 'no shared cipher', hello: h }, ctx);
    expect(d.classification).toBe('no_shared_cipher');
    expect(d.hint).toMatch(/only ECDHE suites \(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\)/);
    expect(d.hint).toContain('TLS_DHE_RSA_WITH_AES_256_CBC_SHA256');
  });

  it('ECDSA-only: no_shared_cipher blames the ECDSA suites', () => {
    const h = hello({ offeredSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], suiteIds: [0xc02b] });
    const d = diagnose({ code: 'ERR_SSL_NO_SHARED_CIPHER', reason: 'no shared cipher', hello: h }, ctx);
    expect(d.classification).toBe('no_shared_cipher');
    expect(d.hint).toMatch(/only ECDSA suites/);
  });

  it('plain HTTP by first bytes or by OpenSSL code', () => {
    expect(diagnose({ code: 'ERR_SSL_HTTP_REQUEST', reason: 'http request' }, ctx).classification).toBe('plain_http');
    const d = diagnose({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', reason: 'wrong version number', head: Buffer.from('POST /x HTTP/1.1') }, ctx);
    expect(d.classification).toBe('plain_http');
    expect(d.hint).toMatch(/https:\/\//);
  });

  it('not TLS: names the first byte', () => {
    const d = diagnose({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', reason: 'wrong version number', head: Buffer.from([0x00, 0x01]) }, ctx);
    expect(d.classification).toBe('not_tls');
    expect(d.hint).toContain('0x00');
  });

  it('client rejected the certificate: alert number from the message, Java hint', () => {
    const d = diagnose({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', reason: 'tlsv1 alert unknown ca', message: '...:SSL alert number 48', hello: hello({}) }, ctx);
    expect(d.classification).toBe('client_rejected_certificate');
    expect(d.alert).toBe('unknown_ca (48)');
    expect(d.hint).toMatch(/Java clients do not fetch/);
    const leafOnly = diagnose({ code: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', reason: 'x', hello: hello({}) }, { ...ctx, chainLength: 1 });
    expect(leafOnly.alert).toBe('certificate_unknown (46)');
    expect(leafOnly.hint).toMatch(/only the leaf/);
    // OpenSSL 3.5 names received alerts SSL/TLS_ALERT_*; without the message the code still tells.
    expect(diagnose({ code: 'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_EXPIRED', reason: 'x', hello: hello({}) }, ctx)).toMatchObject({ classification: 'client_rejected_certificate', alert: 'certificate_expired (45)' });
    const selfSigned = diagnose({ code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', reason: 'x', hello: hello({}) }, { ...ctx, chainLength: 1, selfSigned: true });
    expect(selfSigned.hint).toMatch(/self-signed/);
  });

  it('unknown SNI: a name the certificate does not cover, or alert 112', () => {
    const d = diagnose({ code: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', reason: 'x', hello: hello({ sni: 'other.example.org' }) }, ctx);
    expect(d.classification).toBe('unknown_sni');
    expect(d.hint).toContain('other.example.org');
    expect(diagnose({ code: 'X', reason: 'x', message: 'SSL alert number 112', hello: hello({}) }, ctx).classification).toBe('unknown_sni');
    // a wildcard name covers one label
    expect(diagnose({ code: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', reason: 'x', hello: hello({ sni: 'a.example.net' }) }, ctx).classification).toBe('client_rejected_certificate');
  });

  it('timeouts: nothing, half a hello, or a stalled handshake', () => {
    expect(diagnose({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT', reason: 'x', bytesReceived: 0 }, ctx).hint).toMatch(/sent nothing for 10s/);
    expect(diagnose({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT', reason: 'x', bytesReceived: 11 }, ctx).hint).toMatch(/only 11 bytes/);
    const d = diagnose({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT', reason: 'x', hello: hello({}), bytesReceived: 300 }, ctx);
    expect(d.classification).toBe('handshake_timeout');
    expect(d.hint).toMatch(/did not finish/);
  });

  it('resets: empty connection vs. mid-handshake', () => {
    expect(diagnose({ code: 'ECONNRESET', reason: 'x', bytesReceived: 0 }, ctx).classification).toBe('empty_connection');
    expect(diagnose({ code: 'ECONNRESET', reason: 'x', bytesReceived: 40 }, ctx).classification).toBe('connection_reset');
    expect(diagnose({ code: 'ECONNRESET', reason: 'x', hello: hello({}), bytesReceived: 300 }, ctx).classification).toBe('connection_reset');
  });

  it('falls back to other with OpenSSL\'s reason, and every result is a known class with one sentence', () => {
    const d = diagnose({ code: 'ERR_SSL_SOMETHING', reason: 'something odd', hello: hello({ suiteIds: [0x006b], offeredSuites: ['TLS_DHE_RSA_WITH_AES_256_CBC_SHA256'] }) }, ctx);
    expect(d.classification).toBe('other');
    expect(d.hint).toContain('something odd');
    expect(CLASSIFICATIONS).toContain(d.classification);
    expect(d.hint.trim().split(/\.\s+[A-Z]/).length).toBe(1);
  });
});
