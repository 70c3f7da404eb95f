/**
 * Everything one app instance shows about itself: the handshake-failure log line (rate-limited
 * per remote and classification), recent activity, metrics, and the admin server serving them.
 * Activity and metrics hang off the EventHub, so the request path only publishes events.
 */
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { AdminConfig } from '../config/schema.js';
import { ActivityLog } from '../observe/activity.js';
import type { EventHub, HandshakeFailureEvent } from '../observe/events.js';
import { GateMetrics, type CertificateInfo } from '../observe/metrics.js';
import { RepeatLimiter, type RepeatSummary } from '../observe/rate-limit.js';
import type { CapturedConnection } from '../tls/hello-capture.js';
import type { ListenerView } from './page.js';
import { startAdminServer, type AdminServer } from './server.js';
import { resolveAdminToken } from './token.js';

/** What observability needs from the app. */
export interface ObservabilityDeps {
  logger: Logger;
  now: () => number;
  hub: EventHub;
  admin: AdminConfig | undefined;
  activitySize: number | undefined;
  env: Readonly<Record<string, string | undefined>>;
  certificates: () => readonly CertificateInfo[];
}

/** Who a repeated failure came from, for its summary line. */
interface RepeatInfo {
  remoteAddress: string | undefined;
  classification: string;
  port: number;
}

/** Activity, metrics, failure logging and the admin server of one app. */
export class Observability {
  /** Activity and metrics exist only with `admin:`: nothing else can read them. */
  private readonly views: { activity: ActivityLog; metrics: GateMetrics } | undefined;
  private readonly limiter: RepeatLimiter<RepeatInfo>;
  private readonly token: string | undefined;
  private readonly offs: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private server: AdminServer | undefined;

  /** Throws TLSGATE_ADMIN_TOKEN before anything binds when the token variable is unusable. */
  constructor(private readonly deps: ObservabilityDeps) {
    this.token = deps.admin ? resolveAdminToken(deps.admin, deps.env) : undefined;
    this.limiter = new RepeatLimiter<RepeatInfo>();
    if (deps.admin) {
      // Without an admin server no one can read activity or metrics: keep them off the hot path.
      const views = { activity: new ActivityLog(deps.activitySize), metrics: new GateMetrics({ now: deps.now, certificates: deps.certificates }) };
      this.views = views;
      this.offs.push(deps.hub.subscribe((e) => views.activity.record(e)));
      this.offs.push(deps.hub.subscribe((e) => views.metrics.observe(e)));
    }
    // Summaries of windows that closed quietly (the scanner stopped) must still be written.
    this.sweeper = setInterval(() => this.writeSummaries(this.limiter.sweep(deps.now())), this.limiter.windowMs);
    this.sweeper.unref();
  }

  /** Logs a failed handshake (first per remote+classification in full, repeats summarised) and publishes it. */
  handshakeFailed(event: HandshakeFailureEvent): void {
    const { logger } = this.deps;
    const { type: _t, time: _time, diagnosis, ...fields } = event;
    const classification = typeof diagnosis['classification'] === 'string' ? diagnosis['classification'] : 'other';
    const line = { event: 'handshake_failed', ...fields, ...diagnosis };
    const msg = `TLS handshake failed (${classification}): ${String(diagnosis['hint'] ?? event.reason)}`;
    if (classification === 'empty_connection') {
      // Health checks and port scans connect and close all day long: not worth a warning.
      logger.debug(line, msg);
    } else {
      const key = `${event.remoteAddress ?? '?'}|${classification}`;
      const verdict = this.limiter.admit(key, event.time, { remoteAddress: event.remoteAddress, classification, port: event.port });
      if (verdict.summary) this.writeSummaries([verdict.summary]);
      if (verdict.log) logger.warn(line, msg);
    }
    this.deps.hub.publish(event);
  }

  /** Counts a completed handshake with its negotiated protocol and suite. */
  handshakeSucceeded(socket: TLSSocket, port: number, conn: CapturedConnection | undefined): void {
    if (!this.views) return;
    const cipher = socket.getCipher();
    const duration = conn ? this.deps.now() - conn.acceptedAt : undefined;
    this.views.metrics.handshakeSucceeded(port, socket.getProtocol() ?? undefined, cipher?.standardName ?? cipher?.name, duration);
  }

  /** Starts the admin server when the config has `admin:`. */
  async startAdmin(listeners: () => readonly ListenerView[], notReady: () => string[], generation: () => number): Promise<void> {
    if (!this.deps.admin || !this.views) return;
    this.server = await startAdminServer(this.deps.admin, {
      ...this.views,
      listeners,
      notReady,
      generation,
      now: this.deps.now,
      token: this.token,
    });
    this.deps.logger.info({ event: 'admin_started', url: this.server.url, token: this.token !== undefined }, `admin server on ${this.server.url} (/healthz /readyz /activity /metrics /)`);
  }

  /** Where the admin server listens, when it runs. */
  adminAddress(): { host: string; port: number; url: string } | undefined {
    return this.server ? { host: this.server.host, port: this.server.port, url: this.server.url } : undefined;
  }

  /** Stops the admin server, writes pending repeat summaries and unsubscribes. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.writeSummaries(this.limiter.drain());
    this.offs.splice(0).forEach((off) => off());
    await this.server?.close();
    this.server = undefined;
  }

  private writeSummaries(summaries: readonly RepeatSummary<RepeatInfo>[]): void {
    for (const s of summaries) {
      const { remoteAddress, classification, port } = s.info;
      this.deps.logger.warn(
        { event: 'handshake_failed_repeats', remoteAddress, classification, port, suppressed: s.suppressed, since: new Date(s.windowStart).toISOString(), windowMs: s.windowMs },
        `${s.suppressed} more TLS handshake failure(s) (${classification}) from ${remoteAddress ?? '?'} were not logged individually`,
      );
    }
  }
}
