/**
 * Security settings as a user meets them: config errors that name the field and the fix, the
 * CLI refusing to start without a signing secret (and starting with it), ticket-key rotation.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { rotateTicketKeys } from '../../src/security/ticket-keys.js';
import { makeChain, tmpDir, writeFiles } from '../helpers/certs.js';
import { tlsgate } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function issues(yaml: string): string[] {
  try {
    parseConfig(yaml, '/etc/tlsgate/tlsgate.yaml');
    return [];
  } catch (e) {
    return (e as ConfigError).issues.filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
  }
}

describe('security: config validation', () => {
  it('names the field and the fix for bad limits, CIDRs, methods and secretEnv', () => {
    const errs = issues(`listeners:
  - port: 8443
    cert: a.crt
    key: a.key
    trustProxy: yes
    limits:
      maxConnections: 0
      headersTimeout: 40s
      requestTimeout: 30s
      maxHeaderBytes: 100
      idleTimout: 5s
routes:
  - path: /
    upstream: http://127.0.0.1:8080
    allow: [10.0.0.0/33, 2001:db8::/32, 010.0.0.1]
    methods: [POST, FETCH]
    verify: { fastspringSignature: { secretEnv: "s3cr3t value!" } }
`);
    const want = [
      /^5:\d+ listeners\[0\]\.trustProxy: must be true or false/,
      /^7:\d+ listeners\[0\]\.limits\.maxConnections: must be a whole number from 1/,
      /^8:\d+ listeners\[0\]\.limits\.headersTimeout: \(40000 ms\) must not exceed requestTimeout \(30000 ms\)/,
      /^10:\d+ listeners\[0\]\.limits\.maxHeaderBytes: must be a whole number from 1024/,
      /^11:\d+ listeners\[0\]\.limits\.idleTimout: unknown key "idleTimout" \(did you mean "idleTimeout"\?\)/,
      /^15:\d+ routes\[0\]\.allow\[0\]: "10\.0\.0\.0\/33" is not an IP address or CIDR; write e\.g\. 203\.0\.113\.0\/24/,
      /^15:\d+ routes\[0\]\.allow\[2\]: "010\.0\.0\.1" is not an IP address or CIDR/,
      /^16:\d+ routes\[0\]\.methods\[1\]: must be one of GET, HEAD, POST/,
      /^17:\d+ routes\[0\]\.verify\.fastspringSignature\.secretEnv: must be the NAME of an environment variable/,
    ];
    for (const w of want) expect(errs.some((e) => w.test(e)), `${w}\nin:\n${errs.join('\n')}`).toBe(true);
    expect(errs).toHaveLength(want.length);
    // The rejected secretEnv value may be a pasted secret: it is never echoed.
    expect(errs.join('\n')).not.toContain('s3cr3t');
  });

  it('fills safe defaults', () => {
    const { config } = parseConfig(`listeners: [{ port: 8443, cert: a.crt, key: a.key }]
routes:
  - { path: /signed, upstream: "http://127.0.0.1:1", verify: { fastspringSignature: { secretEnv: S } } }
  - { path: /, upstream: "http://127.0.0.1:1" }
`, '/etc/tlsgate/x.yaml');
    expect(config.listeners[0]).toMatchObject({ trustProxy: false, limits: { maxConnections: 1000, maxConnectionsPerSource: 100, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 65_000, maxHeaderBytes: 16_384 } });
    expect(config.routes[0]).toMatchObject({ methods: ['POST'], allow: undefined, verify: { fastspringSignature: { secretEnv: 'S' } } });
    expect(config.routes[1]).toMatchObject({ methods: ['GET', 'HEAD', 'POST'], verify: undefined });
  });
});

describe('security: signing secret at start-up (CLI)', () => {
  function writeConfig(): string {
    const dir = tmpDir();
    dirs.push(dir);
    const chain = makeChain();
    writeFiles(dir, { 'server.crt': chain.fullchain, 'server.key': chain.leaf.key });
    const file = path.join(dir, 'tlsgate.yaml');
    fs.writeFileSync(file, `listeners: [{ port: 0, host: 127.0.0.1, allowAnyPort: true, cert: server.crt, key: server.key }]
routes:
  - name: orders
    path: /
    upstream: http://127.0.0.1:9
    verify: { fastspringSignature: { secretEnv: TLSGATE_TEST_FS_SECRET } }
`);
    return file;
  }

  it('refuses to start, naming route and variable, when the variable is unset', async () => {
    const r = await tlsgate(['serve', '--config', writeConfig(), '--no-watch'], { env: { TLSGATE_TEST_FS_SECRET: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TLSGATE_SECRET_MISSING');
    expect(r.stderr).toContain('route "orders"');
    expect(r.stderr).toContain('TLSGATE_TEST_FS_SECRET');
  });
});

describe('security: session ticket keys', () => {
  it('rotating the keys ends resumption of earlier tickets', async () => {
    const chain = makeChain();
    const server = tls.createServer({ cert: chain.fullchain, key: chain.leaf.key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const rotate = rotateTicketKeys(server, 3600_000);
    const connect = (session?: Buffer) =>
      new Promise<{ reused: boolean; session: Buffer | undefined }>((resolve, reject) => {
        let ticket: Buffer | undefined;
        let reused = false;
        const s = tls.connect({ port, host: '127.0.0.1', ca: chain.root.cert, servername: 'localhost', session, maxVersion: 'TLSv1.2' }, () => (reused = s.isSessionReused()));
        s.on('session', (b: Buffer) => (ticket = b));
        s.on('error', reject);
        s.on('close', () => resolve({ reused, session: ticket }));
        s.resume();
      });
    try {
      const first = await connect();
      expect(first.session).toBeDefined();
      expect((await connect(first.session)).reused).toBe(true);
      const before = server.getTicketKeys();
      rotate();
      expect(server.getTicketKeys().equals(before)).toBe(false);
      expect((await connect(first.session)).reused).toBe(false);
    } finally {
      server.close();
    }
  });
});
