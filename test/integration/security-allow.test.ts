/** Route allow-lists for 127.0.0.1 and ::1, on a dual-stack listener (IPv4 peers arrive as ::ffff:127.0.0.1). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { curl } from '../helpers/peers.js';

describe('security: allow-list by source address', () => {
  let backend: Backend;
  let gw: Gateway;
  beforeAll(async () => {
    backend = await startHttpBackend();
    gw = await startGateway({
      routes: [
        { name: 'v4', path: '/v4', upstream: backend.url, allow: ['127.0.0.0/8'] },
        { name: 'v6', path: '/v6', upstream: backend.url, allow: ['::1'] },
        { name: 'elsewhere', path: '/elsewhere', upstream: backend.url, allow: ['10.0.0.0/8', '2001:db8::/32'] },
        { name: 'open', path: '/', upstream: backend.url },
      ],
    }, { listener: { host: '::' } });
  });
  afterAll(async () => {
    await gw.close();
    await backend.close();
  });

  const v4 = (p: string) => curl(['--cacert', gw.caFile, '-X', 'POST', '--data-binary', '{}', `https://127.0.0.1:${gw.port}${p}`]);
  const v6 = (p: string) => curl(['--cacert', gw.caFile, '-X', 'POST', '--data-binary', '{}', `https://[::1]:${gw.port}${p}`]);

  it('lets 127.0.0.1 through a 127.0.0.0/8 route, even as IPv4-mapped ::ffff:127.0.0.1', async () => {
    const before = backend.received.length;
    expect((await v4('/v4/a')).status).toBe(200);
    expect(backend.received.length).toBe(before + 1);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/v4/a');
    expect(line).toMatchObject({ status: 200, route: 'v4' });
    expect(String(line.remoteAddress)).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('lets ::1 through a ::1 route', async () => {
    expect((await v6('/v6/a')).status).toBe(200);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/v6/a');
    expect(line).toMatchObject({ status: 200, route: 'v6', remoteAddress: '::1' });
  });

  it('answers 403 across families and outside the ranges, never contacting the upstream', async () => {
    const before = backend.received.length;
    expect((await v6('/v4/b')).status).toBe(403);
    expect((await v4('/v6/b')).status).toBe(403);
    expect((await v4('/elsewhere/b')).status).toBe(403);
    expect((await v6('/elsewhere/c')).status).toBe(403);
    expect(backend.received.length).toBe(before);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/v4/b');
    expect(line).toMatchObject({ level: 'warn', status: 403, errorCode: 'TLSGATE_SOURCE_FORBIDDEN', outcome: 'refused', remoteAddress: '::1' });
    expect(String(line.hint)).toContain('127.0.0.0/8');
  });

  it('routes without allow accept any source', async () => {
    expect((await v4('/x')).status).toBe(200);
    expect((await v6('/x')).status).toBe(200);
  });
});
