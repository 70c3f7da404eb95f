/**
 * Slowloris at the HTTP layer: a sender that completes TLS, then dribbles its headers one byte
 * at a time, is cut at headersTimeout with a 408 and exactly one log line, however many bytes
 * it sent. (The TLS-layer variant, half a ClientHello then silence, belongs to the hello capture.)
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

/** Sends `text` one byte every `everyMs` until done or cut; reports what happened. */
function dribble(port: number, caFile: string, text: string, everyMs: number): Promise<{ sent: number; answer: string; cut: boolean }> {
  return new Promise((resolve) => {
    let sent = 0;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const sock = tls.connect({ port, host: '127.0.0.1', ca: fs.readFileSync(caFile), servername: 'localhost', maxVersion: 'TLSv1.2' }, () => {
      timer = setInterval(() => {
        if (sent >= text.length || sock.destroyed) return clearInterval(timer);
        sock.write(text[sent++]!);
      }, everyMs);
    });
    sock.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearInterval(timer);
      resolve({ sent, answer, cut: sent < text.length });
    });
  });
}

describe('security: HTTP-layer slowloris', () => {
  let backend: Backend;
  let gw: Gateway;
  beforeAll(async () => {
    backend = await startHttpBackend();
    gw = await startGateway({
      routes: [{ path: '/', upstream: backend.url }],
    }, { listener: { limits: { headersTimeout: '1s', requestTimeout: '2s' } } });
  });
  afterAll(async () => {
    await gw.close();
    await backend.close();
  });

  it('cuts headers sent one byte at a time with 408 and one log line', async () => {
    // 400 bytes at one per 25 ms would take 10 s; headersTimeout is 1 s.
    const headers = 'POST /slow HTTP/1.1\r\nHost: localhost\r\n' + 'X-Pad: ' + 'a'.repeat(340) + '\r\n\r\n';
    const r = await dribble(gw.port, gw.caFile, headers, 25);
    expect(r.cut).toBe(true);
    expect(r.answer).toMatch(/^HTTP\/1\.1 408 /);
    const line = await gw.logs.waitFor((l) => l.event === 'http_client_error');
    expect(line).toMatchObject({ level: 'warn', status: 408, errorCode: 'TLSGATE_HTTP_TIMEOUT', remoteAddress: '127.0.0.1' });
    expect(Number(line.bytesRead)).toBeGreaterThan(0);
    expect(gw.logs.events('http_client_error')).toHaveLength(1);
    expect(backend.received).toHaveLength(0);
  });

  it('leaves TLS failures to the handshake log: plain HTTP on the TLS port is no http_client_error', async () => {
    const before = gw.logs.events('http_client_error').length;
    const port = await new Promise<number>((resolve) => {
      const s = net.connect(gw.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      s.on('connect', () => resolve(s.localPort!));
      s.on('error', () => undefined);
      s.resume();
    });
    await gw.logs.waitFor((l) => l.event === 'handshake_failed' && l.remotePort === port);
    expect(gw.logs.events('http_client_error').slice(before)).toHaveLength(0);
  });

  it('answers 431 to headers over maxHeaderBytes, once', async () => {
    const before = gw.logs.events('http_client_error').length;
    const r = await new Promise<string>((resolve) => {
      let answer = '';
      const sock = tls.connect({ port: gw.port, host: '127.0.0.1', ca: fs.readFileSync(gw.caFile), servername: 'localhost' }, () => {
        sock.write(`POST /big-headers HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`);
      });
      sock.on('data', (c: Buffer) => (answer += c.toString('latin1')));
      sock.on('error', () => undefined);
      sock.on('close', () => resolve(answer));
    });
    expect(r).toMatch(/^HTTP\/1\.1 431 /);
    const lines = gw.logs.events('http_client_error').slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 431, errorCode: 'TLSGATE_HEADERS_TOO_LARGE' });
    expect(backend.received).toHaveLength(0);
  });
});
