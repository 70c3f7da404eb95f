/** The ClientHello parser: real hellos from real clients, then random and mutated bytes. */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikeHttp, parseHelloBytes, suiteName, versionName, type HelloSummary } from '../../src/tls/hello-parse.js';
import { runCommand } from '../helpers/peers.js';

/** A TCP server on port 0 that keeps the first complete TLS record each client sends. */
async function helloRecorder(): Promise<{ port: number; next(): Promise<Buffer>; close(): Promise<void> }> {
  const waiting: ((b: Buffer) => void)[] = [];
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        waiting.shift()?.(buf.subarray(0, 5 + buf.readUInt16BE(3)));
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    next: () => new Promise((r) => waiting.push(r)),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function checkShape(h: HelloSummary): void {
  for (const list of [h.offeredVersions, h.offeredSuites, h.alpn]) {
    expect(Array.isArray(list)).toBe(true);
    for (const x of list) expect(typeof x).toBe('string');
  }
  expect(h.suiteIds.length).toBe(h.offeredSuites.length);
  if (h.sni !== undefined) expect(h.sni).toMatch(/^[\x20-\x7e]*$/);
}

describe('hello-parse on real ClientHellos', () => {
  let rec: Awaited<ReturnType<typeof helloRecorder>>;
  const hellos: Record<string, Buffer> = {};

  beforeAll(async () => {
    rec = await helloRecorder();
    const capture = async (name: string, args: string[]) => {
      const got = rec.next();
      void runCommand('openssl', ['s_client', '-connect', `127.0.0.1:${rec.port}`, ...args], { input: '', timeoutMs: 10_000 });
      hellos[name] = await got;
    };
    await capture('tls13', ['-tls1_3', '-servername', 'hooks.example.com', '-alpn', 'h2,http/1.1']);
    await capture('ecdhe12', ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-servername', 'localhost']);
    const got = rec.next();
    const s = tls.connect({ port: rec.port, host: '127.0.0.1', servername: 'node.example', ALPNProtocols: ['http/1.1'], maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES256-SHA256:AES128-SHA256' });
    s.on('error', () => undefined);
    hellos['node12'] = await got;
  });
  afterAll(() => rec.close());

  it('reads a TLS 1.3-only hello: supported_versions, SNI, ALPN, TLS 1.3 suites, ja3 and ja4', async () => {
    const h = (await parseHelloBytes(hellos['tls13']!))!;
    checkShape(h);
    expect(h.offeredVersions).toEqual(['TLSv1.3']);
    expect(h.hasSupportedVersions).toBe(true);
    expect(h.sni).toBe('hooks.example.com');
    expect(h.alpn).toEqual(['h2', 'http/1.1']);
    expect(h.offeredSuites).toContain('TLS_AES_128_GCM_SHA256');
    expect(h.ja3).toMatch(/^[0-9a-f]{32}$/);
    expect(h.ja4).toMatch(/^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
  });

  it('names ECDHE-GCM suites by their IANA names', async () => {
    const h = (await parseHelloBytes(hellos['ecdhe12']!))!;
    checkShape(h);
    expect(h.offeredVersions).toEqual(['TLSv1.2']);
    expect(h.offeredSuites).toContain('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(h.offeredSuites).toContain('TLS_EMPTY_RENEGOTIATION_INFO_SCSV');
    expect(h.sni).toBe('localhost');
    expect(h.ja4).toMatch(/^t12d/);
  });

  it('reads a Node client limited to TLS 1.2 with the sender\'s suites', async () => {
    const h = (await parseHelloBytes(hellos['node12']!))!;
    checkShape(h);
    expect(h.offeredVersions).toEqual(['TLSv1.2']);
    expect(h.offeredSuites).toEqual(expect.arrayContaining(['TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA256']));
    expect(h.sni).toBe('node.example');
    expect(h.alpn).toEqual(['http/1.1']);
  });

  it('never throws on truncations and bit flips of a real hello', async () => {
    const base = hellos['tls13']!;
    for (let n = 0; n < base.length; n += 3) {
      const r = await parseHelloBytes(base.subarray(0, n));
      expect(r).toBeUndefined(); // a truncated record is never a hello
    }
    let parsed = 0;
    for (let i = 0; i < 1500; i++) {
      const m = Buffer.from(base);
      for (let k = 0; k < 1 + (i % 4); k++) {
        const at = 5 + Math.floor(Math.random() * (m.length - 5));
        m[at] = m[at]! ^ (1 << Math.floor(Math.random() * 8));
      }
      const r = await parseHelloBytes(m);
      if (r) {
        parsed++;
        checkShape(r);
      }
    }
    // Most flips land in random/key-share bytes and still parse: the fuzz reaches deep code.
    expect(parsed).toBeGreaterThan(100);
  });
});

describe('hello-parse on garbage', () => {
  it('resolves undefined or a well-formed summary for random bytes, never throws', async () => {
    for (let i = 0; i < 2000; i++) {
      const body = randomBytes(Math.floor(Math.random() * 300));
      // Half the cases get a valid record and handshake header so the fuzz reaches the inner parser.
      const bytes = i % 2 === 0 ? body : Buffer.concat([Buffer.from([0x16, 3, 1, (body.length + 4) >> 8, (body.length + 4) & 0xff, 1, 0, body.length >> 8, body.length & 0xff]), body]);
      const r = await parseHelloBytes(bytes);
      if (r) checkShape(r);
    }
  });

  it('names versions and suites, unknown ones as hex', () => {
    expect(versionName(0x0303)).toBe('TLSv1.2');
    expect(versionName(0x0301)).toBe('TLSv1');
    expect(versionName(0x7f1c)).toBe('0x7f1c');
    expect(suiteName(0xc02f)).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(suiteName(0x006b)).toBe('TLS_DHE_RSA_WITH_AES_256_CBC_SHA256');
    expect(suiteName(0xfefe)).toBe('0xfefe');
  });

  it('recognises a plain-HTTP request line', () => {
    expect(looksLikeHttp(Buffer.from('POST /webhook HTTP/1.1\r\n'))).toBe(true);
    expect(looksLikeHttp(Buffer.from('GET / HTTP/1.1'))).toBe(true);
    expect(looksLikeHttp(Buffer.from([0x16, 3, 1]))).toBe(false);
    expect(looksLikeHttp(Buffer.from('garbage'))).toBe(false);
  });
});
