// The body reaches the upstream byte for byte; method, path, query and headers pass through;
// the upstream's status and body come back unchanged.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

let gw: Gateway;
let backend: Backend;
let ca: string;

beforeAll(async () => {
  backend = await startHttpBackend((r, res) => {
    const status = Number(/status=(\d+)/.exec(r.url)?.[1] ?? 200);
    res.writeHead(status, { 'content-type': 'text/plain', 'x-upstream': 'yes', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-hop': 'drop-me', ...(r.url.includes('hop') ? { connection: 'x-hop' } : {}) });
    res.end(status === 202 ? 'evt-1\nevt-2\n' : `upstream says ${status}`);
  });
  // PUT is outside the default methods (GET, HEAD, POST): allow it to show any method passes through.
  gw = await startGateway({ routes: [{ path: '/', upstream: backend.url, methods: ['GET', 'HEAD', 'POST', 'PUT'] }] });
  ca = fs.readFileSync(gw.caFile, 'utf8');
});
afterAll(async () => {
  await gw?.close();
  await backend?.close();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request over TLS 1.2 with full control over framing (chunked or Content-Length). */
function send(path: string, opts: { method?: string; body?: Buffer; chunked?: boolean; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body && !opts.chunked) headers['content-length'] = String(opts.body.length);
    const req = https.request({ host: '127.0.0.1', port: gw.port, path, method: opts.method ?? 'POST', ca, servername: 'localhost', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (opts.body && opts.chunked) {
      // Several writes without Content-Length: Node frames them as chunks.
      const b = opts.body;
      const third = Math.floor(b.length / 3);
      req.write(b.subarray(0, third));
      req.write(b.subarray(third, 2 * third));
      req.end(b.subarray(2 * third));
    } else req.end(opts.body);
  });
}

const bodies: [string, Buffer][] = [
  ['binary (all 256 byte values, random)', Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096)])],
  ['UTF-8 with multi-byte characters', Buffer.from('{"name":"Zoë Ångström","city":"東京","emoji":"🦊","note":"\\u0000 stays"}', 'utf8')],
  ['1 MiB minus one byte', randomBytes(1024 * 1024 - 1)],
  ['empty', Buffer.alloc(0)],
];

describe('body passes byte for byte', () => {
  for (const [name, body] of bodies) {
    for (const chunked of [false, true]) {
      it(`${name}, ${chunked ? 'chunked' : 'Content-Length'}`, async () => {
        const path = `/bytes/${encodeURIComponent(name)}/${chunked}`;
        const r = await send(path, { body, chunked });
        expect(r.status).toBe(200);
        const got = backend.received.find((x) => x.url === path)!;
        expect(got.body.equals(body)).toBe(true);
        if (chunked && body.length > 0) expect(got.headers['transfer-encoding']).toBe('chunked');
        else if (!chunked) expect(got.headers['content-length']).toBe(String(body.length));
        const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === path);
        expect(line.bytesIn).toBe(body.length);
      });
    }
  }
});

describe('request metadata', () => {
  it('passes method, path, query and headers; replaces X-Forwarded-*; strips hop-by-hop fields', async () => {
    const r = await send('/a//b/c.php?x=1&y=%20z&x=2', {
      method: 'PUT',
      body: Buffer.from('{}'),
      headers: {
        'X-FS-Signature': 'c2lnbmF0dXJl+/==',
        'X-Custom': 'Keep Me',
        'X-Forwarded-For': '6.6.6.6',
        'X-Forwarded-Proto': 'http',
        'X-Forwarded-Port': '1',
        Forwarded: 'for=6.6.6.6',
        Connection: 'keep-alive, X-Secret-Hop',
        'X-Secret-Hop': 'must not pass',
        'Keep-Alive': 'timeout=99',
        'Proxy-Authorization': 'Basic Zm9vOmJhcg==',
      },
    });
    expect(r.status).toBe(200);
    const got = backend.received.at(-1)!;
    expect(got.method).toBe('PUT');
    expect(got.url).toBe('/a//b/c.php?x=1&y=%20z&x=2');
    expect(got.headers['x-fs-signature']).toBe('c2lnbmF0dXJl+/==');
    expect(got.headers['x-custom']).toBe('Keep Me');
    expect(got.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(got.headers['x-forwarded-proto']).toBe('https');
    expect(got.headers['x-forwarded-port']).toBe(String(gw.port));
    expect(got.headers['forwarded']).toBeUndefined();
    expect(got.headers['x-secret-hop']).toBeUndefined();
    expect(got.headers['keep-alive']).toBeUndefined();
    expect(got.headers['proxy-authorization']).toBeUndefined();
    expect(got.headers['host']).toBe(`127.0.0.1:${gw.port}`);
  });

  it('strips hop-by-hop fields from the response, including those its Connection header names', async () => {
    const r = await send('/hop', { method: 'GET' });
    expect(r.headers['x-upstream']).toBe('yes');
    expect(r.headers['x-hop']).toBeUndefined();
    expect(r.headers['keep-alive']).toBeUndefined();
  });
});

describe('upstream status and body come back unchanged', () => {
  it.each([200, 202, 400, 401, 404, 500, 503])('status %i', async (status) => {
    const r = await send(`/status?status=${status}`, { body: Buffer.from('{"events":[]}') });
    expect(r.status).toBe(status);
    expect(r.body.toString()).toBe(status === 202 ? 'evt-1\nevt-2\n' : `upstream says ${status}`);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === `/status?status=${status}`);
    expect(line.status).toBe(status);
    expect(line.outcome).toBe(status === 200 || status === 202 ? 'processed' : 'unprocessed');
    expect(line.level).toBe('info');
  });
});
