/** Starts the real gateway in-process on port 0 with a config written to a temp folder. */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { run, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { EventHub } from '../../src/observe/events.js';
import { createLogger } from '../../src/observe/logger.js';
import { LogSink } from './log-sink.js';
import { makeChain, tmpDir, writeFiles } from './certs.js';
import { startHttpBackend, type Backend } from './backend.js';
import { curl } from './peers.js';

export interface Gateway {
  app: App;
  port: number;
  logs: LogSink;
  hub: EventHub;
  dir: string;
  /** PEM of the root CA that signed the listener's chain (trust it in clients). */
  caFile: string;
  url(p?: string): string;
  /** POSTs `body` with curl over TLS 1.2, trusting the gateway's CA; extra curl args go first. */
  post(p: string, body: string | Buffer, curlArgs?: string[]): ReturnType<typeof curl>;
  close(): Promise<void>;
}

/** The test listener: port 0 on loopback with the chain startGateway writes. */
export const DEFAULT_LISTENER = Object.freeze({ port: 0, host: '127.0.0.1', allowAnyPort: true, cert: 'server.crt', key: 'server.key' });

/**
 * Writes a config (an object, as YAML) and starts the gateway. Unless the config names its own
 * listeners, one listener on port 0 serves a fresh CA-signed chain for localhost/127.0.0.1.
 */
export async function startGateway(config: Record<string, unknown>, opts: { dir?: string; env?: Record<string, string>; clock?: { now(): number }; files?: Record<string, string>; listener?: Record<string, unknown> } = {}): Promise<Gateway> {
  const dir = opts.dir ?? tmpDir();
  const chain = makeChain();
  // Extra files land beside the config, so the config can name them relatively.
  const files = writeFiles(dir, { 'server.crt': chain.fullchain, 'server.key': chain.leaf.key, 'ca.pem': chain.root.cert, ...opts.files });
  const full = {
    listeners: [{ ...DEFAULT_LISTENER, ...opts.listener }],
    log: { level: 'debug' },
    ...config,
  };
  const source = path.join(dir, 'tlsgate.yaml');
  fs.writeFileSync(source, stringify(full));
  const { config: cfg } = parseConfig(fs.readFileSync(source, 'utf8'), source);
  const logs = new LogSink();
  const hub = new EventHub();
  const app = await run(cfg, { logger: createLogger('debug', logs), clock: opts.clock ?? { now: () => Date.now() }, hub, env: opts.env ?? {} });
  const port = app.listeners()[0]!.port;
  return {
    app,
    port,
    logs,
    hub,
    dir,
    caFile: files['ca.pem']!,
    url: (p = '/') => `https://127.0.0.1:${port}${p}`,
    post: (p, body, curlArgs = []) => curl(['--cacert', files['ca.pem']!, ...curlArgs, '--data-binary', '@-', `https://127.0.0.1:${port}${p}`], body),
    close: async () => {
      await app.close(2000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A recording plain-HTTP backend and a gateway routing every path to it. */
export async function startGatewayToBackend(route: Record<string, unknown> = {}): Promise<{ gw: Gateway; backend: Backend; close(): Promise<void> }> {
  const backend = await startHttpBackend();
  const gw = await startGateway({ routes: [{ path: '/', upstream: backend.url, ...route }] });
  return { gw, backend, close: async () => (await gw.close(), await backend.close()) };
}
