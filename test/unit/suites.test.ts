// The suite table is the single source of truth for what tlsgate offers.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FASTSPRING_SUITES, enabledSuites, serverCipherString, SENDER_PORTS } from '../../src/tls/suites.js';

describe('sender suite table', () => {
  it('lists the sender\'s 14 suites in its own numbering', () => {
    expect(FASTSPRING_SUITES.map((s) => s.n)).toEqual([0, 1, 2, 6, 7, 8, 13, 14, 15, 16, 20, 21, 26, 27]);
    expect(SENDER_PORTS).toEqual([8443, 3443, 8282, 9191, 9000, 9999]);
  });

  it('offers exactly the four RSA/DHE-RSA CBC-SHA256 suites, DHE first', () => {
    expect(serverCipherString()).toBe('DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA256:AES256-SHA256:AES128-SHA256');
    expect(enabledSuites().map((s) => s.n)).toEqual([1, 7, 0, 6]);
  });

  it('never offers anonymous, NULL, DES or export suites, and OpenSSL expands our string to exactly four suites', () => {
    const expanded = execFileSync('openssl', ['ciphers', '-v', '-tls1_2', serverCipherString()], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0])
      .filter((n) => !n!.startsWith('TLS_AES') && !n!.startsWith('TLS_CHACHA')); // TLS 1.3 suites are configured separately and disabled by maxVersion
    expect(expanded).toEqual(['DHE-RSA-AES256-SHA256', 'DHE-RSA-AES128-SHA256', 'AES256-SHA256', 'AES128-SHA256']);
    for (const s of FASTSPRING_SUITES.filter((x) => x.status !== 'on')) expect(serverCipherString()).not.toContain(s.openssl);
  });

  it('gives a reason for every suite', () => {
    for (const s of FASTSPRING_SUITES) expect(s.reason.length).toBeGreaterThan(10);
  });
});

describe('README', () => {
  it('shows the same suite table as src/tls/suites.ts', async () => {
    const fs = await import('node:fs');
    const readme = fs.readFileSync('README.md', 'utf8');
    for (const s of FASTSPRING_SUITES) expect(readme).toContain(`| ${s.n} | ${s.iana} | ${s.openssl} | `);
  });
});
