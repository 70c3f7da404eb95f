/**
 * Prometheus metrics for one app instance. Each instance owns its Registry (never prom-client's
 * global one), so two gateways in one process, as in tests, never share or clash on counters.
 * Labels are bounded: ports, routes and codes come from config and catalogues, never from clients.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GateEvent } from './events.js';

/** One listener's certificate, as the expiry gauges report it. */
export interface CertificateInfo {
  port: number;
  subject: string;
  /** notAfter of the leaf, in ms since the epoch. */
  notAfterMs: number;
}

/** What the metrics need from the app. */
export interface MetricsDeps {
  now: () => number;
  /** Current certificates, read at scrape time so reloads show up. */
  certificates: () => readonly CertificateInfo[];
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The gateway's metrics and the registry that renders them. */
export class GateMetrics {
  readonly registry = new Registry();
  private readonly handshakes: Counter<'port' | 'result' | 'classification'>;
  private readonly suites: Counter<'port' | 'protocol' | 'suite'>;
  private readonly handshakeSeconds: Histogram<'port' | 'result'>;
  private readonly requests: Counter<'port' | 'route' | 'status_class' | 'outcome'>;
  private readonly requestSeconds: Histogram<'route' | 'status_class'>;
  private readonly upstreamErrors: Counter<'route' | 'code'>;

  constructor(deps: MetricsDeps) {
    const registers = [this.registry];
    this.handshakes = new Counter({ name: 'tlsgate_handshakes_total', help: 'TLS handshakes by result (ok, failed) and failure classification', labelNames: ['port', 'result', 'classification'], registers });
    this.suites = new Counter({ name: 'tlsgate_negotiated_suites_total', help: 'Successful handshakes by negotiated protocol and cipher suite (IANA name)', labelNames: ['port', 'protocol', 'suite'], registers });
    this.handshakeSeconds = new Histogram({ name: 'tlsgate_handshake_duration_seconds', help: 'Time from TCP accept to handshake end', labelNames: ['port', 'result'], buckets: DURATION_BUCKETS, registers });
    this.requests = new Counter({ name: 'tlsgate_requests_total', help: 'Requests by route, status class of what the sender saw, and outcome', labelNames: ['port', 'route', 'status_class', 'outcome'], registers });
    this.requestSeconds = new Histogram({ name: 'tlsgate_request_duration_seconds', help: 'Request duration, sender to upstream and back', labelNames: ['route', 'status_class'], buckets: DURATION_BUCKETS, registers });
    this.upstreamErrors = new Counter({ name: 'tlsgate_upstream_errors_total', help: 'Failed requests by route and tlsgate error code', labelNames: ['route', 'code'], registers });
    new Gauge({
      name: 'tlsgate_certificate_expiry_timestamp_seconds',
      help: 'notAfter of each listener\'s certificate, seconds since the epoch',
      labelNames: ['port', 'subject'],
      registers,
      collect() {
        this.reset();
        for (const c of deps.certificates()) this.set({ port: String(c.port), subject: c.subject }, Math.floor(c.notAfterMs / 1000));
      },
    });
    new Gauge({
      name: 'tlsgate_certificate_days_to_expiry',
      help: 'Days until each listener\'s certificate expires (alert well before 14)',
      labelNames: ['port', 'subject'],
      registers,
      collect() {
        this.reset();
        for (const c of deps.certificates()) this.set({ port: String(c.port), subject: c.subject }, Math.floor((c.notAfterMs - deps.now()) / 86_400_000));
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one gate event (subscribe this to the EventHub). */
  observe(e: GateEvent): void {
    if (e.type === 'handshake_failure') {
      const d = e.diagnosis as { classification?: string; durationMs?: number };
      const port = String(e.port);
      this.handshakes.inc({ port, result: 'failed', classification: d.classification ?? 'other' });
      if (d.durationMs !== undefined) this.handshakeSeconds.observe({ port, result: 'failed' }, d.durationMs / 1000);
      return;
    }
    const route = e.route ?? '(none)';
    const statusClass = `${Math.floor(e.status / 100)}xx`;
    this.requests.inc({ port: String(e.port), route, status_class: statusClass, outcome: e.outcome });
    this.requestSeconds.observe({ route, status_class: statusClass }, e.durationMs / 1000);
    if (e.errorCode !== undefined && e.outcome === 'upstream_error') this.upstreamErrors.inc({ route, code: e.errorCode });
  }

  /** Counts one successful handshake with what it negotiated. */
  handshakeSucceeded(port: number, protocol: string | undefined, suite: string | undefined, durationMs: number | undefined): void {
    const p = String(port);
    this.handshakes.inc({ port: p, result: 'ok', classification: 'none' });
    this.suites.inc({ port: p, protocol: protocol ?? 'unknown', suite: suite ?? 'unknown' });
    if (durationMs !== undefined) this.handshakeSeconds.observe({ port: p, result: 'ok' }, durationMs / 1000);
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of `render()`'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
