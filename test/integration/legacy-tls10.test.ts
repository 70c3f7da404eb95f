/**
 * A TLS 1.0-only backend (maxVersion TLSv1, only AES128-SHA at @SECLEVEL=0, a self-signed
 * 1024-bit SHA-1 certificate, as old servers have): reached with `ca:` and with `pin:`, and
 * refused with 502 and an explaining log line otherwise.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { opensslPin, startTlsBackend, type LegacyBackend } from '../helpers/legacy-backends.js';
import type { LogLine } from '../helpers/log-sink.js';

let backend: LegacyBackend;
let gw: Gateway;
let pin: string;
let files: Record<string, string>;

beforeAll(async () => {
  const self = makeCert({ cn: 'legacy.internal', sans: ['legacy.internal', '127.0.0.1'], bits: 1024, md: 'sha1' });
  const other = makeCert({ cn: 'someone else', bits: 1024 });
  backend = await startTlsBackend({ cert: self.cert, key: self.key, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' });
  const dir = tmpDir();
  files = writeFiles(dir, { 'legacy.pem': self.cert, 'other.pem': other.cert });
  pin = await opensslPin(self.cert);
  const otherPin = await opensslPin(other.cert);
  const up = (path: string, tls: Record<string, unknown>) => ({ path, upstream: { url: `${backend.url}/hooks`, tls } });
  gw = await startGateway(
    {
      routes: [
        up('/ca', { ca: files['legacy.pem'] }),
        up('/pin', { pin }),
        up('/neither', {}),
        up('/wrong-pin', { pin: otherPin }),
        up('/wrong-ca', { ca: files['other.pem'] }),
        up('/wrong-name', { ca: files['legacy.pem'], servername: 'other.example' }),
        up('/tls12-only', { ca: files['legacy.pem'], minVersion: 'TLSv1.2' }),
        up('/gcm-only', { ca: files['legacy.pem'], ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }),
        up('/no-verify', { verify: false }),
      ],
    },
    { dir },
  );
});

afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

/** Posts `body` through the gateway like a sender would and returns the status. */
async function post(path: string, body: string | Buffer): Promise<number> {
  const r = await gw.post(path, body, ['-H', 'Content-Type: application/json']);
  return r.status;
}

function requestLog(path: string): Promise<LogLine> {
  return gw.logs.waitFor((l) => l.event === 'request' && l.path === path);
}

describe('TLS 1.0 backend with a self-signed certificate', () => {
  it('is reached with upstream.tls.ca, over TLS 1.0 / AES128-SHA, with the path prefix rewritten', async () => {
    const body = Buffer.concat([Buffer.from('{"events":[{"id":"ca-1"}]}'), randomBytes(64)]);
    const before = backend.received.length;
    expect(await post('/ca/order.completed?x=1', body)).toBe(200);
    const got = backend.received[before]!;
    expect(got.url).toBe('/hooks/order.completed?x=1');
    expect(got.protocol).toBe('TLSv1');
    expect(got.cipher).toBe('AES128-SHA');
    expect(got.body.equals(body)).toBe(true);
    // No SNI: the URL's host is an IP address, and SNI must not carry one.
    expect(got.servername).toBeUndefined();
    const log = await requestLog('/ca/order.completed?x=1');
    expect(log).toMatchObject({ level: 'info', status: 200, outcome: 'processed', route: 'route0', upstreamTls: { protocol: 'TLSv1', cipher: 'AES128-SHA' } });
  });

  it('is reached with upstream.tls.pin (computed by openssl, as for curl --pinnedpubkey)', async () => {
    const before = backend.received.length;
    expect(await post('/pin', '{"pin":true}')).toBe(200);
    expect(backend.received[before]!.body.toString()).toBe('{"pin":true}');
    expect(backend.received[before]!.url).toBe('/hooks');
  });

  it('is refused with 502 when verify is on and neither ca nor pin is set; nothing is sent', async () => {
    const before = backend.received.length;
    expect(await post('/neither', '{"secret":"do-not-send"}')).toBe(502);
    expect(backend.received.length).toBe(before);
    const log = await requestLog('/neither');
    expect(log).toMatchObject({ level: 'warn', status: 502, outcome: 'upstream_error', errorCode: 'TLSGATE_UPSTREAM_TLS_UNTRUSTED', cause: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(log.hint).toMatch(/upstream\.tls\.ca/);
    expect(log.hint).toMatch(/upstream\.tls\.pin/);
    expect(JSON.stringify(log)).not.toContain('do-not-send');
  });

  it('is refused with 502 TLSGATE_UPSTREAM_TLS_PIN when the pin is wrong', async () => {
    const before = backend.received.length;
    expect(await post('/wrong-pin', '{}')).toBe(502);
    expect(backend.received.length).toBe(before);
    const log = await requestLog('/wrong-pin');
    expect(log).toMatchObject({ status: 502, errorCode: 'TLSGATE_UPSTREAM_TLS_PIN' });
    // The log names the key the backend really presented, so the user can update the pin.
    expect(log.error).toContain(pin);
    expect(log.hint).toMatch(/upstream\.tls\.pin/);
  });

  it('is refused with 502 when upstream.tls.ca holds another certificate; the hint names that file', async () => {
    expect(await post('/wrong-ca', '{}')).toBe(502);
    const log = await requestLog('/wrong-ca');
    expect(log).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_TLS_UNTRUSTED', cause: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(log.hint).toContain(files['other.pem']);
  });

  it('is refused with 502 TLSGATE_UPSTREAM_TLS_HOSTNAME when servername is not in the certificate', async () => {
    expect(await post('/wrong-name', '{}')).toBe(502);
    const log = await requestLog('/wrong-name');
    expect(log).toMatchObject({ status: 502, errorCode: 'TLSGATE_UPSTREAM_TLS_HOSTNAME', cause: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(log.error).toContain('other.example');
    expect(log.hint).toMatch(/upstream\.tls\.servername/);
  });

  it('is refused with 502 TLSGATE_UPSTREAM_TLS_HANDSHAKE when minVersion is TLSv1.2; the hint names minVersion', async () => {
    expect(await post('/tls12-only', '{}')).toBe(502);
    const log = await requestLog('/tls12-only');
    expect(log).toMatchObject({ status: 502, errorCode: 'TLSGATE_UPSTREAM_TLS_HANDSHAKE' });
    expect(String(log.cause)).toMatch(/^ERR_SSL_/);
    expect(log.hint).toMatch(/upstream\.tls\.minVersion/);
  });

  it('is refused with 502 TLSGATE_UPSTREAM_TLS_HANDSHAKE when the ciphers share nothing; the hint names ciphers', async () => {
    expect(await post('/gcm-only', '{}')).toBe(502);
    const log = await requestLog('/gcm-only');
    expect(log).toMatchObject({ status: 502, errorCode: 'TLSGATE_UPSTREAM_TLS_HANDSHAKE' });
    expect(log.hint).toMatch(/upstream\.tls\.ciphers/);
  });

  it('is reached with verify: false (allowed, and warned about at start-up by config validation)', async () => {
    expect(await post('/no-verify', '{"v":0}')).toBe(200);
  });

  it('logs upstream TLS failures only as request lines, never as sender-side handshake failures', () => {
    const upstreamTls = gw.logs.events('request').filter((l) => String(l.errorCode).startsWith('TLSGATE_UPSTREAM_TLS_'));
    expect(upstreamTls.map((l) => l.errorCode).sort()).toEqual([
      'TLSGATE_UPSTREAM_TLS_HANDSHAKE',
      'TLSGATE_UPSTREAM_TLS_HANDSHAKE',
      'TLSGATE_UPSTREAM_TLS_HOSTNAME',
      'TLSGATE_UPSTREAM_TLS_PIN',
      'TLSGATE_UPSTREAM_TLS_UNTRUSTED',
      'TLSGATE_UPSTREAM_TLS_UNTRUSTED',
    ]);
    expect(gw.logs.events('handshake_failed')).toEqual([]);
  });
});
