// Bad configs are refused with every problem listed, each located by file:line:column.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError, formatIssue } from '../../src/errors.js';
import { tmpDir } from '../helpers/certs.js';

const dir = tmpDir();
const source = path.join(dir, 'tlsgate.yaml');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, source);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.filter((i) => i.severity === 'error').map(formatIssue);
    throw e;
  }
  return [];
}

const ok = `listeners:
  - port: 8443
    cert: certs/server.crt
    key: certs/server.key
routes:
  - path: /
    upstream: http://127.0.0.1:8080
`;

describe('config loading', () => {
  it('accepts the documented contract and resolves paths against the config folder', () => {
    const { config, warnings } = parseConfig(ok, source);
    expect(warnings).toEqual([]);
    expect(config.listeners[0]).toMatchObject({ port: 8443, host: '0.0.0.0', cert: path.join(dir, 'certs/server.crt'), key: path.join(dir, 'certs/server.key'), profile: 'fastspring', allowAnyPort: false });
    expect(config.routes[0]!.upstream).toMatchObject({ url: 'http://127.0.0.1:8080', timeoutMs: 30_000 });
    expect(config.log.level).toBe('info');
    expect(Object.isFrozen(config.listeners[0])).toBe(true);
  });

  it('the embedded default config is valid', () => {
    const file = path.resolve('config/tlsgate.yaml');
    const { config } = parseConfig(fs.readFileSync(file, 'utf8'), file);
    expect(config.listeners[0]).toMatchObject({ port: 8443, generateCert: true });
    expect(config.routes[0]!.upstream.url).toBe('http://127.0.0.1:8080');
  });

  it('refuses a port the sender does not post to, at its line and column, naming the allowed ports', () => {
    expect(problems(ok.replace('8443', '443'))).toEqual([
      `${source}:2:11: error: listeners[0].port: port 443 is not one the fastspring sender posts to; use one of 8443, 3443, 8282, 9191, 9000, 9999 (or set allowAnyPort: true for a port behind a NAT or load balancer)`,
    ]);
  });

  it('allows any port with allowAnyPort: true, as a warning', () => {
    const { warnings } = parseConfig(ok.replace('port: 8443', 'port: 443\n    allowAnyPort: true'), source);
    expect(warnings.map(formatIssue)).toEqual([`${source}:2:11: warning: listeners[0].port: port 443 is not one the fastspring sender posts to (8443, 3443, 8282, 9191, 9000, 9999); allowed because allowAnyPort is true`]);
  });

  it('lists every problem at once: unknown keys (with a suggestion), bad upstream, duplicate ports', () => {
    const yaml = `listeners:
  - port: 8443
    cert: a.crt
    key: a.key
    certt: oops
  - port: 8443
    cert: b.crt
    key: b.key
routes:
  - path: /
    upstream: ftp://10.0.0.1/
  - path: relative
    upstream: not a url
colour: blue
`;
    const p = problems(yaml);
    expect(p).toContain(`${source}:5:5: error: listeners[0].certt: unknown key "certt" (did you mean "cert"?)`);
    expect(p).toContain(`${source}:6:11: error: listeners[1].port: duplicate listener 0.0.0.0:8443 (also at listeners[0])`);
    expect(p).toContain(`${source}:11:15: error: routes[0].upstream: must be an http:// or https:// URL, got ftp://`);
    expect(p).toContain(`${source}:12:11: error: routes[1].path: must start with "/", got "relative"`);
    expect(p).toContain(`${source}:13:15: error: routes[1].upstream: is not a URL: "not a url"; expected http://host:port or https://host:port`);
    expect(p.some((x) => x.startsWith(`${source}:14:1: error: colour: unknown key "colour"`))).toBe(true);
    expect(p).toHaveLength(6);
  });

  it('reports missing sections and wrong types', () => {
    expect(problems('log:\n  level: loud\n')).toEqual([
      `${source}:1:1: error: listeners: is required and must list at least one entry`,
      `${source}:1:1: error: routes: is required and must list at least one entry`,
      `${source}:2:10: error: log.level: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"`,
    ]);
    expect(problems('listeners: 8443\nroutes: []\n')).toEqual([`${source}:1:12: error: listeners: must be a list, got number 8443`, `${source}:2:9: error: routes: must list at least one entry`]);
  });

  it('reports YAML syntax errors with their position', () => {
    const p = problems('listeners:\n  - port: 8443\n   bad: [\n');
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(new RegExp(`^${source.replace(/[.]/g, '\\.')}:\\d+:\\d+: error: `));
  });

  it('parses durations and refuses bad ones', () => {
    const yaml = ok.replace('upstream: http://127.0.0.1:8080', 'upstream:\n      url: http://127.0.0.1:8080\n      timeout: 2m').replace('key: certs/server.key', 'key: certs/server.key\n    handshakeTimeout: 5s');
    const { config } = parseConfig(yaml, source);
    expect(config.routes[0]!.upstream.timeoutMs).toBe(120_000);
    expect(config.listeners[0]!.handshakeTimeoutMs).toBe(5000);
    expect(problems(yaml.replace('2m', 'soon'))[0]).toMatch(/routes\[0\]\.upstream\.timeout: must be a positive duration such as 500ms, 30s or 2m/);
  });
});
