/** Process helpers for the benchmark: spawn, readiness, and CPU / memory read from /proc. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';

/** Clock ticks per second for /proc/PID/stat times (Linux x86-64 and arm64 use 100). */
const HZ = 100;

/** The PIDs of `pid` and all its descendants (nginx workers, cluster workers). */
export function processTree(pid) {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // The process exited while we were listing: ignore it.
    }
  }
  const out = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Resident set size in bytes of every process in the tree: total and largest single process. */
export function treeRss(pid) {
  let total = 0;
  let max = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      const b = m ? Number(m[1]) * 1024 : 0;
      total += b;
      max = Math.max(max, b);
    } catch {
      // exited
    }
  }
  return { total, max, processes: pids.length };
}

/** CPU seconds (user + system) used so far by every process in the tree. */
export function treeCpu(pid) {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {
      // exited
    }
  }
  return ticks / HZ;
}

/** Spawns a long-running server with a raised file limit; stdout/stderr go to `logFile`. */
export function startProcess(cmd, args, { logFile, env } = {}) {
  const fd = fs.openSync(logFile, 'a');
  // 1,000 held connections need 2,000+ descriptors in a proxy (client side + upstream side).
  const quoted = [cmd, ...args].map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('bash', ['-c', `ulimit -n 20000; exec ${quoted}`], { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  fs.closeSync(fd);
  return child;
}

/** Stops a spawned server and waits for it to exit (SIGKILL after 5 s). */
export function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** One HTTPS GET that ignores certificate trust (the bench uses a throwaway self-signed pair). */
function probe(port) {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** Waits until an HTTPS GET through `port` answers 200; returns the milliseconds since `t0`. */
export async function waitReady(port, t0, child, timeoutMs = 15_000) {
  while (performance.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before it was ready`);
    if (await probe(port)) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`port ${port} not ready after ${timeoutMs} ms`);
}

/** Waits until a plain TCP connect to `port` succeeds (for the backend). */
export async function waitTcp(port, timeoutMs = 10_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`port ${port} not listening after ${timeoutMs} ms`);
}

/**
 * A free loopback port below the ephemeral range. Port 0 would hand out ports that outgoing
 * connections (wrk, other programs' tests on this machine) also use, and a server that binds
 * later can then find its port taken, or a probe reach somebody else's listener.
 */
export async function freePort() {
  for (let i = 0; i < 100; i++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const ok = await new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port between 20000 and 30000 on 127.0.0.1');
}
