/**
 * A sender that asks for `Connection: close` (as wrk does in the benchmark's full-handshake
 * cases, and as some HTTP/1.1 clients do) must be told `close`, not `keep-alive`: otherwise it
 * keeps the connection for a next request and sees it cut (wrk counted every one as an error).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Backend } from '../helpers/backend.js';
import { startGatewayToBackend, type Gateway } from '../helpers/gateway.js';
import { runCommand } from '../helpers/peers.js';

let backend: Backend;
let gw: Gateway;
let close: () => Promise<void>;
beforeAll(async () => ({ gw, backend, close } = await startGatewayToBackend()));
afterAll(() => close?.());

/** curl -v: the response's Connection header and whether curl kept the connection. */
async function connectionOf(extra: string[]): Promise<{ header: string | undefined; kept: boolean; code: number | null }> {
  const r = await runCommand('curl', ['-sS', '-v', '-o', '/dev/null', '--cacert', gw.caFile, '--resolve', `localhost:${gw.port}:127.0.0.1`, ...extra, `https://localhost:${gw.port}/hook`], { timeoutMs: 20_000 });
  return { header: /^< connection: (\S+)/im.exec(r.stderr)?.[1]?.toLowerCase(), kept: /left intact/.test(r.stderr), code: r.code };
}

test('Connection: close from the sender is answered with Connection: close', async () => {
  const r = await connectionOf(['-H', 'Connection: close']);
  expect(r.code).toBe(0);
  expect(r.header).toBe('close');
  expect(r.kept).toBe(false);
});

test('a plain HTTP/1.1 request still gets keep-alive', async () => {
  const r = await connectionOf([]);
  expect(r.code).toBe(0);
  expect(r.header).toBe('keep-alive');
  expect(r.kept).toBe(true);
});
