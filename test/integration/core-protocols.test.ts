// Only TLS 1.2 with the four suites: every other protocol and every weak suite is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../helpers/backend.js';
import { startGatewayToBackend, type Gateway } from '../helpers/gateway.js';
import { curl, sClient } from '../helpers/peers.js';

let gw: Gateway;
let backend: Backend;
let close: () => Promise<void>;

beforeAll(async () => ({ gw, backend, close } = await startGatewayToBackend()));
afterAll(() => close?.());

describe('protocol versions', () => {
  // OpenSSL 3 will not even offer TLS 1.0/1.1 at its default security level; lower it on the
  // client so that the refusal we see is the server's, not the client's.
  it.each([
    ['-tls1', ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0']],
    ['-tls1_1', ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0']],
    ['-tls1_3', ['-tls1_3']],
  ])('refuses openssl s_client %s and logs the failure', async (_name, args) => {
    const before = gw.logs.events('handshake_failed').length;
    const r = await sClient(gw.port, args);
    expect(r.handshakeOk).toBe(false);
    await gw.logs.waitFor((l) => l.event === 'handshake_failed' && gw.logs.events('handshake_failed').length > before);
    const line = gw.logs.events('handshake_failed').at(-1)!;
    expect(line).toMatchObject({ level: 'warn', port: gw.port, remoteAddress: '127.0.0.1' });
    expect(line.code).toMatch(/^ERR_SSL_(UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW|TLSV1_ALERT_PROTOCOL_VERSION)/);
    expect(typeof line.remotePort).toBe('number');
  });

  it('accepts openssl s_client -tls1_2 with each of the four suites and nothing else', async () => {
    for (const c of ['DHE-RSA-AES256-SHA256', 'DHE-RSA-AES128-SHA256', 'AES256-SHA256', 'AES128-SHA256']) {
      const r = await sClient(gw.port, ['-tls1_2', '-cipher', c, '-CAfile', gw.caFile]);
      expect(r.cipher, r.stdout + r.stderr).toBe(c);
      expect(r.protocol).toBe('TLSv1.2');
    }
  });

  it.each(['ECDHE-RSA-AES128-GCM-SHA256', 'AES128-SHA', 'DES-CBC3-SHA', 'NULL-SHA256', 'ADH-AES128-SHA256', 'ADH-AES256-SHA'])(
    'refuses a client that offers only %s',
    async (c) => {
      const r = await sClient(gw.port, ['-tls1_2', '-cipher', `${c}:@SECLEVEL=0`]);
      expect(r.handshakeOk).toBe(false);
    },
  );

  it('prefers the server order: DHE-RSA-AES256-SHA256 when the client offers all four in reverse', async () => {
    const r = await sClient(gw.port, ['-tls1_2', '-cipher', 'AES128-SHA256:AES256-SHA256:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256', '-CAfile', gw.caFile]);
    expect(r.cipher).toBe('DHE-RSA-AES256-SHA256');
  });

  it('refuses client-initiated renegotiation', async () => {
    // "R" on its own line asks s_client to renegotiate; the server must refuse, not renegotiate.
    const r = await sClient(gw.port, ['-tls1_2', '-CAfile', gw.caFile], 'R\n', 1500);
    expect(r.handshakeOk).toBe(true);
    expect(r.stdout + r.stderr).toMatch(/RENEGOTIATING/);
    expect(r.stdout + r.stderr).toMatch(/no renegotiation/);
  });

  it('serves curl over TLS 1.2 and refuses curl limited to TLS 1.3', async () => {
    const ok = await curl(['--cacert', gw.caFile, '--tlsv1.2', '--tls-max', '1.2', gw.url('/via-curl')]);
    expect(ok.status).toBe(200);
    const no = await curl(['--cacert', gw.caFile, '--tlsv1.3', gw.url('/via-curl-13')]);
    expect(no.status).toBe(0);
  });
});
