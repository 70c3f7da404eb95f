// The CLI as a user runs it: first start on the embedded default, validation, refusals, help.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { MAIN, ROOT, spawnServe, tlsgate } from '../helpers/cli.js';
import { makeChain, makeEcdsaCert, tmpDir, writeFiles } from '../helpers/certs.js';
import { parseJsonLines } from '../helpers/log-sink.js';
import { startHttpBackend } from '../helpers/backend.js';
import { curl } from '../helpers/peers.js';

const dir = tmpDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The embedded default config, moved to port 0 so tests never collide on 8443. */
function embeddedDefaultOnPort0(into: string, upstream: string): string {
  fs.mkdirSync(path.join(into, 'config'), { recursive: true });
  const text = fs
    .readFileSync(path.join(ROOT, 'config/tlsgate.yaml'), 'utf8')
    .replace('port: 8443 ', 'port: 0\n    allowAnyPort: true ')
    .replace('host: 0.0.0.0', 'host: 127.0.0.1')
    .replace('http://127.0.0.1:8080', upstream);
  const file = path.join(into, 'config/tlsgate.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('tlsgate serve', () => {
  it('comes up on the embedded default: generates a self-signed cert once, never overwrites it, forwards', async () => {
    const backend = await startHttpBackend();
    const home = path.join(dir, 'fresh');
    const file = embeddedDefaultOnPort0(home, backend.url);
    const crt = path.join(home, 'certs/server.crt');
    const key = path.join(home, 'certs/server.key');
    const first = spawnServe(['--config', file]);
    const started = await first.waitFor((l) => l.event === 'started');
    const port = (started.listeners as { port: number }[])[0]!.port;
    expect(first.lines.find((l) => l.event === 'cert_generated')).toMatchObject({ level: 'warn', cert: crt, key });
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    const r = await curl(['-k', '--tlsv1.2', '--tls-max', '1.2', '-d', '{"events":[]}', `https://127.0.0.1:${port}/first`]);
    expect(r.status).toBe(200);
    expect(backend.received.at(-1)!.url).toBe('/first');
    expect(await first.stop()).toBe(0);
    expect(first.lines.at(-1)).toMatchObject({ event: 'stopped' });

    const before = fs.readFileSync(crt, 'utf8');
    const second = spawnServe(['--config', file]);
    await second.waitFor((l) => l.event === 'started');
    expect(second.lines.some((l) => l.event === 'cert_generated')).toBe(false);
    expect(fs.readFileSync(crt, 'utf8')).toBe(before);
    expect(await second.stop('SIGINT')).toBe(0);
    await backend.close();
  });

  it('refuses to start with an ECDSA certificate: exit 1, a JSON fatal line and a readable message', async () => {
    const d = path.join(dir, 'ecdsa');
    fs.mkdirSync(d);
    const ec = makeEcdsaCert(d);
    const file = path.join(d, 'tlsgate.yaml');
    fs.writeFileSync(file, `listeners:\n  - port: 0\n    allowAnyPort: true\n    host: 127.0.0.1\n    cert: ${ec.cert}\n    key: ${ec.key}\nroutes:\n  - upstream: http://127.0.0.1:1\n`);
    const p = spawnServe(['--config', file]);
    expect(await p.exited).toBe(1);
    const fatal = p.lines.find((l) => l.event === 'startup_failed')!;
    expect(fatal).toMatchObject({ level: 'fatal', code: 'TLSGATE_CERT_KEY_TYPE' });
    expect(p.stderr()).toMatch(/TLSGATE_CERT_KEY_TYPE: .*ec\.crt has an EC key: the sender offers only RSA and DHE-RSA suites/);
  });

  it('refuses to start on a bad config, listing every problem with file:line:col', async () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'listeners:\n  - port: 443\n    cert: x.crt\n    key: x.key\nroutes:\n  - upstream: gopher://x\n');
    const p = spawnServe(['--config', file]);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toContain(`${file}:2:11: error: listeners[0].port: port 443 is not one the fastspring sender posts to`);
    expect(p.stderr()).toContain(`${file}:6:15: error: routes[0].upstream: must be an http:// or https:// URL, got gopher://`);
    const fatal = p.lines.find((l) => l.event === 'startup_failed')!;
    expect(fatal.code).toBe('TLSGATE_CONFIG_INVALID');
    expect((fatal.issues as unknown[]).length).toBe(2);
  });

  it('refuses a missing certificate without generateCert, with the fix', async () => {
    const file = path.join(dir, 'nocert.yaml');
    fs.writeFileSync(file, 'listeners:\n  - port: 8443\n    cert: none.crt\n    key: none.key\nroutes:\n  - upstream: http://127.0.0.1:1\n');
    const r = await tlsgate(['serve', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TLSGATE_CERT_UNREADABLE: cannot read certificate file .*none\.crt: ENOENT\n  fix: .*generateCert: true/);
    expect(parseJsonLines(r.stdout).at(-1)).toMatchObject({ event: 'startup_failed', code: 'TLSGATE_CERT_UNREADABLE' });
  });
});

describe('tlsgate config validate', () => {
  it('exits 0 on a good config, printing warnings', async () => {
    const chain = makeChain();
    const f = writeFiles(dir, { 'v.crt': chain.leaf.cert, 'v.key': chain.leaf.key });
    const file = path.join(dir, 'good.yaml');
    fs.writeFileSync(file, `listeners:\n  - port: 9191\n    cert: ${f['v.crt']}\n    key: ${f['v.key']}\nroutes:\n  - upstream: http://127.0.0.1:8080\n`);
    const r = await tlsgate(['config', 'validate', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: listeners\[0\]: .*only the leaf certificate/);
    expect(r.stdout).toMatch(/good\.yaml: OK \(1 listener\(s\), 1 warning\(s\)\)/);
  });

  it('exits 1 listing config and certificate problems, binding no port', async () => {
    const file = path.join(dir, 'bad2.yaml');
    fs.writeFileSync(file, 'listeners:\n  - port: 8443\n    cert: missing.crt\n    key: missing.key\n    colour: red\nroutes:\n  - upstream: http://127.0.0.1:8080\n');
    const r = await tlsgate(['config', 'validate', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:5:5: error: listeners[0].colour: unknown key "colour"`);
  });

  it('checks the signing secret named in the environment, as serve would', async () => {
    const chain = makeChain();
    const f = writeFiles(dir, { 's.crt': chain.fullchain, 's.key': chain.leaf.key });
    const file = path.join(dir, 'signed.yaml');
    fs.writeFileSync(file, `listeners:\n  - port: 8443\n    cert: ${f['s.crt']}\n    key: ${f['s.key']}\nroutes:\n  - name: fs\n    upstream: http://127.0.0.1:8080\n    verify: { fastspringSignature: { secretEnv: TLSGATE_TEST_FS_SECRET } }\n`);
    const missing = await tlsgate(['config', 'validate', '--config', file], { env: { TLSGATE_TEST_FS_SECRET: '' } });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/error: routes: TLSGATE_SECRET_MISSING: .*route "fs" .*names TLSGATE_TEST_FS_SECRET, which is empty/);
    const set = await tlsgate(['config', 'validate', '--config', file], { env: { TLSGATE_TEST_FS_SECRET: 'a-webhook-secret' } });
    expect(set.code).toBe(0);
  });

  it('on the embedded default before first start: OK, saying serve will generate the certificate, writing nothing', async () => {
    const home = path.join(dir, 'validate-fresh');
    const file = embeddedDefaultOnPort0(home, 'http://127.0.0.1:8080');
    const r = await tlsgate(['config', 'validate', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: listeners\[0\]: certificate files are missing; serve will generate a self-signed one/);
    expect(fs.existsSync(path.join(home, 'certs'))).toBe(false);
  });

  it('reports a config file that does not exist', async () => {
    const r = await tlsgate(['config', 'validate', '--config', path.join(dir, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/TLSGATE_CONFIG_NOT_FOUND: cannot read config .*nope\.yaml: ENOENT/);
  });
});

describe('help and version', () => {
  it('--version prints the package version', async () => {
    const r = await tlsgate(['--version']);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  it.each([['--help'], ['serve', '--help'], ['config', 'validate', '--help'], ['demo-backend', '--help']])('%s prints usage and exits 0', async (...args) => {
    const r = await tlsgate(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: tlsgate/);
  });

  it('serve is the default command: `tlsgate --config FILE` starts the gateway', async () => {
    const backend = await startHttpBackend();
    const file = embeddedDefaultOnPort0(path.join(dir, 'default-command'), backend.url);
    const child = spawn(process.execPath, [MAIN, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        const line = parseJsonLines(buf.slice(0, buf.lastIndexOf('\n') + 1)).find((l) => l.event === 'started');
        if (line) resolve(line);
      });
      child.on('exit', (code) => reject(new Error(`exited ${String(code)}: ${buf}`)));
    });
    expect((started.listeners as unknown[]).length).toBe(1);
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
    await backend.close();
  });

  it.each([
    [['demo-backend', '--status', 'abc'], /--status must be a whole number from 100 to 599, got "abc"/],
    [['demo-backend', '--port', '99999'], /--port must be a whole number from 0 to 65535, got "99999"/],
    [['check', 'https://127.0.0.1:8443', '--concurrency', '0.5'], /--concurrency must be a whole number from 1 to 32, got "0.5"/],
    [['serve', '--grace', 'soon'], /--grace must be a number of seconds from 0 to 3600, got "soon"/],
  ])('a bad number for %j is a usage error (exit 2) naming the flag', async (args, message) => {
    const r = await tlsgate(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('an unknown flag is a usage error (exit 2) naming the flag', async () => {
    const r = await tlsgate(['serve', '--confg', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TLSGATE_USAGE: Unknown option '--confg'/);
  });
});
