// The sender is a Java client: TLS 1.2 only, its 14 suites. This is the handshake that must work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASTSPRING_SUITES, enabledSuites } from '../../src/tls/suites.js';
import type { Backend } from '../helpers/backend.js';
import { startGatewayToBackend, type Gateway } from '../helpers/gateway.js';
import { javaSender } from '../helpers/peers.js';

let gw: Gateway;
let backend: Backend;
let close: () => Promise<void>;

beforeAll(async () => ({ gw, backend, close } = await startGatewayToBackend()));
afterAll(() => close?.());

describe('Java sender (TLS 1.2, the sender\'s suites)', () => {
  it('posts a JSON webhook with all 14 suites offered and gets the upstream 200, DHE preferred', async () => {
    const body = JSON.stringify({ events: [{ id: 'evt-1', type: 'order.completed', data: { total: 12.5 } }] });
    const r = await javaSender({ url: `https://localhost:${gw.port}/webhooks/fs`, caFile: gw.caFile, body });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.protocol).toBe('TLSv1.2');
    expect(r.cipher).toBe('TLS_DHE_RSA_WITH_AES_256_CBC_SHA256');
    expect(backend.received.at(-1)!.body.toString()).toBe(body);
    const line = await gw.logs.waitFor((l) => l.event === 'request' && l.path === '/webhooks/fs');
    expect(line).toMatchObject({ level: 'info', method: 'POST', status: 200, outcome: 'processed', protocol: 'TLSv1.2', cipher: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', bytesIn: Buffer.byteLength(body), port: gw.port });
  });

  for (const suite of enabledSuites()) {
    it(`negotiates ${suite.iana} when it is offered alone`, async () => {
      const r = await javaSender({ url: `https://localhost:${gw.port}/one`, caFile: gw.caFile, body: '{}', suites: [suite.iana] });
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(200);
      expect(r.cipher).toBe(suite.iana);
    });
  }

  const refused = FASTSPRING_SUITES.filter((s) => s.status === 'needs-dsa' || s.status === 'never');
  it.each(refused.map((s) => [s.iana]))('fails the handshake when only %s is offered', async (iana) => {
    const r = await javaSender({ url: `https://localhost:${gw.port}/no`, caFile: gw.caFile, body: '{}', suites: [iana] });
    expect(r.ok).toBe(false);
    // A suite this JDK cannot offer at all is skipped by the client: then nothing is sent and
    // the client fails before the network, which still proves nothing was negotiated.
    if (!r.skipped?.includes(iana)) {
      expect(r.error).toMatch(/handshake_failure|SSLHandshakeException/);
      const line = await gw.logs.waitFor((l) => l.event === 'handshake_failed' && l.code === 'ERR_SSL_NO_SHARED_CIPHER');
      expect(line.level).toBe('warn');
    } else {
      expect(r.error).toMatch(/none of the requested suites/);
    }
  });
});
