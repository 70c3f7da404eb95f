/** Shared pieces of the ops-* tests: a config in a temp folder, a posting client, the served certificate. */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { stringify } from 'yaml';
import { DEFAULT_LISTENER } from '../helpers/gateway.js';

/** Writes `tlsgate.yaml` into `dir` (one listener on port 0 with server.crt/server.key unless overridden). */
export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const full = {
    listeners: [DEFAULT_LISTENER],
    log: { level: 'info' },
    ...config,
  };
  const file = path.join(dir, 'tlsgate.yaml');
  fs.writeFileSync(file, stringify(full));
  return file;
}

/** Replaces a file the way certbot and editors do: write a sibling, then rename over. */
export function replaceAtomically(file: string, text: string): void {
  const tmp = `${file}.new`;
  fs.writeFileSync(tmp, text, { mode: file.endsWith('.key') ? 0o600 : 0o644 });
  fs.renameSync(tmp, file);
}

/** One POST on a new connection (so each post is a fresh TLS handshake), trusting only `ca`. */
export function post(port: number, ca: string, body: string, urlPath = '/webhook'): Promise<{ status: number; body: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: 'localhost', method: 'POST', path: urlPath, ca, agent: false, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        const fingerprint = (res.socket as tls.TLSSocket).getPeerCertificate().fingerprint256;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), fingerprint }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The SHA-256 fingerprint (Node's colon format) of the certificate a listener serves now. */
export function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on('error', reject);
  });
}

/** The fingerprint of a PEM certificate (its first block), in the same format. */
export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** Posts in `loops` parallel loops until `stop()` resolves; counts every outcome. */
export function postContinuously(port: number, ca: string, loops = 2) {
  const results: { ok: boolean; status?: number; error?: string; fingerprint?: string }[] = [];
  let running = true;
  let n = 0;
  const loop = async () => {
    while (running) {
      try {
        const r = await post(port, ca, JSON.stringify({ events: [{ id: `evt-${n++}` }] }));
        results.push({ ok: r.status === 200, status: r.status, fingerprint: r.fingerprint });
      } catch (e) {
        results.push({ ok: false, error: (e as Error).message });
      }
    }
  };
  const all = Array.from({ length: loops }, loop);
  return {
    results,
    async stop() {
      running = false;
      await Promise.all(all);
      return results;
    },
  };
}
