import type { X509Certificate } from 'node:crypto';
import { summarize, type CertSummary } from '../check/chain.js';
import { trustAnchors } from '../check/run-check.js';
import { TlsgateError } from '../errors.js';
import { chainFindings, checkCertificate, readFile, type CertFinding } from '../tls/cert-checks.js';
import { issuedBy, parseChain } from '../tls/pem.js';

/** What `tlsgate certs inspect` found in a PEM file. */
export interface InspectReport {
  file: string;
  /** In file order: a server sends them in this order. */
  certificates: CertSummary[];
  /** A certificate of the file is, or is issued by, a root in Node's bundled CA store. */
  trustedByNodeStore: boolean;
  /** The same findings `serve` reports at start and on every reload, in the same words. */
  findings: CertFinding[];
  /** With --key: serve's key check, in serve's words, when it fails. */
  keyProblem: { code: string; message: string } | undefined;
  /** True when `serve` would refuse this certificate (and key). */
  fatal: boolean;
}


/** Inspects a PEM chain (and optionally its key) with the checks `serve` runs. */
export function inspectFile(file: string, keyFile: string | undefined, nowMs: number): InspectReport {
  const text = readFile(file, 'certificate');
  let chain: X509Certificate[];
  try {
    chain = parseChain(text);
  } catch (e) {
    throw new TlsgateError('TLSGATE_CERT_NOT_PEM', `${file}: a certificate block cannot be parsed: ${(e as Error).message}`);
  }
  if (chain.length === 0) {
    const what = text.includes('PRIVATE KEY') ? 'it holds a private key, not a certificate' : text.includes('CERTIFICATE REQUEST') ? 'it is a certificate signing request: send it to your CA and inspect the certificate you get back' : 'no "-----BEGIN CERTIFICATE-----" block found';
    throw new TlsgateError('TLSGATE_CERT_NOT_PEM', `${file} is not a PEM certificate: ${what}`);
  }
  const findings = chainFindings(chain, nowMs, file);
  let keyProblem: InspectReport['keyProblem'];
  if (keyFile !== undefined) {
    try {
      checkCertificate(text, readFile(keyFile, 'key'), nowMs, file, keyFile);
    } catch (e) {
      if (!(e instanceof TlsgateError)) throw e;
      // Chain problems are already findings; only the key's own problems are added here.
      if (e.code === 'TLSGATE_KEY_NOT_PEM' || e.code === 'TLSGATE_CERT_KEY_MISMATCH') keyProblem = { code: e.code, message: e.message };
    }
  }
  const roots = trustAnchors([]).map((a) => a.cert);
  const trustedByNodeStore = chain.some((c) => roots.some((r) => r.fingerprint256 === c.fingerprint256 || issuedBy(c, r)));
  return {
    file,
    certificates: chain.map((c) => summarize(c, nowMs)),
    trustedByNodeStore,
    findings,
    keyProblem,
    fatal: keyProblem !== undefined || findings.some((f) => f.severity === 'fatal'),
  };
}

/** The report as readable text, FATAL and warning lines in the words serve uses. */
export function renderInspect(r: InspectReport): string {
  const out: string[] = [`${r.file}: ${r.certificates.length} certificate(s), in file order`];
  r.certificates.forEach((c, i) => {
    const key = c.keyBits !== undefined ? `${c.keyType.toUpperCase()} ${c.keyBits} bits` : `${c.keyType.toUpperCase()} ${c.curve ?? ''}`.trim();
    out.push(`  ${i + 1}. subject:   ${c.subject}${c.ca ? ' (CA)' : ''}${c.selfSigned ? ' (self-signed)' : ''}`);
    if (c.altNames) out.push(`     SANs:      ${c.altNames}`);
    out.push(`     issuer:    ${c.issuer}`);
    out.push(`     valid:     ${c.notBefore} to ${c.notAfter} (${c.daysToExpiry} days left)`);
    out.push(`     key:       ${key}`);
    out.push(`     signature: ${c.signature}`);
  });
  const incomplete = r.findings.some((f) => f.code === 'CERT_CHAIN_INCOMPLETE');
  const unordered = r.findings.some((f) => f.code === 'CERT_CHAIN_UNORDERED' || f.code === 'TLSGATE_CERT_CHAIN_ORDER');
  out.push(`  chain order: ${unordered ? 'WRONG (see below)' : 'leaf first, each certificate followed by its issuer'}`);
  out.push(`  chain complete: ${incomplete ? 'NO (see below)' : 'yes'}; reaches a root in Node's CA store: ${r.trustedByNodeStore ? 'yes' : 'no (the sender will not trust it unless it is a public CA)'}`);
  for (const f of r.findings) out.push(`  ${f.severity === 'fatal' ? 'FATAL' : 'warning'}: ${f.message} [${f.code}]`);
  if (r.keyProblem) out.push(`  FATAL: ${r.keyProblem.message} [${r.keyProblem.code}]`);
  out.push(r.fatal ? '  => tlsgate serve refuses this certificate' : r.findings.length > 0 ? '  => usable by tlsgate serve, with the warnings above' : '  => OK for the sender');
  return out.join('\n') + '\n';
}
