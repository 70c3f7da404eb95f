/** Shared pieces of the fault tests: a restartable recording backend, random bodies, memory after GC. */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';

/** What the backend saw for one request id. */
export interface Delivery {
  sha256: string;
  bytes: number;
  status: number;
}

/** A backend that records a hash (not the bytes) of every body, and can be stopped and restarted on its port. */
export interface RestartableBackend {
  port: number;
  url: string;
  deliveries: Map<string, Delivery>;
  restarts: number;
  /** Drops every connection (requests in flight included) and stops listening. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the backend. `statusFor(id)` decides the answer (the test knows which status each post
 * must come back with); the response body is the SHA-256 of the request body.
 */
export async function startRestartableBackend(statusFor: (id: string) => number): Promise<RestartableBackend> {
  const deliveries = new Map<string, Delivery>();
  const server = http.createServer((req, res) => {
    const id = String(req.headers['x-req-id'] ?? '');
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
    });
    req.on('end', () => {
      const status = statusFor(id);
      const sha256 = hash.digest('hex');
      deliveries.set(id, { sha256, bytes, status });
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': sha256.length });
      res.end(sha256);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const b: RestartableBackend = {
    port,
    url: `http://127.0.0.1:${port}`,
    deliveries,
    restarts: 0,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: async () => {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => (server.off('error', reject), resolve()));
      });
      b.restarts++;
    },
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return b;
}

/** A pool of random bytes; bodies are random slices of it with a fresh random prefix. */
export class RandomBodies {
  private readonly pool = crypto.randomBytes(512 * 1024);

  /** A body of `size` bytes of random content (distinct per call thanks to the prefix). */
  body(size: number): Buffer {
    const off = crypto.randomInt(0, this.pool.length - size + 1);
    const b = Buffer.from(this.pool.subarray(off, off + size));
    crypto.randomFillSync(b, 0, Math.min(16, size));
    return b;
  }
}

/** SHA-256 hex of a buffer. */
export function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/** Runs a full GC (the faults config passes --expose-gc; otherwise it is enabled here). */
function fullGc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g();
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Heap used (MB) after two full collections, plus RSS (MB) for the record. */
export async function memoryAfterGc(): Promise<{ heapMB: number; rssMB: number }> {
  for (let i = 0; i < 2; i++) {
    fullGc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 };
}

/** Runs `count` jobs with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}
