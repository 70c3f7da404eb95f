/**
 * Failures only a raw socket produces: bytes that are not TLS, half a ClientHello then silence
 * (cut at the handshake deadline), a reset mid-hello, and an empty connection. Also the
 * per-(remote, classification) rate limit on the log lines.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../../src/observe/activity.js';
import type { HandshakeFailureEvent } from '../../src/observe/events.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import type { LogLine } from '../helpers/log-sink.js';

let gw: Gateway;
const published: HandshakeFailureEvent[] = [];

beforeAll(async () => {
  gw = await startGateway({
    listeners: [{ port: 0, host: '127.0.0.1', allowAnyPort: true, cert: 'server.crt', key: 'server.key', handshakeTimeout: '1s' }],
    routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }],
    admin: { listen: '127.0.0.1:0' },
  });
  gw.hub.subscribe((e) => {
    if (e.type === 'handshake_failure') published.push(e);
  });
});
afterAll(() => gw?.close());

/** The first 11 bytes of a ClientHello record that announces 200 bytes. */
const HALF_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03]);

/** Connects, lets `act` write, and resolves when the server has closed the connection. */
function rawClient(act: (s: net.Socket) => void): Promise<{ closedByServer: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(gw.port, '127.0.0.1', () => act(s));
    let ended = false;
    s.on('end', () => (ended = true));
    s.on('error', () => undefined);
    s.on('close', () => resolve({ closedByServer: ended || s.readableEnded }));
  });
}

/** Resolves once `n` handshake failures have been published in total. */
async function published_(n: number): Promise<HandshakeFailureEvent[]> {
  for (let i = 0; i < 400 && published.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(published.length).toBeGreaterThanOrEqual(n);
  return published;
}

function lines(classification: string): LogLine[] {
  return gw.logs.lines.filter((l) => l.event === 'handshake_failed' && l['classification'] === classification);
}

async function activity(): Promise<ActivityEntry[]> {
  return ((await (await fetch(`${gw.app.admin()!.url}/activity`)).json()) as { entries: ActivityEntry[] }).entries;
}

describe('raw-socket failures', () => {
  it('garbage bytes: not_tls, naming the first byte', async () => {
    await rawClient((s) => s.write('garbage\x00\x01\x02 not tls at all\r\n\r\n'));
    const l = await gw.logs.waitFor((x) => x['classification'] === 'not_tls');
    expect(l).toMatchObject({ level: 'warn', event: 'handshake_failed', remoteAddress: '127.0.0.1', port: gw.port, code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    expect(l['hint']).toContain('0x67');
  });

  it('half a ClientHello then silence: cut at the 1s deadline and logged as handshake_timeout', async () => {
    const before = published.length;
    const r = await rawClient((s) => s.write(HALF_HELLO));
    expect(r.closedByServer).toBe(true);
    await published_(before + 1);
    const l = await gw.logs.waitFor((x) => x['classification'] === 'handshake_timeout' && x['bytesReceived'] === 11);
    expect(l).toMatchObject({ level: 'warn', code: 'ERR_TLS_HANDSHAKE_TIMEOUT', remoteAddress: '127.0.0.1', port: gw.port });
    expect(typeof l['remotePort']).toBe('number');
    expect(l['hint']).toMatch(/only 11 bytes of its ClientHello/);
  });

  it('a connection that sends nothing is also cut at the deadline', async () => {
    const r = await rawClient(() => undefined);
    expect(r.closedByServer).toBe(true);
    const l = await gw.logs.waitFor((x) => x['classification'] === 'handshake_timeout' && x['bytesReceived'] === 0);
    expect(l['hint']).toMatch(/sent nothing/);
  });

  it('a reset in the middle of the hello: connection_reset', async () => {
    await rawClient((s) => {
      s.write(HALF_HELLO, () => setImmediate(() => s.resetAndDestroy()));
    });
    const l = await gw.logs.waitFor((x) => x['classification'] === 'connection_reset');
    expect(l).toMatchObject({ code: 'ECONNRESET', remoteAddress: '127.0.0.1', bytesReceived: 11 });
  });

  it('an empty connection (TCP health check) is a debug line only, not activity', async () => {
    const before = published.length;
    await rawClient((s) => s.end());
    await published_(before + 1);
    const l = await gw.logs.waitFor((x) => x['classification'] === 'empty_connection');
    expect(l.level).toBe('debug');
    expect((await activity()).some((e) => e.classification === 'empty_connection')).toBe(false);
  });

  it('rate limit: repeats of one (remote, classification) beyond the burst are counted, then summarised', async () => {
    const before = published.length;
    for (let i = 0; i < 6; i++) await rawClient((s) => s.write('\x00\x01garbage again'));
    await published_(before + 6);
    // 7 not_tls failures from 127.0.0.1 in all: 5 logged in full, 2 only counted.
    expect(lines('not_tls').length).toBe(5);
    expect((await activity()).filter((e) => e.classification === 'not_tls').length).toBe(7);
    // Other classifications from the same address keep their own budget.
    expect(lines('handshake_timeout').length).toBe(2);
    await gw.close();
    const summary = gw.logs.lines.find((x) => x.event === 'handshake_failed_repeats');
    expect(summary).toMatchObject({ level: 'warn', remoteAddress: '127.0.0.1', classification: 'not_tls', suppressed: 2, port: gw.port });
  });
});
