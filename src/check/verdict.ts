import type { CertWarningCode } from '../tls/cert-checks.js';
import { enabledSuites, type SenderSuite } from '../tls/suites.js';
import type { ChainReport } from './chain.js';
import type { PostResult } from './post.js';
import type { ProbeResults } from './probes.js';

/** Stable codes for the reasons a check gives; scripts match on these, never on the wording. */
export type ReasonCode =
  | 'CHECK_TLS12_REFUSED'
  | 'CHECK_NO_SENDER_SUITE'
  | 'CHECK_NO_CERTIFICATE'
  | 'CHECK_KEY_NOT_RSA'
  | 'CHECK_CHAIN_ORDER'
  | 'CHECK_WEAK_SIGNATURE'
  | 'CHECK_CHAIN_INCOMPLETE'
  | 'CHECK_CHAIN_UNTRUSTED'
  | 'CHECK_CERT_EXPIRED'
  | 'CHECK_CERT_NOT_YET_VALID'
  | 'CHECK_HOSTNAME_MISMATCH'
  | 'CHECK_PORT_NOT_ALLOWED'
  | 'CHECK_POST_FAILED'
  | 'CHECK_OLD_PROTOCOL'
  | 'CHECK_INSECURE_SUITE'
  | 'CHECK_POST_NOT_LISTED'
  | CertWarningCode;

/** One reason the sender will fail (or a warning), with what to do about it. */
export interface Reason {
  code: ReasonCode;
  message: string;
  fix: string;
}

/** What the verdict is computed from. */
export interface VerdictInput {
  host: string;
  port: number;
  /** The sender's ports; undefined when --allow-any-port says a port mapping takes care of it. */
  allowedPorts: readonly number[] | undefined;
  probes: ProbeResults;
  chain: ChainReport | undefined;
  post: PostResult | undefined;
  /** The sender's suite table (FASTSPRING_SUITES). */
  suites: readonly SenderSuite[];
}

/** COMPATIBLE or NOT COMPATIBLE, with every reason and every warning. */
export interface Verdict {
  compatible: boolean;
  reasons: Reason[];
  warnings: Reason[];
}

const TLSGATE_FIX = 'or put tlsgate in front of the server: it speaks exactly what the sender needs';

/**
 * The sender's handshake and post work only when TLS 1.2 works, one of its usable suites is
 * accepted, the key is RSA, the chain is complete, trusted, valid and names the host, and the
 * port is one it posts to. Everything that breaks one of those is a reason; the rest are warnings.
 */
export function verdict(input: VerdictInput): Verdict {
  const reasons: Reason[] = [];
  const warnings: Reason[] = [];
  const { probes, chain } = input;
  const tls12 = probes.protocols.find((p) => p.version === 'TLSv1.2');
  const usable = enabledSuites(input.suites).map((s) => s.openssl);
  if (tls12?.outcome !== 'accepted') {
    const silent = tls12?.error?.startsWith('no answer') === true;
    reasons.push({
      code: 'CHECK_TLS12_REFUSED',
      message: silent ? `the server accepted the connection but did not answer a TLS 1.2 handshake (${tls12?.error ?? ''}); the sender posts with TLS 1.2 and nothing else` : `the server refused TLS 1.2 (${tls12?.error ?? 'no answer'}); the sender posts with TLS 1.2 and nothing else`,
      fix: silent ? 'check that this port serves TLS (not plain HTTP or another protocol) and that nothing in between holds the connection; raise --timeout for a slow host' : `enable TLS 1.2 on the server, ${TLSGATE_FIX}`,
    });
  } else {
    const accepted = probes.suites.filter((s) => s.outcome === 'accepted' && usable.includes(s.suite.openssl));
    if (accepted.length === 0) {
      const chose = tls12.cipher ? ` (offered everything, it chose ${tls12.cipher}, which the sender does not offer)` : '';
      reasons.push({ code: 'CHECK_NO_SENDER_SUITE', message: `the server accepts none of the sender's suites ${usable.join(', ')}${chose}`, fix: `enable DHE-RSA-AES256-SHA256 and AES256-SHA256 (CBC-SHA256 suites) for TLS 1.2, ${TLSGATE_FIX}` });
    }
  }
  const insecure = probes.suites.filter((s) => s.outcome === 'accepted' && s.suite.status === 'never');
  if (insecure.length > 0) {
    warnings.push({ code: 'CHECK_INSECURE_SUITE', message: `the server accepts ${insecure.map((s) => s.suite.openssl).join(', ')}: ${insecure[0]!.suite.reason}`, fix: 'remove anonymous (ADH) and NULL suites from the server\'s cipher list' });
  }
  const old = probes.protocols.filter((p) => (p.version === 'TLSv1' || p.version === 'TLSv1.1') && p.outcome === 'accepted');
  if (old.length > 0) {
    warnings.push({ code: 'CHECK_OLD_PROTOCOL', message: `the server still accepts ${old.map((p) => p.version).join(' and ')}, which the sender never uses`, fix: 'disable TLS 1.0 and 1.1 on the server; it costs the sender nothing' });
  }
  if (!chain) {
    if (probes.protocols.some((p) => p.outcome === 'accepted')) reasons.push({ code: 'CHECK_NO_CERTIFICATE', message: 'the server sent no certificate chain', fix: 'configure an RSA certificate and its intermediates on the server' });
  } else {
    addChainReasons(chain, input.host, reasons, warnings);
  }
  if (input.allowedPorts && !input.allowedPorts.includes(input.port)) {
    reasons.push({ code: 'CHECK_PORT_NOT_ALLOWED', message: `port ${input.port} is not one the sender posts to (${input.allowedPorts.join(', ')})`, fix: `serve on ${input.allowedPorts[0]} or another of those ports; if a firewall maps an allowed port to this one, pass --allow-any-port` });
  }
  const post = input.post;
  if (post && !post.ok) {
    reasons.push({ code: 'CHECK_POST_FAILED', message: post.status === undefined ? `the sample webhook could not be posted: ${post.error ?? 'unknown error'}` : `the sample webhook was answered with HTTP ${post.status}; the sender counts only 200 and 202 as delivered and retries everything else`, fix: post.status === undefined ? 'fix the reasons above first' : 'make the receiver answer 200 (or 202 listing the processed event ids); check its signature secret and route' });
  }
  if (post?.ok && post.listed === false) {
    warnings.push({ code: 'CHECK_POST_NOT_LISTED', message: `the receiver answered 202 without listing the sample's event id ${post.eventId}; the sender will post that event again`, fix: 'answer 202 with one processed event id a line, or 200 when all were processed' });
  }
  return { compatible: reasons.length === 0, reasons, warnings };
}

function addChainReasons(chain: ChainReport, host: string, reasons: Reason[], warnings: Reason[]): void {
  if (chain.keyType !== 'rsa') {
    reasons.push({ code: 'CHECK_KEY_NOT_RSA', message: `the certificate has an ${chain.keyType.toUpperCase()} key; the sender offers only RSA and DHE-RSA suites`, fix: `use an RSA certificate (2048 bits or more), ${TLSGATE_FIX}` });
  }
  const order = chain.findings.find((f) => f.code === 'TLSGATE_CERT_CHAIN_ORDER');
  if (order) reasons.push({ code: 'CHECK_CHAIN_ORDER', message: order.message, fix: 'list the server certificate first in the server\'s certificate file, then its intermediates' });
  for (const weak of chain.findings.filter((f) => f.code === 'TLSGATE_CERT_WEAK_SIGNATURE')) {
    reasons.push({ code: 'CHECK_WEAK_SIGNATURE', message: weak.message.slice(0, weak.message.lastIndexOf('; ')), fix: 'have the certificate reissued with a SHA-256 signature, and serve the CA\'s current SHA-256 intermediate' });
  }
  if (!chain.complete) {
    reasons.push({ code: 'CHECK_CHAIN_INCOMPLETE', message: `the chain stops at ${chain.brokenAt ?? '?'}: its issuer ${chain.missingIssuer ?? '?'} is neither served nor trusted; the sender's Java client does not fetch missing intermediates`, fix: 'append the intermediate certificate(s) from your CA after the leaf in the server\'s certificate file' });
  } else if (!chain.trusted) {
    reasons.push({ code: 'CHECK_CHAIN_UNTRUSTED', message: chain.brokenAtSelfSigned ? `the chain ends at ${chain.brokenAt ?? '?'}, a self-signed certificate that is not in Node's bundled CA store (nor in --ca)` : `the chain ends at ${chain.brokenAt ?? '?'}, whose issuer ${chain.missingIssuer ?? '?'} is not in Node's bundled CA store (nor in --ca)`, fix: 'use a certificate from a public CA; for a private CA in a test, pass its certificate with --ca' });
  }
  if (chain.expired) reasons.push({ code: 'CHECK_CERT_EXPIRED', message: `the certificate expired on ${chain.certificates[0]?.notAfter ?? '?'}`, fix: 'renew the certificate' });
  if (chain.notYetValid) reasons.push({ code: 'CHECK_CERT_NOT_YET_VALID', message: `the certificate is not valid before ${chain.certificates[0]?.notBefore ?? '?'}`, fix: 'check the server clock, or wait until it is valid' });
  if (!chain.hostnameMatch) {
    reasons.push({ code: 'CHECK_HOSTNAME_MISMATCH', message: `the certificate does not name ${host} (it names ${chain.certificates[0]?.altNames ?? chain.certificates[0]?.subject ?? '?'})`, fix: `get a certificate whose subjectAltName includes ${host}` });
  }
  // Fatal findings are reasons above already; the rest are the same warnings `certs inspect` gives.
  for (const f of chain.findings) {
    if (f.severity !== 'warning' || f.code === 'CERT_CHAIN_INCOMPLETE' || f.code === 'CERT_SELF_SIGNED') continue;
    const cut = f.message.lastIndexOf('; ');
    warnings.push({ code: f.code, message: cut < 0 ? f.message : f.message.slice(0, cut), fix: cut < 0 ? '' : f.message.slice(cut + 2) });
  }
}
