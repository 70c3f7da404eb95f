import pLimit from 'p-limit';
import type { SenderSuite } from '../tls/suites.js';
import { sClient, type LocalOpenssl, type SClientResult } from './openssl.js';
import type { CheckTarget } from './target.js';

/** The protocol versions probed, each alone, oldest first. */
export const PROTOCOLS = [
  { version: 'TLSv1', flag: '-tls1' },
  { version: 'TLSv1.1', flag: '-tls1_1' },
  { version: 'TLSv1.2', flag: '-tls1_2' },
  { version: 'TLSv1.3', flag: '-tls1_3' },
] as const;

/** A protocol version name as probed. */
export type ProtocolVersion = (typeof PROTOCOLS)[number]['version'];

/** Whether one version or suite was accepted, refused, or cannot be offered by this machine. */
export type ProbeOutcome = 'accepted' | 'refused' | 'not-testable';

/** The result of probing one protocol version. */
export interface ProtocolProbe {
  version: ProtocolVersion;
  outcome: ProbeOutcome;
  cipher: string | undefined;
  error: string | undefined;
}

/** The result of probing one of the sender's suites alone. */
export interface SuiteProbe {
  suite: SenderSuite;
  /** The protocol the suite was offered under: TLS 1.2, or TLS 1.3 for the sender's TLS 1.3 suites. */
  protocol: 'TLSv1.2' | 'TLSv1.3';
  outcome: ProbeOutcome;
  error: string | undefined;
}

/** Everything the handshake probes saw. */
export interface ProbeResults {
  protocols: ProtocolProbe[];
  suites: SuiteProbe[];
  /** `s_client -showcerts` output of the newest accepted protocol (TLS 1.2 preferred), for the chain. */
  chainOutput: string | undefined;
}

/** How the probes run. */
export interface ProbeOptions {
  timeoutMs: number;
  concurrency: number;
  openssl?: string;
  onProgress?: (done: number, total: number, label: string) => void;
}

// Errors raised by the local client before anything is sent: the server was never asked.
const CLIENT_SIDE = /no protocols available|no ciphers available|no cipher match/;

function outcome(r: SClientResult): ProbeOutcome {
  if (r.handshakeOk) return 'accepted';
  return r.error !== undefined && CLIENT_SIDE.test(r.error) ? 'not-testable' : 'refused';
}

/**
 * Probes each protocol version alone and each of the sender's suites alone, with at most
 * `concurrency` openssl processes at a time and a deadline on each.
 */
export async function runProbes(target: CheckTarget, suites: readonly SenderSuite[], local: LocalOpenssl, opts: ProbeOptions): Promise<ProbeResults> {
  const limit = pLimit(opts.concurrency);
  const sni = target.isIp ? undefined : target.host;
  const total = PROTOCOLS.length + suites.length;
  let done = 0;
  const step = <T>(label: string, fn: () => Promise<T>) =>
    limit(async () => {
      const r = await fn();
      opts.onProgress?.(++done, total, label);
      return r;
    });
  const lowered = 'ALL:@SECLEVEL=0'; // lifts the local policy so old servers can be measured at all
  const probeProtocol = async (p: (typeof PROTOCOLS)[number]) => {
    const r = await sClient(target.connect, sni, [p.flag, '-showcerts', ...(p.version === 'TLSv1.3' ? [] : ['-cipher', lowered])], opts.timeoutMs, opts.openssl);
    return { probe: { version: p.version, outcome: outcome(r), cipher: r.cipher, error: r.error } satisfies ProtocolProbe, stdout: r.stdout, timedOut: r.timedOut };
  };
  // TLS 1.2 goes first, alone: a port that accepts TCP but never answers a ClientHello would
  // otherwise cost every remaining probe its full deadline.
  const tls12 = await step('TLSv1.2', () => probeProtocol(PROTOCOLS[2]));
  const silent = tls12.timedOut ? `not probed: the TLS 1.2 probe got no answer within ${opts.timeoutMs / 1000} s` : undefined;
  const protocolRuns = PROTOCOLS.map((p) =>
    p.version === 'TLSv1.2' ? Promise.resolve(tls12)
    : silent ? step(p.version, async () => ({ probe: { version: p.version, outcome: 'refused' as const, cipher: undefined, error: silent }, stdout: '', timedOut: true }))
    : step(p.version, () => probeProtocol(p)),
  );
  const suiteRuns = suites.map((s) =>
    step(s.openssl, async (): Promise<SuiteProbe> => {
      const protocol = s.status === 'tls13' ? 'TLSv1.3' : 'TLSv1.2';
      if (!local.ciphers.has(s.openssl)) return { suite: s, protocol, outcome: 'not-testable', error: `${local.version} cannot offer ${s.openssl}` };
      if (silent) return { suite: s, protocol, outcome: 'refused', error: silent };
      const args = protocol === 'TLSv1.3' ? ['-tls1_3', '-ciphersuites', s.openssl] : ['-tls1_2', '-cipher', `${s.openssl}:@SECLEVEL=0`];
      const r = await sClient(target.connect, sni, args, opts.timeoutMs, opts.openssl);
      const o = outcome(r);
      return { suite: s, protocol, outcome: o === 'accepted' && r.cipher !== s.openssl ? 'refused' : o, error: o === 'not-testable' ? `${local.version}: ${r.error ?? 'cannot offer it'}` : r.error };
    }),
  );
  const protocols = await Promise.all(protocolRuns);
  const suiteResults = await Promise.all(suiteRuns);
  const best = ['TLSv1.2', 'TLSv1.3', 'TLSv1.1', 'TLSv1'].map((v) => protocols.find((p) => p.probe.version === v && p.probe.outcome === 'accepted')).find((p) => p !== undefined);
  return { protocols: protocols.map((p) => p.probe), suites: suiteResults, chainOutput: best?.stdout };
}
