/** The verdict rules, on real certificates made at test time and probe results shaped as openssl reports them. */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { analyzeChain, type ChainReport } from '../../src/check/chain.js';
import type { PostResult } from '../../src/check/post.js';
import type { ProbeResults, ProtocolProbe } from '../../src/check/probes.js';
import { verdict, type VerdictInput } from '../../src/check/verdict.js';
import { FASTSPRING_SUITES, SENDER_PORTS } from '../../src/tls/suites.js';
import { makeCert, makeChain } from '../helpers/certs.js';

const NOW = Date.now();
const pki = makeChain();
const served = [new X509Certificate(pki.leaf.cert), new X509Certificate(pki.intermediate.cert)];
const anchors = [{ cert: new X509Certificate(pki.root.cert), source: 'ca-file' as const }];

function protocols(accepted: string[]): ProtocolProbe[] {
  return (['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).map((version) =>
    accepted.includes(version) ? { version, outcome: 'accepted', cipher: version === 'TLSv1.3' ? 'TLS_AES_256_GCM_SHA384' : 'DHE-RSA-AES256-SHA256', error: undefined } : { version, outcome: 'refused', cipher: undefined, error: 'tlsv1 alert protocol version' },
  );
}

/** Probe results where exactly the named suites were accepted. */
function probes(acceptedProtocols: string[], acceptedSuites: string[]): ProbeResults {
  return {
    protocols: protocols(acceptedProtocols),
    suites: FASTSPRING_SUITES.map((suite) => ({ suite, protocol: suite.status === 'tls13' ? 'TLSv1.3' : 'TLSv1.2', outcome: acceptedSuites.includes(suite.openssl) ? 'accepted' : 'refused', error: undefined })),
    chainOutput: undefined,
  };
}

function input(over: Partial<VerdictInput> = {}): VerdictInput {
  return {
    host: 'localhost',
    port: 8443,
    allowedPorts: SENDER_PORTS,
    probes: probes(['TLSv1.2'], ['AES256-SHA256', 'DHE-RSA-AES256-SHA256']),
    chain: analyzeChain(served, 'localhost', false, anchors, NOW),
    post: undefined,
    suites: FASTSPRING_SUITES,
    ...over,
  };
}

const codes = (v: { reasons: { code: string }[] }) => v.reasons.map((r) => r.code);

describe('check verdict', () => {
  it('is COMPATIBLE with TLS 1.2, a sender suite, an RSA key, a complete trusted chain and an allowed port', () => {
    const v = verdict(input());
    expect(v).toMatchObject({ compatible: true, reasons: [] });
  });

  it('needs TLS 1.2: a TLS 1.3-only server is NOT COMPATIBLE even though a sender TLS 1.3 suite is accepted', () => {
    const v = verdict(input({ probes: probes(['TLSv1.3'], ['TLS_AES_256_GCM_SHA384']) }));
    expect(v.compatible).toBe(false);
    expect(codes(v)).toEqual(['CHECK_TLS12_REFUSED']);
    expect(v.reasons[0]!.fix).toMatch(/enable TLS 1.2/);
  });

  it('needs one of the usable suites: DSS and anonymous suites do not count, and ADH is a warning', () => {
    const v = verdict(input({ probes: probes(['TLSv1.2'], ['DHE-DSS-AES256-SHA256', 'ADH-AES256-SHA256']) }));
    expect(codes(v)).toEqual(['CHECK_NO_SENDER_SUITE']);
    expect(v.warnings.map((w) => w.code)).toContain('CHECK_INSECURE_SUITE');
  });

  it('holds the port against the sender list unless allowedPorts is undefined (--allow-any-port)', () => {
    expect(codes(verdict(input({ port: 443 })))).toEqual(['CHECK_PORT_NOT_ALLOWED']);
    expect(verdict(input({ port: 443, allowedPorts: undefined })).compatible).toBe(true);
    for (const port of SENDER_PORTS) expect(verdict(input({ port })).compatible).toBe(true);
  });

  it('reports a leaf without its intermediate as incomplete, and an unknown root as untrusted', () => {
    const leafOnly = analyzeChain([served[0]!], 'localhost', false, anchors, NOW);
    expect(codes(verdict(input({ chain: leafOnly })))).toEqual(['CHECK_CHAIN_INCOMPLETE']);
    const noAnchor = analyzeChain(served, 'localhost', false, [], NOW);
    expect(codes(verdict(input({ chain: noAnchor })))).toEqual(['CHECK_CHAIN_UNTRUSTED']);
  });

  it('reports a host name the certificate does not carry', () => {
    const chain: ChainReport = analyzeChain(served, 'hooks.example.com', false, anchors, NOW);
    const v = verdict(input({ host: 'hooks.example.com', chain }));
    expect(codes(v)).toEqual(['CHECK_HOSTNAME_MISMATCH']);
    expect(v.reasons[0]!.fix).toContain('hooks.example.com');
  });

  it('reports an expired certificate (judged at a clock past its end)', () => {
    const later = analyzeChain(served, 'localhost', false, anchors, NOW + 400 * 86_400_000);
    expect(codes(verdict(input({ chain: later })))).toContain('CHECK_CERT_EXPIRED');
  });

  it('reports a SHA-1 signed intermediate (the sender\'s Java refuses it) in the words serve uses', () => {
    const weakInter = makeCert({ cn: 'sha1 intermediate', isCa: true, md: 'sha1' }, pki.root);
    const leaf = makeCert({ cn: 'localhost' }, weakInter);
    const chain = analyzeChain([new X509Certificate(leaf.cert), new X509Certificate(weakInter.cert)], 'localhost', false, anchors, NOW);
    const v = verdict(input({ chain }));
    expect(codes(v)).toEqual(['CHECK_WEAK_SIGNATURE']);
    expect(v.reasons[0]!.message).toBe("the served chain: sha1 intermediate is signed with SHA-1, which the sender's Java client refuses");
  });

  it('counts only 200 and 202 as a delivered post, and warns on a 202 that does not list the event', () => {
    const post = (status: number | undefined, listed?: boolean): PostResult => ({ ok: status === 200 || status === 202, status, eventId: 'e1', protocol: 'TLSv1.2', cipher: 'AES256-SHA256', listed, error: status === undefined ? 'ECONNRESET' : undefined });
    expect(verdict(input({ post: post(200) })).compatible).toBe(true);
    expect(verdict(input({ post: post(202, true) })).warnings).toEqual([]);
    expect(verdict(input({ post: post(202, false) })).warnings.map((w) => w.code)).toEqual(['CHECK_POST_NOT_LISTED']);
    for (const status of [401, 500, undefined]) expect(codes(verdict(input({ post: post(status) })))).toEqual(['CHECK_POST_FAILED']);
  });

  it('warns when TLS 1.0/1.1 are still accepted, without failing the verdict', () => {
    const v = verdict(input({ probes: probes(['TLSv1', 'TLSv1.1', 'TLSv1.2'], ['AES128-SHA256']) }));
    expect(v.compatible).toBe(true);
    expect(v.warnings.map((w) => w.code)).toEqual(['CHECK_OLD_PROTOCOL']);
  });
});
