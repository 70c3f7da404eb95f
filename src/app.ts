/**
 * Wires the pieces: certificates → listeners → forwarder, and the event hub that logs,
 * activity and metrics hang off. `run()` returns handles to reload and close.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Config, ListenerConfig } from './config/schema.js';
import { startListener, stopListener, type Listener } from './listener.js';
import { EventHub } from './observe/events.js';
import { TlsgateError } from './errors.js';
import type { CheckedCertificate } from './tls/cert-checks.js';
import { describeHandshakeFailure } from './tls/handshake-failure.js';
import type { DiagnosisContext } from './tls/diagnose.js';
import type { CapturedConnection } from './tls/hello-capture.js';
import { enabledSuites, PROFILES } from './tls/suites.js';
import { daysToExpiry } from './tls/pem.js';
import { Observability } from './admin/observability.js';
import { provisionCertificate } from './tls/provision.js';
import { serverTlsOptions } from './tls/server-options.js';
import { Forwarder, type Clock } from './upstream/forward.js';
import { resolveSecrets } from './security/secrets.js';

/** What the app needs from its caller. */
export interface AppDeps {
  logger: Logger;
  clock: Clock;
  /** Optional shared hub, so callers (admin, tests) can subscribe before traffic starts. */
  hub?: EventHub;
  /** Where routes' `verify.fastspringSignature.secretEnv` variables are read (main passes process.env); absent = empty. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Generation number of the first config (default 1); a replaced cluster worker starts at its siblings' number. */
  initialGeneration?: number;
}

/** A running gateway. */
export interface App {
  readonly hub: EventHub;
  /** Bound listeners with their actual ports, in config order. */
  listeners(): readonly { port: number; host: string; subject: string; daysToExpiry: number; chainLength: number }[];
  /** Where the admin server listens (undefined without `admin:` in the config). */
  admin(): { host: string; port: number; url: string } | undefined;
  /** The config generation in force: 1 at start, +1 per successful reload (for /readyz and logs). */
  generation(): number;
  /** Applies a new config atomically; throws (keeping the old one) when it is invalid. */
  reload(config: Config): Promise<void>;
  /** Stops accepting, lets requests in flight finish up to `graceMs`, then closes. */
  close(graceMs?: number): Promise<void>;
}

interface Generation {
  config: Config;
  forwarder: Forwarder;
  certs: Map<ListenerConfig, CheckedCertificate>;
}

/** Loads certificates for every listener; throws on the first fatal problem, logs warnings. */
function prepareCertificates(config: Config, deps: AppDeps): Map<ListenerConfig, CheckedCertificate> {
  const certs = new Map<ListenerConfig, CheckedCertificate>();
  for (const l of config.listeners) {
    const cert = provisionCertificate(l, new Date(deps.clock.now()), deps.logger);
    for (const w of cert.warnings) deps.logger.warn({ event: 'cert_warning', port: l.port, cert: l.cert }, w);
    certs.set(l, cert);
  }
  return certs;
}

/** Starts the gateway for `config`. */
export async function run(config: Config, deps: AppDeps): Promise<App> {
  const hub = deps.hub ?? new EventHub();
  const { logger, clock } = deps;
  let generation = deps.initialGeneration ?? 1;
  let gen: Generation = { config, forwarder: new Forwarder(config.routes, { logger, clock, hub, secrets: resolveSecrets(config, deps.env ?? {}) }), certs: prepareCertificates(config, deps) };
  const bound: { listener: Listener; cfg: ListenerConfig }[] = [];
  let closing = false;
  const certFor = (cfg: ListenerConfig) => gen.certs.get(gen.config.listeners.find((l) => l.port === cfg.port && l.host === cfg.host) ?? cfg);
  // Expiry is worked out when asked, not at load: a certificate that expires while tlsgate runs
  // must show as expired on /readyz and the admin page.
  const listenerViews = () =>
    bound.map((b) => {
      const c = certFor(b.cfg);
      const leaf = c?.chain[0];
      return { port: b.listener.port, host: b.cfg.host, subject: c?.subject ?? '', daysToExpiry: leaf ? daysToExpiry(leaf, clock.now()) : 0, notAfterMs: leaf ? Date.parse(leaf.validTo) : 0, chainLength: c?.chain.length ?? 0 };
    });
  // Built before any port is bound: an unusable admin token stops start-up, not half of it.
  const obs = new Observability({
    logger,
    now: () => clock.now(),
    hub,
    admin: config.admin,
    activitySize: config.activity?.size,
    env: deps.env ?? {},
    certificates: listenerViews,
  });
  /** What the diagnosis needs to know about the listener on `port`. */
  const diagnosisContext = (port: number): DiagnosisContext | undefined => {
    const b = bound.find((x) => x.listener.port === port);
    if (!b) return undefined;
    const cert = certFor(b.cfg);
    return { suites: enabledSuites(PROFILES[b.cfg.profile]?.suites), leaf: cert?.chain[0], selfSigned: cert?.selfSigned ?? false, chainLength: cert?.chain.length ?? 0, deadlineMs: b.cfg.handshakeTimeoutMs };
  };
  const notReady = (): string[] => {
    if (closing) return ['shutting down: draining requests in flight'];
    if (bound.length < config.listeners.length) return [`${bound.length} of ${config.listeners.length} listeners bound`];
    return listenerViews().filter((l) => l.daysToExpiry < 0).map((l) => `certificate on port ${l.port} (${l.subject}) has expired`);
  };

  const handlers = {
    onRequest: (req: http.IncomingMessage, res: http.ServerResponse, port: number) => void gen.forwarder.handle(req, res, port),
    onHandshakeFailure: (err: Error, socket: TLSSocket | Socket, port: number, conn: CapturedConnection | undefined) =>
      obs.handshakeFailed(describeHandshakeFailure(err, socket, port, clock.now(), conn, diagnosisContext(port))),
    onSecureConnection: (socket: TLSSocket, port: number, conn: CapturedConnection | undefined) => obs.handshakeSucceeded(socket, port, conn),
  };

  try {
    for (const l of config.listeners) {
      const cert = gen.certs.get(l)!;
      bound.push({ cfg: l, listener: await startListener(l, serverTlsOptions(cert, l.profile, l.handshakeTimeoutMs), handlers, { logger, now: () => clock.now() }) });
    }
    await obs.startAdmin(listenerViews, notReady, () => generation);
  } catch (e) {
    await Promise.all(bound.map((b) => stopListener(b.listener, 0)));
    gen.forwarder.close();
    await obs.close();
    throw e;
  }

  const app: App = {
    hub,
    listeners: listenerViews,
    admin: () => obs.adminAddress(),
    generation: () => generation,
    async reload(next: Config) {
      const certs = prepareCertificates(next, deps);
      const secrets = resolveSecrets(next, deps.env ?? {});
      const same = (a: ListenerConfig, b: ListenerConfig) => a.port === b.port && a.host === b.host;
      if (next.listeners.length !== bound.length || !next.listeners.every((l, i) => same(l, bound[i]!.cfg))) {
        throw new TlsgateError('TLSGATE_RELOAD_NEEDS_RESTART', 'listeners (port/host) changed: a reload cannot bind or release ports', { hint: 'restart tlsgate to apply listener changes; until then the previous config stays in force' });
      }
      // New connections get the new certificate; connections in flight keep the old context.
      next.listeners.forEach((l, i) => bound[i]!.listener.server.setSecureContext(serverTlsOptions(certs.get(l)!, l.profile, l.handshakeTimeoutMs)));
      const old = gen.forwarder;
      gen = { config: next, forwarder: new Forwarder(next.routes, { logger, clock, hub, secrets }), certs };
      generation += 1;
      // The admin server and the activity ring are built once, from the config tlsgate started with.
      if (JSON.stringify(next.admin) !== JSON.stringify(config.admin) || next.activity?.size !== config.activity?.size) {
        logger.warn({ event: 'reload_restart_needed', fields: ['admin', 'activity'] }, 'admin: and activity: changes take effect only on restart; the admin server keeps its address, token and activity size');
      }
      // Requests in flight keep the old agents; close them once the longest upstream timeout has passed.
      setTimeout(() => old.close(), next.routes.reduce((m, r) => Math.max(m, r.upstream.timeoutMs), 0)).unref();
    },
    async close(graceMs = 25_000) {
      closing = true; // /readyz answers 503 while requests drain
      await Promise.all(bound.map((b) => stopListener(b.listener, graceMs)));
      gen.forwarder.close();
      await obs.close();
    },
  };
  return app;
}
