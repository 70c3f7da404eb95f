/** The admin HTTP server: plain HTTP, meant for loopback or a token-protected private address. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminConfig } from '../config/schema.js';
import { TlsgateError } from '../errors.js';
import { handleAdmin, type AdminView } from './routes.js';

/** A running admin server. */
export interface AdminServer {
  readonly host: string;
  /** The port actually bound (differs from the config when that is 0). */
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:9900. */
  readonly url: string;
  close(): Promise<void>;
}

/** Binds the admin server; rejects with TLSGATE_ADMIN_LISTEN_FAILED when the address is taken. */
export async function startAdminServer(cfg: AdminConfig, view: AdminView): Promise<AdminServer> {
  const server = http.createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => void handleAdmin(req, res, view));
  // Scrapers and browsers keep connections alive; idle ones must not delay shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) =>
      reject(new TlsgateError('TLSGATE_ADMIN_LISTEN_FAILED', `cannot listen on admin.listen ${cfg.host}:${cfg.port}: ${e.code ?? e.message}`, {
        hint: e.code === 'EADDRINUSE' ? 'another process holds this port; choose another admin.listen port' : 'use a loopback address such as 127.0.0.1:9900',
        cause: e,
      }));
    server.once('error', onError);
    server.listen(cfg.port, cfg.host, () => {
      // Only the bind error belongs to this promise; a later server error must not be swallowed.
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address;
  return {
    host,
    port: addr.port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
