/**
 * The backend misbehaves in the three ways that matter to a sender: it is down, it accepts and
 * never answers, or it dies mid-response. In each case the sender must get a non-2xx it will
 * retry, or a cut connection: never a clean-looking success. Real peers: curl over TLS.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { runCommand } from '../helpers/peers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function gateway(upstream: string, timeout: string): Promise<Gateway> {
  const gw = await startGateway({ routes: [{ path: '/', upstream: { url: upstream, timeout } }] });
  cleanups.push(() => gw.close());
  return gw;
}

/** A raw TCP backend: `onRequest` gets the socket once a whole request head (and small body) arrived. */
async function rawBackend(onRequest: (s: net.Socket) => void): Promise<{ url: string; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    let buf = '';
    let answered = false;
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      if (!answered && buf.includes('\r\n\r\n') && buf.endsWith('}')) {
        answered = true;
        onRequest(s);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const BODY = '{"events":[{"id":"evt_1","type":"order.completed"}]}';

/** Posts like a sender with curl; the body is discarded (-o /dev/null) so only the transfer can fail. */
async function postWithCurl(gw: Gateway) {
  const args = ['-sS', '--max-time', '15', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', gw.caFile, '--resolve', `localhost:${gw.port}:127.0.0.1`];
  const r = await runCommand('curl', [...args, '-H', 'content-type: application/json', '--data-binary', '@-', `https://localhost:${gw.port}/hook`], { input: BODY, timeoutMs: 20_000 });
  return { ...r, status: Number(r.stdout.trim()) };
}

test('backend down: 502 TLSGATE_UPSTREAM_REFUSED at once, not after the upstream timeout', async () => {
  const gw = await gateway(`http://127.0.0.1:${await closedPort()}`, '5s');
  const t0 = performance.now();
  const r = await postWithCurl(gw);
  const ms = performance.now() - t0;
  const line = await gw.logs.waitFor((l) => l.event === 'request');
  console.log(`[backend-down] 502 after ${ms.toFixed(1)} ms as seen by curl (process start included); gateway durationMs ${String(line['durationMs'])}`);
  expect(r.status).toBe(502);
  expect(line).toMatchObject({ status: 502, errorCode: 'TLSGATE_UPSTREAM_REFUSED', outcome: 'upstream_error', cause: 'ECONNREFUSED' });
  // Refused is answered on the refusal itself: the configured 5 s timeout never came into play.
  expect(line['durationMs'] as number).toBeLessThan(5000);
});

test('backend accepts and never answers: 504 TLSGATE_UPSTREAM_TIMEOUT at the configured timeout', async () => {
  const hung = await rawBackend(() => undefined);
  const gw = await gateway(hung.url, '1s');
  const t0 = performance.now();
  const r = await postWithCurl(gw);
  const ms = performance.now() - t0;
  const line = await gw.logs.waitFor((l) => l.event === 'request');
  console.log(`[backend-hung] 504 after ${ms.toFixed(0)} ms as seen by curl; gateway durationMs ${String(line['durationMs'])} (timeout 1000 ms)`);
  expect(hung.sockets.length).toBe(1);
  expect(r.status).toBe(504);
  expect(line).toMatchObject({ status: 504, errorCode: 'TLSGATE_UPSTREAM_TIMEOUT', outcome: 'upstream_error' });
  // Not before the timeout: a slow backend gets the whole configured time.
  expect(line['durationMs'] as number).toBeGreaterThanOrEqual(1000);
});

test('backend resets before answering: 502 TLSGATE_UPSTREAM_RESET', async () => {
  const be = await rawBackend((s) => s.resetAndDestroy());
  const gw = await gateway(be.url, '5s');
  const r = await postWithCurl(gw);
  const line = await gw.logs.waitFor((l) => l.event === 'request');
  expect(r.status).toBe(502);
  expect(line).toMatchObject({ status: 502, errorCode: 'TLSGATE_UPSTREAM_RESET', outcome: 'upstream_error' });
});

for (const framing of ['content-length', 'chunked'] as const) {
  test(`backend resets mid-response (${framing}): the sender never sees a clean success`, async () => {
    const be = await rawBackend((s) => {
      const head = framing === 'chunked' ? 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + '400\r\n' + 'x'.repeat(1024) + '\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1024);
      s.write(head, () => setTimeout(() => s.resetAndDestroy(), 50));
    });
    const gw = await gateway(be.url, '5s');
    const r = await postWithCurl(gw);
    const line = await gw.logs.waitFor((l) => l.event === 'request');
    console.log(`[backend-reset-mid-response ${framing}] curl exit ${String(r.code)}, status ${r.status}, stderr ${r.stderr.split('\n').filter((x) => x.startsWith('curl:')).join(' ')}`);
    // The status line (200) was already out, so the only honest signal left is a cut connection:
    // curl must fail (18 partial transfer / 56 receive failure / 92 stream error), never exit 0.
    expect([18, 56, 92]).toContain(r.code);
    expect(line).toMatchObject({ errorCode: 'TLSGATE_UPSTREAM_RESET', outcome: 'upstream_error' });
  });
}
