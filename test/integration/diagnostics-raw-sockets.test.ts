/**
 * Failures only a raw socket produces: bytes that are not TLS, half a ClientHello then silence
 * (cut at the handshake deadline), a reset mid-hello, and an empty connection. Also the
 * per-(remote, classification) rate limit on the log lines.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActivityEntry } from '../../src/observe/activity.js';
import type { HandshakeFailureEvent } from '../../src/observe/events.js';
import { OVERFLOW_KEY, RepeatLimiter } from '../../src/observe/rate-limit.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import type { LogLine } from '../helpers/log-sink.js';

let gw: Gateway;
const published: HandshakeFailureEvent[] = [];
// The capture must never write to the console (read-tls-client-hello's trackClientHellos does).
const consoleWarn = vi.spyOn(console, 'warn');

beforeAll(async () => {
  gw = await startGateway({
    routes: [{ path: '/', upstream: 'http://127.0.0.1:9' }],
    admin: { listen: '127.0.0.1:0' },
  }, { listener: { handshakeTimeout: '1s' } });
  gw.hub.subscribe((e) => {
    if (e.type === 'handshake_failure') published.push(e);
  });
});
afterAll(async () => {
  await gw?.close();
  consoleWarn.mockRestore();
});

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

  it('a TLS record holding a malformed hello: passed to TLS untouched, logged, nothing on the console', async () => {
    // Record says 4 bytes of handshake, the handshake header claims 9: the hello parser fails.
    await rawClient((s) => s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x09])));
    const l = await gw.logs.waitFor((x) => x.event === 'handshake_failed' && x['bytesReceived'] === 9);
    expect(l['offeredSuites']).toBeUndefined();
    // OpenSSL waits for the rest of the announced handshake message: Node's own timer cuts it.
    expect(l).toMatchObject({ classification: 'handshake_timeout', code: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
    expect(l['hint']).toMatch(/only 9 bytes/);
    expect(consoleWarn).not.toHaveBeenCalled();
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
    expect(lines('handshake_timeout').length).toBe(3);
    // A client still sending its hello at shutdown is cut without being reported as its failure.
    const pendingClosed = rawClient((s) => s.write(HALF_HELLO));
    await new Promise((r) => setTimeout(r, 50));
    const resetsBefore = lines('connection_reset').length;
    await gw.close();
    await pendingClosed;
    expect(lines('connection_reset').length).toBe(resetsBefore);
    const summary = gw.logs.lines.find((x) => x.event === 'handshake_failed_repeats');
    expect(summary).toMatchObject({ level: 'warn', remoteAddress: '127.0.0.1', classification: 'not_tls', suppressed: 2, port: gw.port });
  });
});

describe('RepeatLimiter windows (pure, explicit clock)', () => {
  it('logs a burst per key, counts the rest, and summarises when the window closes', () => {
    const lim = new RepeatLimiter<string>(60_000, 2);
    expect(lim.admit('a', 0, 'first').log).toBe(true);
    expect(lim.admit('a', 10, 'x').log).toBe(true);
    expect(lim.admit('a', 20, 'x').log).toBe(false);
    expect(lim.admit('a', 30, 'x').log).toBe(false);
    expect(lim.admit('b', 40, 'other key').log).toBe(true);
    expect(lim.sweep(59_999)).toEqual([]);
    expect(lim.sweep(60_000)).toEqual([{ key: 'a', info: 'first', suppressed: 2, windowStart: 0, windowMs: 60_000 }]);
    expect(lim.size).toBe(1); // 'b' (window still open) stays, 'a' is forgotten
  });

  it('hands the previous window\'s summary to the first event of the next window', () => {
    const lim = new RepeatLimiter<string>(1000, 1);
    lim.admit('a', 0, 'i');
    lim.admit('a', 1, 'i');
    const next = lim.admit('a', 1000, 'j');
    expect(next).toEqual({ log: true, summary: { key: 'a', info: 'i', suppressed: 1, windowStart: 0, windowMs: 1000 } });
    expect(lim.drain()).toEqual([]);
  });

  it('bounds memory: past maxKeys, new keys share one overflow bucket', () => {
    const lim = new RepeatLimiter<string>(1000, 1, 3);
    for (const k of ['a', 'b', 'c']) lim.admit(k, 0, k);
    expect(lim.admit('d', 0, 'd').log).toBe(true);
    expect(lim.admit('e', 0, 'e').log).toBe(false);
    expect(lim.size).toBe(4);
    expect(lim.drain()).toEqual([{ key: OVERFLOW_KEY, info: 'd', suppressed: 1, windowStart: 0, windowMs: 1000 }]);
  });
});
