#!/usr/bin/env node
/**
 * `npm run bench`: tlsgate against nginx and HAProxy, side by side on this machine, in one run.
 * Same backend, certificate, TLS 1.2 suites and DH group for all; cases alternate between the
 * proxies within each round; medians over rounds. Writes bench/RESULTS.md and bench/ratios.png.
 *
 *   node bench/run.mjs [--quick] [--rounds N] [--seconds S] [--tlsgate dist/main.js]
 */
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clientSuiteConf, holdConnections, interleavedLatency, postScript, resumedReconnects, runWrk } from './load.mjs';
import { freePort, stopProcess, treeCpu, treeRss } from './procs.mjs';
import { markdownTable, median, METRICS, ratiosSvg, summarize, writePng } from './report.mjs';
import { backendTarget, CIPHERS, DEFAULT_MAIN, haproxyTarget, makeMaterial, nginxTarget, nodeReferenceTarget, tlsgateTarget } from './servers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, rounds: { type: 'string' }, seconds: { type: 'string' }, tlsgate: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (flags.help) {
  console.log('Usage: node bench/run.mjs [--quick] [--rounds N] [--seconds S] [--tlsgate PATH]\n  --quick          2 rounds of 3 s per case (about 2 minutes) instead of 3 rounds of 8 s (about 6 minutes)\n  --tlsgate PATH   the tlsgate entry point to run (default dist/main.js: run `npm run build` first)');
  process.exit(0);
}
const ROUNDS = Number(flags.rounds ?? (flags.quick ? 2 : 3));
const SECONDS = Number(flags.seconds ?? (flags.quick ? 3 : 8));
if (!(ROUNDS >= 1 && SECONDS >= 1)) {
  console.error('--rounds and --seconds must be positive numbers');
  process.exit(2);
}
const CORES = os.availableParallelism();
const HELD = 1000;
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

/** Installs nginx, HAProxy and wrk from Debian when missing (the bench's only system needs). */
function ensureTools() {
  const missing = ['nginx', 'haproxy', 'wrk'].filter((c) => {
    try {
      execSync(`command -v ${c}`, { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}: install them (apt-get install nginx-light haproxy wrk) or run the bench as root`);
  const pkgs = missing.map((c) => (c === 'nginx' ? 'nginx-light' : c));
  log(`installing ${pkgs.join(' ')} with apt-get`);
  execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs.join(' ')}`, { stdio: 'inherit' });
}

function version(cmd) {
  try {
    return execSync(`${cmd} 2>&1`, { encoding: 'utf8' }).split('\n')[0].trim();
  } catch (e) {
    return String(e.stdout ?? e.message).split('\n')[0].trim();
  }
}

/** `openssl speed rsa2048`: RSA-2048 private-key operations per second on one core. */
function rsaSignsPerSecond() {
  const out = execFileSync('openssl', ['speed', '-seconds', '3', 'rsa2048'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /rsa\s+2048 bits\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)/.exec(out);
  if (!m) throw new Error(`cannot parse openssl speed output:\n${out}`);
  return Number(m[1]);
}

/** `openssl speed ffdh2048`: 2048-bit finite-field DH derivations per second on one core. */
function ffdhOpsPerSecond() {
  const out = execFileSync('openssl', ['speed', '-seconds', '2', 'ffdh2048'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(/2048 bits ffdh\s+[\d.]+s\s+([\d.]+)/.exec(out)?.[1]);
}

/** Counts the ciphers (and session reuse, where logged) of the lines a run appended to a log. */
function tallyLog(file, from, kind) {
  const text = fs.readFileSync(file, 'utf8').slice(from);
  const t = { lines: 0, ciphers: {}, reused: 0 };
  for (const line of text.split('\n')) {
    if (!line) continue;
    let cipher;
    if (kind === 'nginx') {
      const [c, r] = line.split(' ');
      cipher = c;
      if (r === 'r') t.reused++;
    } else {
      try {
        const o = JSON.parse(line);
        if (o.event !== 'request') continue;
        cipher = o.cipher;
      } catch {
        continue;
      }
    }
    t.lines++;
    t.ciphers[cipher ?? '(no cipher field)'] = (t.ciphers[cipher ?? '(no cipher field)'] ?? 0) + 1;
  }
  return t;
}

function size(file) {
  return file && fs.existsSync(file) ? fs.statSync(file).size : 0;
}

async function main() {
  const entry = path.resolve(flags.tlsgate ?? DEFAULT_MAIN);
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm run bench does), or pass --tlsgate PATH`);
  ensureTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlsgate-bench-'));
  fs.chmodSync(dir, 0o755); // nginx workers run as nobody and write temp files here
  const mat = makeMaterial(dir);
  const ports = { backend: await freePort(), tlsgate: await freePort(), nginx: await freePort(), haproxy: await freePort(), node: await freePort() };
  const backend = backendTarget(dir, ports.backend);
  const targets = [
    tlsgateTarget(dir, ports.tlsgate, ports.backend, mat, CORES, entry),
    nginxTarget(dir, ports.nginx, ports.backend, mat, CORES),
    haproxyTarget(dir, ports.haproxy, ports.backend, mat, CORES),
    nodeReferenceTarget(dir, ports.node, mat, CORES),
  ];
  const post = postScript(dir);
  const cases = [
    { key: 'hsRsa', conf: clientSuiteConf(dir, 'AES128-SHA256'), headers: ['Connection: close'], connections: 32 },
    { key: 'hsDhe', conf: clientSuiteConf(dir, 'DHE-RSA-AES128-SHA256'), headers: ['Connection: close'], connections: 32 },
    // Keep-alive: the 64 connections are set up once with the cheap RSA suite, so the figure is requests, not handshakes.
    { key: 'kaRps', script: post.file, connections: 64, conf: clientSuiteConf(dir, 'AES128-SHA256'), keepAlive: true },
  ];
  const env = {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: CORES,
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    openssl: version('openssl version'),
    nginx: version('nginx -v'),
    haproxy: version('haproxy -v'),
    wrk: version('wrk -v'),
    loadBefore: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    tlsgateWorkers: targets[0].workers,
    tlsgateLimitsLifted: targets[0].limitsLifted,
    rounds: ROUNDS,
    commit: version(`git -C '${HERE}' rev-parse --short HEAD`),
    entry,
    seconds: SECONDS,
  };
  log(`bench in ${dir}: ${ROUNDS} round(s) × ${SECONDS} s per case, ${CORES} cores, tlsgate workers ${env.tlsgateWorkers}`);

  log('openssl speed rsa2048 …');
  const rsaSigns = rsaSignsPerSecond();
  const ffdhOps = ffdhOpsPerSecond();
  log(`RSA-2048 signs/s on one core: ${rsaSigns}; ceiling × ${CORES} cores = ${Math.round(rsaSigns * CORES)}`);

  const samples = { tlsgate: {}, nginx: {}, haproxy: {}, node: {} };
  const cpu = { tlsgate: {}, nginx: {}, haproxy: {}, node: {} };
  const wrkCpu = {};
  const errors = { tlsgate: 0, nginx: 0, haproxy: 0, node: 0 };
  const resumption = {};
  const tallies = { tlsgate: {}, nginx: {} };
  const direct = { p50: [], p99: [] };
  const add = (obj, k, v) => (obj[k] ??= []).push(v);

  const backendChild = await backend.start();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no proxy always runs first (caches, CPU frequency, neighbours).
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      log(`round ${round + 1}/${ROUNDS}: order ${order.map((t) => t.name).join(' → ')}`);
      const running = new Map();
      try {
        for (const t of order) {
          const { child, startupMs } = await t.start();
          running.set(t.name, child);
          add(samples[t.name], 'startupMs', startupMs);
        }
        await new Promise((r) => setTimeout(r, 1000));
        for (const [name, child] of running) if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) after start; see its log in ${dir}`);
        for (const t of order) add(samples[t.name], 'rssIdle', treeRss(running.get(t.name).pid).total / 2 ** 20);
        if (round === 0) {
          // Cases 1 and 2 must be full handshakes: check that no contender resumes a session.
          for (const t of order) for (const c of cases.filter((x) => !x.keepAlive)) resumption[`${t.name}.${c.key}`] = await resumedReconnects(t.port, c.conf);
          log(`  resumed sessions in 5 reconnects: ${Object.entries(resumption).map(([k, v]) => `${k} ${v.reused}/${v.connections - 1}`).join(', ')}`);
        }

        for (const c of cases) {
          for (const t of order) {
            const pid = running.get(t.name).pid;
            const logFrom = size(t.accessLog);
            const cpu0 = treeCpu(pid);
            const r = await runWrk({ port: t.port, seconds: SECONDS, connections: c.connections, headers: c.headers, script: c.script, opensslConf: c.conf });
            const used = (treeCpu(pid) - cpu0) / SECONDS;
            add(samples[t.name], c.key, r.rps);
            add(cpu[t.name], c.key, used);
            add(wrkCpu, `${t.name}.${c.key}`, r.wrkCpu / SECONDS);
            errors[t.name] += r.non2xx + r.socketErrors;
            if (c.key !== 'kaRps' && tallies[t.name]) {
              const tally = tallyLog(t.accessLog, logFrom, t.name === 'nginx' ? 'nginx' : 'json');
              const agg = (tallies[t.name][c.key] ??= { lines: 0, ciphers: {}, reused: 0 });
              agg.lines += tally.lines;
              agg.reused += tally.reused;
              for (const [k, v] of Object.entries(tally.ciphers)) agg.ciphers[k] = (agg.ciphers[k] ?? 0) + v;
            }
            log(`  ${c.key.padEnd(6)} ${t.name.padEnd(8)} ${Math.round(r.rps).toString().padStart(7)} req/s  proxy ${used.toFixed(2)} cores, wrk ${(r.wrkCpu / SECONDS).toFixed(2)} cores, errors ${r.non2xx + r.socketErrors}`);
          }
        }

        const latCount = flags.quick ? 200 : 500;
        const proxies = order.filter((x) => !x.reference);
        const lat = await interleavedLatency([{ name: 'direct', port: ports.backend, tls: false }, ...proxies.map((t) => ({ name: t.name, port: t.port, tls: true }))], { rate: 100, count: latCount });
        direct.p50.push(lat.direct.p50);
        direct.p99.push(lat.direct.p99);
        for (const t of proxies) {
          add(samples[t.name], 'addP50', lat[t.name].p50 - lat.direct.p50);
          add(samples[t.name], 'addP99', lat[t.name].p99 - lat.direct.p99);
          log(`  latency ${t.name.padEnd(8)} p50 ${lat[t.name].p50.toFixed(3)} ms p99 ${lat[t.name].p99.toFixed(3)} ms (direct p50 ${lat.direct.p50.toFixed(3)} p99 ${lat.direct.p99.toFixed(3)})`);
        }

        for (const t of order.filter((x) => !x.reference)) {
          const pid = running.get(t.name).pid;
          const h = await holdConnections(t.port, HELD);
          await new Promise((r) => setTimeout(r, 500));
          const rss = treeRss(pid);
          await h.close();
          add(samples[t.name], 'rssHeld', rss.total / 2 ** 20);
          add(samples[t.name], 'rssHeldMax', rss.max / 2 ** 20);
          if (h.failed) errors[t.name] += h.failed;
          log(`  held ${h.held}/${HELD} ${t.name.padEnd(8)} RSS ${(rss.total / 2 ** 20).toFixed(1)} MB in ${rss.processes} process(es), largest ${(rss.max / 2 ** 20).toFixed(1)} MB`);
        }
      } finally {
        for (const child of running.values()) await stopProcess(child);
      }
    }
  } finally {
    await stopProcess(backendChild);
  }
  env.loadAfter = os.loadavg().map((x) => x.toFixed(2)).join(' ');

  const med = summarize(samples);
  const medCpu = summarize(cpu);
  const medWrk = Object.fromEntries(Object.entries(wrkCpu).map(([k, v]) => [k, median(v)]));
  const machine = `${env.cpu}, ${env.cores} cores, ${env.memGiB} GiB, Linux ${env.kernel}`;
  const table = markdownTable(med);
  const ceiling = Math.round(rsaSigns * CORES);
  const svg = ratiosSvg(med, `${env.date.slice(0, 16).replace('T', ' ')} UTC · ${machine} · tlsgate workers: ${env.tlsgateWorkers}`);
  await writePng(svg, path.join(HERE, 'ratios.png'));
  fs.writeFileSync(path.join(HERE, 'RESULTS.md'), renderResults({ env, machine, table, med, medCpu, medWrk, errors, tallies, direct, rsaSigns, ceiling, post, resumption, ffdhOps }));
  fs.writeFileSync(path.join(dir, 'samples.json'), JSON.stringify({ env, samples, cpu, wrkCpu, errors, tallies, direct, rsaSigns, resumption }, null, 2));
  console.log('\n' + table + '\n');
  log(`wrote bench/RESULTS.md and bench/ratios.png (raw samples: ${path.join(dir, 'samples.json')})`);
}

function pct(x, of) {
  return `${((100 * x) / of).toFixed(0)} %`;
}

function renderResults({ env, machine, table, med, medCpu, medWrk, errors, tallies, direct, rsaSigns, ceiling, post, resumption, ffdhOps }) {
  const f1 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  const cpuRows = ['hsRsa', 'hsDhe', 'kaRps']
    .map((k) => `| ${METRICS.find((m) => m.key === k).label.replace(/^\d\. /, '')} | ${['tlsgate', 'nginx', 'haproxy', 'node'].map((n) => `${f1(medCpu[n][k])} / ${f1(medWrk[`${n}.${k}`])}`).join(' | ')} |`)
    .join('\n');
  const tallyText = Object.entries(tallies)
    .flatMap(([n, byCase]) => Object.entries(byCase).map(([k, t]) => `- ${n}, ${k}: ${t.lines} logged requests; suites ${Object.entries(t.ciphers).map(([c, v]) => `${c} ${pct(v, t.lines)}`).join(', ')}${n === 'nginx' ? `; sessions reused: ${t.reused}` : ''}`))
    .join('\n');
  const hsFrac = (k) => ['tlsgate', 'nginx', 'haproxy', 'node'].map((n) => `${n} ${pct(med[n][k], ceiling)}`).join(', ');
  const msPer = (n, k) => (1000 * medWrk[`${n}.${k}`]) / med[n][k];
  const wrkMs = (k) => ['tlsgate', 'nginx', 'haproxy'].map((n) => `${f1(msPer(n, k))}`).join(' / ');
  const resumed = Object.entries(resumption)
    .map(([k, v]) => `${k.replace('.', ' ')} ${v.reused} of ${Math.max(0, v.connections - 1)}`)
    .join(', ');
  return `# tlsgate benchmark results

Generated by \`npm run bench\` (\`node bench/run.mjs${flags.quick ? ' --quick' : ''}\`) on ${env.date}.

**Machine:** ${machine}. Node ${env.node}, ${env.openssl}, ${env.nginx}, ${env.haproxy}, ${env.wrk}.
**tlsgate:** \`${env.entry}\` (repository at ${env.commit}).
**Run:** ${env.rounds} rounds × ${env.seconds} s per case and proxy, proxies alternating within each round (order rotated per round); medians over rounds.
**Load average** before the run: ${env.loadBefore}; after: ${env.loadAfter} (1/5/15 min).
**tlsgate workers:** ${env.tlsgateWorkers}${env.tlsgateWorkers === 1 ? ' (single process: this checkout\'s config did not accept `workers:` when the bench ran, so tlsgate used one core while nginx had ' + env.cores + ' worker processes and HAProxy ' + env.cores + ' threads)' : ` (node:cluster, = cores); nginx ${env.cores} worker processes, HAProxy ${env.cores} threads`}.

## Results (medians)

${table}

"Node https (reference)" is not a proxy: Node's bare \`https\` server with tlsgate's TLS options and
the same number of cluster workers, answering \`200 ok\` itself (bench/node-reference.mjs). It marks
what Node's TLS stack allows on this machine, so the gap between it and tlsgate is tlsgate's own work.
Medians: RSA ${fmtN(med.node?.hsRsa)}/s, DHE ${fmtN(med.node?.hsDhe)}/s, keep-alive ${fmtN(med.node?.kaRps)}/s.

Machine ceiling: \`openssl speed rsa2048\` = ${Math.round(rsaSigns)} RSA-2048 private-key operations/s on one core × ${env.cores} cores = **${ceiling} handshakes/s** at most (each full handshake costs the server one RSA-2048 private operation; DHE adds two 2048-bit modular exponentiations on top, so its real ceiling is lower).
As a fraction of that ceiling — RSA: ${hsFrac('hsRsa')}; DHE: ${hsFrac('hsDhe')}.
\`openssl speed ffdh2048\`: ${Math.round(ffdhOps)} DH derivations/s on one core (a DHE handshake adds a key generation and a derivation on each side).

![tlsgate / nginx and tlsgate / HAProxy throughput ratios](ratios.png)

## CPU used per case (cores, median): proxy / wrk load generator

| Case | tlsgate | nginx | HAProxy | Node https (reference) |
|---|---|---|---|---|
${cpuRows}

The machine has ${env.cores} cores and the load generator runs on the same machine: whatever wrk
uses is taken from the proxy. For the DHE case the client does nearly as much big-number work as the
server (its own DH key pair and shared secret), so the handshake figures are a side-by-side
comparison on this machine, not each proxy's ceiling.
wrk's own CPU per request (ms, against tlsgate / nginx / HAProxy): RSA handshakes ${wrkMs('hsRsa')},
DHE handshakes ${wrkMs('hsDhe')}, keep-alive ${wrkMs('kaRps')}. Where wrk's single thread spends
milliseconds per DHE handshake, case 2 measures the generator as much as the servers.

## How it was measured

- Backend for everyone: one nginx worker answering \`200 ok\` (no access log), plain HTTP on loopback, keep-alive from each proxy.
- Certificate: one throwaway self-signed RSA-2048 pair. Suites, server order and DH group identical:
  \`${CIPHERS}\`, TLS 1.2 only, server preference, RFC 7919 ffdhe2048 (tlsgate: \`dhparam: 'auto'\`, which OpenSSL maps to ffdhe2048 for a 2048-bit key; nginx \`ssl_dhparam\` and HAProxy \`ssl-dh-param-file\` get the same group).
- Logging: tlsgate at its default level (info: one JSON line per request, to a file), nginx with an access log (to a file); HAProxy logs nothing (no syslog target configured), which favours HAProxy slightly.
- Cases 1 and 2: \`wrk -t1 -c32 -H 'Connection: close'\`, so every request is a new TCP connection and a full TLS handshake.
  wrk reuses TLS sessions when it reconnects, which would turn most handshakes into cheap resumptions on
  the servers that allow it; the client config refuses session tickets and nginx/HAProxy run without a
  session cache, so every connection is a full handshake. Checked with \`openssl s_client -reconnect\`
  (resumed sessions in 5 reconnections): ${resumed || 'not checked'}.
  wrk has no cipher option: the client is limited to one suite through an \`OPENSSL_CONF\` file with a \`system_default\` \`CipherString\`. The access logs confirm the suite and that no session was resumed:
${tallyText || '- (no log tallies)'}
- Case 3: \`wrk -t1 -c64\` keep-alive POSTs of a ${post.bytes}-byte JSON body (Lua script); the 64 connections are opened once with AES128-SHA256 (RSA key exchange), so the figure measures requests, not handshakes.
- Case 4: 100 ticks/s; at each tick one GET on each of four keep-alive connections in turn (backend directly over plain HTTP, then each proxy over TLS with AES128-SHA256), ${flags.quick ? 200 : 500} ticks after 50 warm-up rounds, so all paths share the same moments of machine noise; added = proxy percentile − direct percentile: median direct p50 ${f1(median(direct.p50))} ms, p99 ${f1(median(direct.p99))} ms. "Added" therefore includes the TLS record work on both ends.
- Case 5: RSS summed over all of a proxy's processes (/proc/PID/status VmRSS; shared pages counted per process), 1 s after start and with 1,000 TLS keep-alive connections held open (each made one request). Start-up: spawn → first HTTP 200 through the proxy.
- tlsgate's per-listener connection caps (\`limits.maxConnections\`, \`limits.maxConnectionsPerSource\`, default 1,000 and 100) were ${env.tlsgateLimitsLifted ? 'raised to 5,000 for the bench: every connection comes from 127.0.0.1, and nginx/HAProxy have no such caps here' : 'not configurable in this build and stayed at their defaults'}.
- Errors (non-2xx responses + wrk socket errors + failed held connections) over the whole run: tlsgate ${errors.tlsgate}, nginx ${errors.nginx}, HAProxy ${errors.haproxy}.
`;
}

function fmtN(x) {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a';
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
