// The upstream forms of a route: short and long, their defaults, and each bad value refused
// (or warned about) with the YAML path and file:line:column, so an editor can jump to it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError, formatIssue } from '../../src/errors.js';
import { makeCert, tmpDir, writeFiles } from '../helpers/certs.js';

const dir = tmpDir();
const source = path.join(dir, 'tlsgate.yaml');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const legacy = makeCert({ cn: 'legacy.internal', bits: 1024 });
writeFiles(dir, {
  'legacy-ca.pem': legacy.cert,
  'not-pem.txt': 'this is not a certificate\n',
  'a-key.pem': legacy.key,
  'broken.pem': '-----BEGIN CERTIFICATE-----\nTUlJQm5vdCBhIGNlcnQ=\n-----END CERTIFICATE-----\n',
});
const PIN = 'sha256/' + Buffer.alloc(32, 7).toString('base64');

/** A config whose route has `upstream.tls` with the given lines (each at line 10 onwards, indented 8). */
function withTls(...tlsLines: string[]): string {
  return `listeners:
  - port: 8443
    cert: server.crt
    key: server.key
routes:
  - path: /fs
    upstream:
      url: https://legacy.internal:8443/webhooks
      tls:
${tlsLines.map((l) => `        ${l}`).join('\n')}
`;
}

function issues(yaml: string, severity: 'error' | 'warning' = 'error'): string[] {
  try {
    return parseConfig(yaml, source).warnings.filter((i) => i.severity === severity).map(formatIssue);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.filter((i) => i.severity === severity).map(formatIssue);
    throw e;
  }
}

describe('upstream forms', () => {
  it('reads the long form with every field, resolving ca against the config folder', () => {
    const yaml = `listeners: [{ port: 8443, cert: s.crt, key: s.key }]
routes:
  - path: /fastspring
    upstream:
      url: https://10.0.0.5:443/webhooks/fs
      timeout: 45s
      hostHeader: legacy.internal
      bufferBody: true
      tls:
        minVersion: TLSv1.1
        ciphers: "AES128-SHA:@SECLEVEL=0"
        servername: legacy.internal
        ca: legacy-ca.pem
        pin: "${PIN}"
        verify: true
`;
    const { config, warnings } = parseConfig(yaml, source);
    expect(warnings).toEqual([]);
    expect(config.routes[0]!.upstream).toEqual({
      url: 'https://10.0.0.5:443/webhooks/fs',
      timeoutMs: 45_000,
      hostHeader: 'legacy.internal',
      bufferBody: true,
      tls: { minVersion: 'TLSv1.1', ciphers: 'AES128-SHA:@SECLEVEL=0', servername: 'legacy.internal', ca: path.join(dir, 'legacy-ca.pem'), pin: PIN, verify: true },
    });
  });

  it('gives the short form and an empty tls: the safe defaults (verify on, TLSv1 and up, SNI from a host name only)', () => {
    const yaml = `listeners: [{ port: 8443, cert: s.crt, key: s.key }]
routes:
  - { path: /a, upstream: "https://legacy.internal:8443" }
  - { path: /b, upstream: "https://192.168.1.20" }
  - { path: /c, upstream: "https://[::1]:8443" }
  - { path: /d, upstream: { url: "https://legacy.internal", tls: {} } }
  - { path: /e, upstream: "http://127.0.0.1:8080" }
`;
    const { config } = parseConfig(yaml, source);
    const [a, b, c, d, e] = config.routes.map((r) => r.upstream);
    const tlsDefaults = { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', ca: undefined, pin: undefined, verify: true };
    expect(a).toEqual({ url: 'https://legacy.internal:8443', timeoutMs: 30_000, hostHeader: undefined, bufferBody: false, tls: { ...tlsDefaults, servername: 'legacy.internal' } });
    expect(b!.tls).toEqual({ ...tlsDefaults, servername: undefined });
    expect(c!.tls).toEqual({ ...tlsDefaults, servername: undefined });
    expect(d!.tls).toEqual({ ...tlsDefaults, servername: 'legacy.internal' });
    expect(e).toMatchObject({ bufferBody: false, hostHeader: undefined });
  });
});

describe('upstream.tls errors name the field with file:line:col', () => {
  const pinAt = `${source}:10:14: error: routes[0].upstream.tls.pin: must be "sha256/" followed by the base64 SHA-256 (32 bytes)`;
  it.each([
    ['a sha1 pin', 'sha1/' + Buffer.alloc(20).toString('base64')],
    ['no prefix', Buffer.alloc(32).toString('base64')],
    ['31 bytes', 'sha256/' + Buffer.alloc(31).toString('base64')],
    ['33 bytes', 'sha256/' + Buffer.alloc(33).toString('base64')],
    ['hex', 'sha256/' + Buffer.alloc(32).toString('hex')],
  ])('pin: %s', (_what, pin) => {
    const errs = issues(withTls(`pin: "${pin}"`));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toContain(pinAt);
    // The message says how to compute a correct one.
    expect(errs[0]).toContain('openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64');
  });

  it('ca: a file that is not PEM', () => {
    expect(issues(withTls('ca: not-pem.txt'))).toEqual([`${source}:10:13: error: routes[0].upstream.tls.ca: ${path.join(dir, 'not-pem.txt')} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block); convert a DER file with: openssl x509 -inform der -in FILE -out FILE.pem`]);
  });

  it('ca: a private key instead of a certificate', () => {
    const [err, ...rest] = issues(withTls('ca: a-key.pem'));
    expect(rest).toEqual([]);
    expect(err).toMatch(/:10:13: error: routes\[0\]\.upstream\.tls\.ca: .*a-key\.pem holds a private key/);
  });

  it('ca: a PEM block that does not parse', () => {
    expect(issues(withTls('ca: broken.pem'))[0]).toMatch(/:10:13: error: routes\[0\]\.upstream\.tls\.ca: .*broken\.pem: certificate #1 cannot be parsed/);
  });

  it('ca: a missing file', () => {
    expect(issues(withTls('ca: nowhere.pem'))).toEqual([`${source}:10:13: error: routes[0].upstream.tls.ca: cannot read ${path.join(dir, 'nowhere.pem')}: ENOENT`]);
  });

  it.each(['TLSv1.0', 'SSLv3', 'tlsv1.2'])('minVersion: %s', (v) => {
    expect(issues(withTls(`minVersion: ${v}`))).toEqual([`${source}:10:21: error: routes[0].upstream.tls.minVersion: must be one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, got "${v}"`]);
  });

  it('ciphers: a list OpenSSL cannot use', () => {
    const errs = issues(withTls('ciphers: "RC4-MD5-NOT-A-SUITE"'));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/:10:18: error: routes\[0\]\.upstream\.tls\.ciphers: is not a cipher list OpenSSL accepts \(.*no cipher match\).*DEFAULT:@SECLEVEL=0/);
  });

  it('servername: an IP address', () => {
    expect(issues(withTls('servername: 10.0.0.5'))[0]).toMatch(/:10:21: error: routes\[0\]\.upstream\.tls\.servername: must be a DNS name/);
  });

  it('an unknown key, with the near miss suggested at the key', () => {
    expect(issues(withTls('minversion: TLSv1'))).toEqual([`${source}:10:9: error: routes[0].upstream.tls.minversion: unknown key "minversion" (did you mean "minVersion"?)`]);
  });

  it('reports every problem at once, each on its own line', () => {
    const errs = issues(withTls('minVersion: SSLv3', 'ca: not-pem.txt', 'pin: "sha256/abc"'));
    expect(errs.map((e) => /upstream\.tls\.(\w+)/.exec(e)?.[1])).toEqual(['minVersion', 'pin', 'ca']);
    expect(errs.map((e) => e.split(':').slice(1, 2)[0])).toEqual(['10', '12', '11']);
  });
});

describe('upstream warnings (the config still loads)', () => {
  it('verify: false warns that nothing is checked', () => {
    expect(issues(withTls('verify: false'), 'warning')).toEqual([
      `${source}:10:17: warning: routes[0].upstream.tls.verify: is false: the upstream certificate is not checked; anyone between tlsgate and the backend can read and alter webhooks. Prefer ca: or pin:`,
    ]);
  });

  it('verify: false with a pin warns that only the pin is checked', () => {
    expect(issues(withTls('verify: false', `pin: "${PIN}"`), 'warning')[0]).toContain('the CA and host-name checks are off; the pin is still enforced');
  });

  it('tls: on an http:// upstream is ignored, with a warning', () => {
    const yaml = withTls('minVersion: TLSv1').replace('https://legacy.internal:8443', 'http://legacy.internal:8080');
    expect(issues(yaml, 'warning')).toEqual([`${source}:10:9: warning: routes[0].upstream.tls: is ignored: the upstream URL is http://, not https://`]);
  });
});

describe('the README', () => {
  it('"Legacy backends" YAML is a valid config, with the defaults it claims', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Legacy backends'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    fs.mkdirSync(path.join(dir, 'certs'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'certs/legacy-ca.pem'), legacy.cert);
    const { config, warnings } = parseConfig(`listeners: [{ port: 8443, cert: s.crt, key: s.key }]\n${yaml}`, source);
    expect(warnings).toEqual([]);
    expect(config.routes.map((r) => r.upstream.url)).toEqual(['http://127.0.0.1:8080', 'https://10.0.0.5:443/webhooks/fs']);
    expect(config.routes[1]!.upstream).toMatchObject({ timeoutMs: 30_000, bufferBody: false, tls: { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', verify: true } });
  });
});
