/** Wrong method → 405 with Allow; oversized body → 413; in both cases the upstream is never contacted. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { curl } from '../helpers/peers.js';

describe('security: methods and body size', () => {
  let backend: Backend;
  let gw: Gateway;
  beforeAll(async () => {
    backend = await startHttpBackend();
    gw = await startGateway(
      {
        routes: [
          { name: 'signed', path: '/signed', upstream: backend.url, verify: { fastspringSignature: { secretEnv: 'S' } } },
          { name: 'small', path: '/small', upstream: backend.url, maxBodyBytes: 1000 },
          { name: 'postonly', path: '/postonly', upstream: backend.url, methods: ['post'] },
          { name: 'default', path: '/', upstream: backend.url },
        ],
      },
      { env: { S: 'secret' } },
    );
  });
  afterAll(async () => {
    await gw.close();
    await backend.close();
  });

  it('answers 405 with an Allow header to methods outside the default GET, HEAD, POST', async () => {
    const before = backend.received.length;
    for (const m of ['PUT', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE']) {
      const r = await curl(['--cacert', gw.caFile, '-X', m, gw.url(`/any-${m}`)]);
      expect(r.status, m).toBe(405);
    }
    expect(backend.received.length).toBe(before);
    const headerFile = path.join(gw.dir, 'headers.txt');
    const r = await curl(['--cacert', gw.caFile, '-D', headerFile, '-X', 'DELETE', gw.url('/allow-header')]);
    expect(r.status).toBe(405);
    expect(fs.readFileSync(headerFile, 'utf8')).toMatch(/^allow: GET, HEAD, POST\r?$/im);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/any-PROPFIND');
    expect(line).toMatchObject({ level: 'warn', status: 405, errorCode: 'TLSGATE_METHOD_NOT_ALLOWED', outcome: 'refused', method: 'PROPFIND' });
    expect((await curl(['--cacert', gw.caFile, gw.url('/get-ok')])).status).toBe(200);
  });

  it('signed routes and methods: [post] accept only POST', async () => {
    const before = backend.received.length;
    expect((await curl(['--cacert', gw.caFile, gw.url('/signed/x')])).status).toBe(405);
    expect((await curl(['--cacert', gw.caFile, gw.url('/postonly/x')])).status).toBe(405);
    expect((await curl(['--cacert', gw.caFile, '-X', 'POST', '--data-binary', '{}', gw.url('/postonly/x')])).status).toBe(200);
    expect(backend.received.length).toBe(before + 1);
  });

  it('answers 413 to a declared body over maxBodyBytes before the upstream is contacted', async () => {
    const before = backend.received.length;
    const file = path.join(gw.dir, 'big.json');
    fs.writeFileSync(file, Buffer.alloc(1001, 0x61));
    const r = await curl(['--cacert', gw.caFile, '--data-binary', `@${file}`, gw.url('/small/big')]);
    expect(r.status).toBe(413);
    expect(backend.received.length).toBe(before);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/small/big');
    expect(line).toMatchObject({ level: 'warn', status: 413, errorCode: 'TLSGATE_BODY_TOO_LARGE', outcome: 'refused' });
    fs.writeFileSync(file, Buffer.alloc(1000, 0x61));
    expect((await curl(['--cacert', gw.caFile, '--data-binary', `@${file}`, gw.url('/small/fits')])).status).toBe(200);
  });

  it('answers 413 to an undeclared (chunked) body over the limit on a signed route, upstream untouched', async () => {
    const before = backend.received.length;
    const file = path.join(gw.dir, 'big-chunked.json');
    fs.writeFileSync(file, Buffer.alloc(1024 * 1024 + 10, 0x62));
    const r = await curl(['--cacert', gw.caFile, '-H', 'Transfer-Encoding: chunked', '-H', 'X-FS-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', '--data-binary', `@${file}`, gw.url('/signed/chunked')]);
    expect(r.status).toBe(413);
    expect(backend.received.length).toBe(before);
  });
});
