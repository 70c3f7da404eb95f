import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { FASTSPRING_SUITES, SENDER_PORTS, type SuiteStatus } from '../tls/suites.js';
import { analyzeChain, servedCertificates, type Anchor, type ChainReport } from './chain.js';
import { localOpenssl } from './openssl.js';
import { postSample, type PostResult } from './post.js';
import { runProbes, type ProbeOutcome, type ProtocolProbe } from './probes.js';
import { tcpReachable, type CheckTarget } from './target.js';
import { verdict, type Reason } from './verdict.js';

/** How to run a check. */
export interface CheckOptions {
  /** Extra trusted CA certificates (PEM), from --ca. */
  caPems: readonly string[];
  /** Do not hold the port against the sender's list (a port mapping in front). */
  allowAnyPort: boolean;
  /** Post a signed sample webhook with this secret. */
  post: { secret: string } | undefined;
  timeoutMs: number;
  concurrency: number;
  clock: { now(): number };
  userAgent: string;
  onProgress?: (done: number, total: number, label: string) => void;
}

/** One of the sender's suites and what the server did with it. */
export interface SuiteRow {
  n: number;
  iana: string;
  openssl: string;
  status: SuiteStatus;
  protocol: 'TLSv1.2' | 'TLSv1.3';
  outcome: ProbeOutcome;
  error: string | undefined;
}

/** Everything `tlsgate check` found, as printed by --json. */
export interface CheckReport {
  url: string;
  host: string;
  port: number;
  path: string;
  openssl: string;
  durationMs: number;
  protocols: ProtocolProbe[];
  suites: SuiteRow[];
  chain: ChainReport | undefined;
  portAllowed: boolean | undefined;
  post: PostResult | undefined;
  verdict: 'COMPATIBLE' | 'NOT COMPATIBLE';
  reasons: Reason[];
  warnings: Reason[];
}

/** Trust anchors: Node's bundled CA store, plus the --ca certificates. */
export function trustAnchors(caPems: readonly string[]): Anchor[] {
  const bundled = tls.rootCertificates.map((p) => ({ cert: new X509Certificate(p), source: 'node-ca-store' as const }));
  return [...bundled, ...caPems.map((p) => ({ cert: new X509Certificate(p), source: 'ca-file' as const }))];
}

/**
 * Runs the whole check: reachability, the handshake probes, the chain, optionally a signed
 * post, and the verdict. Throws TLSGATE_CHECK_UNREACHABLE when nothing answers at all.
 */
export async function runCheck(target: CheckTarget, opts: CheckOptions): Promise<CheckReport> {
  const start = opts.clock.now();
  await tcpReachable(target, opts.timeoutMs);
  const local = await localOpenssl(opts.timeoutMs);
  const probes = await runProbes(target, FASTSPRING_SUITES, local, { timeoutMs: opts.timeoutMs, concurrency: opts.concurrency, onProgress: opts.onProgress });
  const served = probes.chainOutput === undefined ? [] : servedCertificates(probes.chainOutput);
  const chain = served.length === 0 ? undefined : analyzeChain(served, target.host, target.isIp, trustAnchors(opts.caPems), opts.clock.now());
  const post = opts.post
    ? await postSample(target, { secret: opts.post.secret, ca: [...tls.rootCertificates, ...opts.caPems], suites: FASTSPRING_SUITES, timeoutMs: opts.timeoutMs, nowMs: opts.clock.now(), userAgent: opts.userAgent })
    : undefined;
  const allowedPorts = opts.allowAnyPort ? undefined : SENDER_PORTS;
  const v = verdict({ host: target.host, port: target.port, allowedPorts, probes, chain, post, suites: FASTSPRING_SUITES });
  return {
    url: target.url,
    host: target.host,
    port: target.port,
    path: target.path,
    openssl: local.version,
    durationMs: opts.clock.now() - start,
    protocols: probes.protocols,
    suites: probes.suites.map((s) => ({ n: s.suite.n, iana: s.suite.iana, openssl: s.suite.openssl, status: s.suite.status, protocol: s.protocol, outcome: s.outcome, error: s.error })),
    chain,
    portAllowed: allowedPorts === undefined ? undefined : allowedPorts.includes(target.port),
    post,
    verdict: v.compatible ? 'COMPATIBLE' : 'NOT COMPATIBLE',
    reasons: v.reasons,
    warnings: v.warnings,
  };
}
