// A certificate that expires while tlsgate runs shows as expired: /readyz turns 503 and the
// days to expiry follow the clock, not the value computed at load.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';

let gw: Gateway;
let offsetMs = 0;

beforeAll(async () => {
  gw = await startGateway({ routes: [{ path: '/', upstream: 'http://127.0.0.1:1' }], admin: { listen: '127.0.0.1:0' } }, { clock: { now: () => Date.now() + offsetMs } });
});
afterAll(() => gw?.close());

async function readyz(): Promise<{ status: number; body: { ready: boolean; reasons: string[]; listeners: { daysToExpiry: number }[] } }> {
  const admin = gw.app.admin()!;
  const r = await fetch(`${admin.url}/readyz`);
  return { status: r.status, body: (await r.json()) as never };
}

it('reports expiry against the running clock', async () => {
  const before = await readyz();
  expect(before.status).toBe(200);
  expect(before.body.listeners[0]!.daysToExpiry).toBeGreaterThan(80); // test leaves are valid 90 days
  offsetMs = 100 * 86_400_000;
  const after = await readyz();
  expect(after.status).toBe(503);
  expect(after.body.listeners[0]!.daysToExpiry).toBeLessThan(0);
  expect(after.body.reasons.join('\n')).toMatch(/certificate on port \d+ \(localhost\) has expired/);
});
