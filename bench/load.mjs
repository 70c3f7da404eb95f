/** Load generators: wrk for throughput, a fixed-rate probe for latency, a holder for idle connections. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * wrk cannot choose a cipher suite; OpenSSL's system-default section can. Each handshake case
 * points OPENSSL_CONF at a file that limits the client to one suite, as the sender's choice would.
 * wrk also reuses TLS sessions when it reconnects; refusing tickets here (and session caches on the
 * servers) makes every connection a full handshake, which is what cases 1 and 2 measure.
 */
export function clientSuiteConf(dir, suite) {
  const file = path.join(dir, `client-${suite}.cnf`);
  fs.writeFileSync(
    file,
    `openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
CipherString = ${suite}
MinProtocol = TLSv1.2
MaxProtocol = TLSv1.2
Options = -SessionTicket
`,
  );
  return file;
}

/** A wrk Lua script that POSTs a fixed 2 KiB JSON body (a webhook-sized event). */
export function postScript(dir) {
  const file = path.join(dir, 'post-2k.lua');
  const event = { id: 'evt_0', type: 'order.completed', live: false, data: { items: [] } };
  let body = JSON.stringify(event);
  event.data.pad = 'x'.repeat(2048 - body.length - 10);
  body = JSON.stringify(event);
  fs.writeFileSync(file, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
  return { file, bytes: Buffer.byteLength(body) };
}

/**
 * Runs wrk (inside bash so `times` reports wrk's own CPU seconds) and parses its summary.
 * Returns requests/s, error counts and the generator's CPU seconds.
 */
export function runWrk({ port, seconds, connections, threads = 1, headers = [], script, opensslConf }) {
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency'];
  for (const h of headers) args.push('-H', h);
  if (script) args.push('-s', script);
  args.push(`https://127.0.0.1:${port}/`);
  const cmd = `ulimit -n 20000; wrk ${args.map((a) => `'${a}'`).join(' ')}; times`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', cmd], { env: { ...process.env, ...(opensslConf ? { OPENSSL_CONF: opensslConf } : {}) } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      if (!Number.isFinite(rps)) return reject(new Error(`wrk failed (exit ${code}):\n${out}`));
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
      // `times` prints the shell's then its children's user/system times: the second line is wrk.
      const t = [...out.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].at(-1);
      const cpu = t ? Number(t[1]) * 60 + Number(t[2]) + Number(t[3]) * 60 + Number(t[4]) : NaN;
      resolve({ rps, total, non2xx, socketErrors: sock ? sock.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0, wrkCpu: cpu });
    });
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Fixed low rate latency, interleaved: at each tick (`rate` per second) one GET goes to every
 * target in turn over its own keep-alive connection, so the direct path and each proxy see the
 * same moments of machine noise. Returns p50/p99 in ms per target name.
 */
export async function interleavedLatency(targets, { rate, count, warmup = 50 }) {
  const clients = targets.map((t) => {
    const mod = t.tls ? https : http;
    const agent = new mod.Agent({ keepAlive: true, maxSockets: 1, ...(t.tls ? { rejectUnauthorized: false, ciphers: 'AES128-SHA256' } : {}) });
    const once = () =>
      new Promise((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        const req = mod.get({ host: '127.0.0.1', port: t.port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${t.name}: status ${res.statusCode}`))));
        });
        req.on('error', reject);
      });
    return { name: t.name, agent, once, lat: [] };
  });
  for (let i = 0; i < warmup; i++) for (const c of clients) await c.once();
  const interval = 1000 / rate;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Rotate who goes first so no target always follows another's request.
    for (let j = 0; j < clients.length; j++) {
      const c = clients[(i + j) % clients.length];
      c.lat.push(await c.once());
    }
  }
  const out = {};
  for (const c of clients) {
    c.agent.destroy();
    c.lat.sort((a, b) => a - b);
    out[c.name] = { p50: percentile(c.lat, 50), p99: percentile(c.lat, 99) };
  }
  return out;
}

/**
 * Opens `count` TLS connections in a child process, one request each, and keeps them open.
 * Resolves with a handle once all are established; `close()` releases them.
 */
export function holdConnections(port, count) {
  const child = spawn('bash', ['-c', `ulimit -n 20000; exec '${process.execPath}' '${path.join(HERE, 'hold-conns.mjs')}' ${port} ${count}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /held (\d+) failed (\d+)/.exec(out);
      if (m) resolve({ held: Number(m[1]), failed: Number(m[2]), close: () => new Promise((r) => (child.once('exit', r), child.stdin.end())) });
    });
    child.on('exit', (code) => reject(new Error(`hold-conns exited (${code}): ${out}`)));
  });
}

/**
 * `openssl s_client -reconnect` with the case's client config: of the 5 reconnections, how many
 * resumed the session. Must be 0 for a full-handshake case to mean what it says.
 */
export function resumedReconnects(port, opensslConf) {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-reconnect'], { env: { ...process.env, OPENSSL_CONF: opensslConf } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', () => undefined);
    child.stdin.end('');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', () => {
      clearTimeout(t);
      const lines = [...out.matchAll(/^(New|Reused), /gm)].map((m) => m[1]);
      resolve({ connections: lines.length, reused: lines.filter((l) => l === 'Reused').length });
    });
  });
}
