/**
 * The contenders: one plain-HTTP backend (nginx `return 200`) shared by all, and tlsgate, nginx
 * and HAProxy configured for exactly the same TLS 1.2 suites, certificate, DH group and upstream.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, stopProcess, waitReady, waitTcp } from './procs.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The server cipher order tlsgate derives from its suite table (src/tls/suites.ts), copied to the others. */
export const CIPHERS = 'DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA256:AES256-SHA256:AES128-SHA256';

/** Writes the throwaway RSA-2048 certificate and the RFC 7919 ffdhe2048 group every server uses. */
export function makeMaterial(dir) {
  const cert = path.join(dir, 'server.crt');
  const key = path.join(dir, 'server.key');
  const dh = path.join(dir, 'ffdhe2048.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '7', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  // tlsgate uses dhparam 'auto' (OpenSSL picks ffdhe2048 for an RSA-2048 key); give the others the same group.
  execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048', '-out', dh], { stdio: 'ignore' });
  const combined = path.join(dir, 'combined.pem');
  fs.writeFileSync(combined, fs.readFileSync(cert, 'utf8') + fs.readFileSync(key, 'utf8'));
  return { cert, key, dh, combined };
}

function nginxCommon(dir, name) {
  const tmp = path.join(dir, `${name}-tmp`);
  fs.mkdirSync(tmp, { recursive: true });
  return `pid ${dir}/${name}.pid;
error_log ${dir}/${name}-error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 8192; }
`;
}

function nginxTemps(dir, name) {
  const t = path.join(dir, `${name}-tmp`);
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${t}/${k};`).join('\n');
}

/** The shared backend: nginx answering 200 "ok" to everything, one worker, no access log. */
export function backendTarget(dir, port) {
  const conf = path.join(dir, 'backend.conf');
  fs.writeFileSync(
    conf,
    `worker_processes 1;
${nginxCommon(dir, 'backend')}
http {
  access_log off;
${nginxTemps(dir, 'backend')}
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "ok\\n"; }
  }
}
`,
  );
  return {
    name: 'backend',
    port,
    async start() {
      const child = startProcess('nginx', ['-c', conf, '-g', 'daemon off;'], { logFile: path.join(dir, 'backend.out') });
      await waitTcp(port);
      return child;
    },
  };
}

/** nginx as a TLS terminating proxy, `workers` worker processes, access log with cipher and reuse flag. */
export function nginxTarget(dir, port, backendPort, mat, workers) {
  const conf = path.join(dir, 'nginx.conf');
  const accessLog = path.join(dir, 'nginx-access.log');
  fs.writeFileSync(
    conf,
    `worker_processes ${workers};
${nginxCommon(dir, 'nginx')}
http {
  log_format bench '$ssl_cipher $ssl_session_reused $status';
  access_log ${accessLog} bench;
${nginxTemps(dir, 'nginx')}
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 256; }
  keepalive_timeout 65s;
  # nginx closes a keep-alive connection after 1,000 requests by default; tlsgate and HAProxy do not.
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${mat.cert};
    ssl_certificate_key ${mat.key};
    ssl_protocols TLSv1.2;
    ssl_ciphers ${CIPHERS};
    ssl_prefer_server_ciphers on;
    ssl_dhparam ${mat.dh};
    # No resumption, so that every new connection is a full handshake (cases 1 and 2).
    ssl_session_cache off;
    ssl_session_tickets off;
    client_max_body_size 1m;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      proxy_read_timeout 30s;
    }
  }
}
`,
  );
  return {
    name: 'nginx',
    port,
    accessLog,
    async start() {
      const t0 = performance.now();
      const child = startProcess('nginx', ['-c', conf, '-g', 'daemon off;'], { logFile: path.join(dir, 'nginx.out') });
      return { child, startupMs: await waitReady(port, t0, child) };
    },
  };
}

/** HAProxy in HTTP mode, `workers` threads, same suites/group/certificate; it logs nothing (no syslog configured). */
export function haproxyTarget(dir, port, backendPort, mat, workers) {
  const conf = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    conf,
    `global
  nbthread ${workers}
  maxconn 8000
  ssl-dh-param-file ${mat.dh}
  # No session-ID cache (and no tickets below), so every new connection is a full handshake.
  tune.ssl.cachesize 0
defaults
  mode http
  timeout connect 5s
  timeout client 65s
  timeout server 30s
  timeout http-keep-alive 65s
frontend fe
  bind 127.0.0.1:${port} ssl crt ${mat.combined} ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers ${CIPHERS} no-tls-tickets
  option forwardfor
  default_backend be
backend be
  server s1 127.0.0.1:${backendPort}
`,
  );
  return {
    name: 'haproxy',
    port,
    async start() {
      const t0 = performance.now();
      const child = startProcess('haproxy', ['-f', conf, '-db'], { logFile: path.join(dir, 'haproxy.out') });
      return { child, startupMs: await waitReady(port, t0, child) };
    },
  };
}

/** Whether this build's `config validate` accepts the YAML (optional keys come and go with the code). */
function accepts(dir, yaml, main) {
  const file = path.join(dir, 'probe.yaml');
  fs.writeFileSync(file, yaml);
  try {
    execFileSync(process.execPath, [main, 'config', 'validate', '--config', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Connection caps high enough for the 1,000-connection case, all from one address. */
const LIMITS = `    limits:
      maxConnections: 5000
      maxConnectionsPerSource: 5000
`;

/** The tlsgate entry point the bench runs unless told otherwise. */
export const DEFAULT_MAIN = path.join(ROOT, 'dist/main.js');

/** tlsgate from `main` (dist/main.js after `npm run build`), default log level (info: one JSON line per request). */
export function tlsgateTarget(dir, port, backendPort, mat, workers, main = DEFAULT_MAIN) {
  const conf = path.join(dir, 'tlsgate.yaml');
  const logFile = path.join(dir, 'tlsgate.log');
  const yaml = (limits, workerCount) => `listeners:
  - port: ${port}
    host: 127.0.0.1
    allowAnyPort: true
    cert: ${mat.cert}
    key: ${mat.key}
${limits ? LIMITS : ''}routes:
  - path: /
    upstream: http://127.0.0.1:${backendPort}
log:
  level: info
${workerCount > 1 ? `workers: ${workerCount}\n` : ''}`;
  // Every connection comes from 127.0.0.1 here: lift the per-source and total connection caps
  // (nginx and HAProxy have none configured) when this build has them.
  const limits = accepts(dir, yaml(true, 1), main);
  const clustered = workers > 1 && accepts(dir, yaml(limits, workers), main);
  fs.writeFileSync(conf, yaml(limits, clustered ? workers : 1));
  return {
    name: 'tlsgate',
    port,
    accessLog: logFile,
    workers: clustered ? workers : 1,
    limitsLifted: limits,
    async start() {
      const t0 = performance.now();
      const child = startProcess(process.execPath, [main, 'serve', '--config', conf, '--grace', '1'], { logFile });
      return { child, startupMs: await waitReady(port, t0, child) };
    },
  };
}

/** Starts a target, runs `fn(child)`, stops it whatever happens. */
export async function withTarget(target, fn) {
  const { child, startupMs } = await target.start();
  try {
    return await fn(child, startupMs);
  } finally {
    await stopProcess(child);
  }
}

/** Node's bare https server (bench/node-reference.mjs): same TLS options and worker count, no proxying. */
export function nodeReferenceTarget(dir, port, mat, workers) {
  const script = path.join(ROOT, 'bench/node-reference.mjs');
  return {
    name: 'node',
    port,
    reference: true,
    async start() {
      const t0 = performance.now();
      const child = startProcess(process.execPath, [script, port, workers, mat.cert, mat.key], { logFile: path.join(dir, 'node-reference.out') });
      return { child, startupMs: await waitReady(port, t0, child) };
    },
  };
}
