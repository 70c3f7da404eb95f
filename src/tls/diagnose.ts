/**
 * Explains a failed handshake: one classification a program can count and one sentence a
 * person can act on. Pure: the error, what the client offered, and what this listener serves.
 */
import type { X509Certificate } from 'node:crypto';
import { commonName } from './pem.js';
import { looksLikeHttp, looksLikeSslv2Hello, type HelloSummary } from './hello-parse.js';

/** Why a handshake failed, as counted in logs, activity and metrics. */
export type Classification =
  | 'no_shared_protocol'
  | 'no_shared_cipher'
  | 'plain_http'
  | 'not_tls'
  | 'client_rejected_certificate'
  | 'unknown_sni'
  | 'client_alert'
  | 'handshake_timeout'
  | 'connection_reset'
  | 'empty_connection'
  | 'other';

/** Every classification, for docs, metrics and tests. */
export const CLASSIFICATIONS: readonly Classification[] = Object.freeze([
  'no_shared_protocol', 'no_shared_cipher', 'plain_http', 'not_tls', 'client_rejected_certificate', 'unknown_sni',
  'client_alert', 'handshake_timeout', 'connection_reset', 'empty_connection', 'other',
] as const);

/** What the failing listener serves. */
export interface DiagnosisContext {
  /** Suites this listener offers, in server order. */
  suites: readonly { iana: string; id: number }[];
  /** Our leaf certificate: the SNI is matched against it (and its names named) only on an alert. */
  leaf: X509Certificate | undefined;
  selfSigned: boolean;
  chainLength: number;
  /** The listener's handshake deadline, for the timeout hint. */
  deadlineMs: number;
}

/** The failure as Node reported it, plus what the hello capture saw. */
export interface DiagnoseInput {
  code: string;
  reason: string;
  /** OpenSSL's full message: it carries "SSL alert number N" for alerts the client sent. */
  message?: string;
  hello?: HelloSummary;
  /** First bytes when they were not a ClientHello. */
  head?: Buffer;
  bytesReceived?: number;
}

/** The diagnosis fields logged with every failed handshake. */
export interface Diagnosis {
  classification: Classification;
  hint: string;
  sni: string | undefined;
  offeredVersions: string[] | undefined;
  offeredSuites: string[] | undefined;
  alpn: string[] | undefined;
  ja3: string | undefined;
  ja4: string | undefined;
  /** The alert the client sent, e.g. `unknown_ca (48)`. */
  alert: string | undefined;
  bytesReceived: number | undefined;
}

const ALERTS: Readonly<Record<number, string>> = Object.freeze({
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 22: 'record_overflow', 40: 'handshake_failure',
  42: 'bad_certificate', 43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired',
  46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error',
  51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 100: 'no_renegotiation', 110: 'unsupported_extension',
  112: 'unrecognized_name', 116: 'certificate_required', 120: 'no_application_protocol',
});

/** Alerts a client sends when it does not accept the server's certificate. */
const CERT_ALERTS: ReadonlySet<number> = new Set([42, 43, 44, 45, 46, 48]);
/** Signalling values, not real suites: they never make a handshake succeed. */
const SCSV: ReadonlySet<number> = new Set([0x00ff, 0x5600]);
const PROTOCOL_CODES: ReadonlySet<string> = new Set(['ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_VERSION_TOO_LOW', 'ERR_SSL_VERSION_TOO_HIGH', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION']);
const NOT_TLS_CODES: ReadonlySet<string> = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_RECORD_LENGTH_MISMATCH', 'ERR_SSL_UNKNOWN_PROTOCOL']);

/** Classifies one failed handshake and says what to change. */
export function diagnose(input: DiagnoseInput, ctx: DiagnosisContext): Diagnosis {
  const { hello } = input;
  const alertNo = alertNumber(input);
  const base = {
    sni: hello?.sni,
    offeredVersions: hello?.offeredVersions,
    offeredSuites: hello?.offeredSuites,
    alpn: hello?.alpn,
    ja3: hello?.ja3,
    ja4: hello?.ja4,
    alert: alertNo === undefined ? undefined : `${ALERTS[alertNo] ?? 'unknown'} (${alertNo})`,
    bytesReceived: input.bytesReceived,
  };
  const [classification, hint] = classify(input, ctx, alertNo);
  return { classification, hint, ...base };
}

function classify(input: DiagnoseInput, ctx: DiagnosisContext, alertNo: number | undefined): [Classification, string] {
  const { code, hello, head } = input;
  const bytes = input.bytesReceived ?? 0;
  const secs = Math.round(ctx.deadlineMs / 100) / 10;
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    if (!hello && bytes === 0) return ['handshake_timeout', `The client opened a connection and sent nothing for ${secs}s; that is a port scanner or a stalled network path, not the sender, which sends its ClientHello at once.`];
    if (!hello) return ['handshake_timeout', `The client sent only ${bytes} bytes of its ClientHello and then nothing for ${secs}s; look for a network path that stalls or drops packets (MTU, firewall) or a slow scanner.`];
    return ['handshake_timeout', `The client sent its ClientHello but did not finish the handshake within ${secs}s; it may be stalled checking our certificate, or the network between it and tlsgate loses packets.`];
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') {
    if (!hello && bytes === 0) return ['empty_connection', 'The client connected and closed without sending a byte: a TCP health check or a port scan, nothing to fix.'];
    return ['connection_reset', `The client hung up mid-handshake without sending an alert${hello ? ' after its ClientHello' : ` after ${bytes} bytes`}; if this is the sender, check for a TLS-inspecting proxy or firewall in the path and that the certificate chain is complete.`];
  }
  if (looksLikeHttp(head) || code === 'ERR_SSL_HTTP_REQUEST' || code === 'ERR_SSL_HTTPS_PROXY_REQUEST') {
    return ['plain_http', 'The client sent plain HTTP to this TLS port; use an https:// URL for this port in the webhook settings.'];
  }
  if (!hello && looksLikeSslv2Hello(head)) {
    return ['no_shared_protocol', 'The client sent an SSLv2-format hello, which only very old clients use; tlsgate speaks TLS 1.2 only, like the sender, so upgrade the client.'];
  }
  if (!hello && ((head && head[0] !== 0x16) || NOT_TLS_CODES.has(code))) {
    const first = head?.[0] === undefined ? '' : ` (first byte 0x${head[0].toString(16).padStart(2, '0')})`;
    return ['not_tls', `The client sent bytes that are not TLS${first}; something other than a TLS client (a scanner, or another protocol) is connecting to this port.`];
  }
  if (alertNo !== undefined) return classifyAlert(alertNo, hello, ctx);
  if (hello && !hello.offeredVersions.includes('TLSv1.2')) return ['no_shared_protocol', versionHint(hello.offeredVersions)];
  const offered = hello?.suiteIds.filter((id) => !SCSV.has(id));
  const shared = offered?.some((id) => ctx.suites.some((s) => s.id === id));
  if (code === 'ERR_SSL_NO_SHARED_CIPHER' || (offered && !shared)) return ['no_shared_cipher', cipherHint(hello, ctx)];
  if (PROTOCOL_CODES.has(code)) return ['no_shared_protocol', 'The client and tlsgate share no protocol version; tlsgate speaks TLS 1.2 only, like the sender, so allow TLS 1.2 in the client.'];
  return ['other', `OpenSSL reported "${input.reason}"; compare what the client offered (offeredVersions, offeredSuites) with what tlsgate serves: TLS 1.2 with ${ctx.suites.map((s) => s.iana).join(', ')}.`];
}

function classifyAlert(n: number, hello: HelloSummary | undefined, ctx: DiagnosisContext): [Classification, string] {
  const name = ALERTS[n] ?? 'unknown';
  const sni = hello?.sni;
  // Node's own RFC 6125 matching (SANs, else the CN; one left-most wildcard label).
  const sniMismatch = sni !== undefined && ctx.leaf !== undefined && ctx.leaf.checkHost(sni) === undefined;
  if (n === 112 || (sniMismatch && (n === 42 || n === 46))) {
    return ['unknown_sni', `The client asked for "${sni ?? '(none)'}" but our certificate covers ${certificateNames(ctx.leaf).join(', ') || '(no names)'}; add that name to the certificate or point the webhook URL at a name it covers.`];
  }
  if (CERT_ALERTS.has(n)) {
    const why = ctx.selfSigned
      ? 'our certificate is self-signed, which the sender does not trust; install a CA-issued certificate with its intermediates'
      : n === 45 ? 'the client says a certificate in our chain has expired; renew it and include the current intermediates'
      : ctx.chainLength < 2 ? 'our file holds only the leaf, so the chain is incomplete; append the intermediate certificate(s) after the leaf, since Java clients do not fetch intermediates'
      : 'the chain is probably incomplete or not from a CA the client trusts; serve leaf plus all intermediates (Java clients do not fetch missing ones)';
    return ['client_rejected_certificate', `The client rejected our certificate (alert ${name}, ${n}): ${why}.`];
  }
  if (n === 71) return ['client_alert', 'The client found our parameters too weak (insufficient_security): it probably refuses DHE or CBC suites; allow TLS 1.2 with the sender\'s suites in the client.'];
  if (n === 70) return ['no_shared_protocol', versionHint(hello?.offeredVersions ?? [])];
  return ['client_alert', `The client ended the handshake with alert ${name} (${n}); it did not accept what tlsgate offered (TLS 1.2, ${ctx.suites.map((s) => s.iana).join(', ')}).`];
}

function versionHint(offered: readonly string[]): string {
  if (offered.length > 0 && offered.every((v) => v === 'TLSv1.3')) {
    return 'The client offered only TLS 1.3, but tlsgate speaks TLS 1.2 only, like the sender; allow TLS 1.2 in the client (the sender itself always uses TLS 1.2).';
  }
  const list = offered.length > 0 ? offered.join(', ') : 'an old version';
  return `The client offered only ${list}, which tlsgate refuses because the sender uses TLS 1.2; upgrade the client or its settings to TLS 1.2.`;
}

function cipherHint(hello: HelloSummary | undefined, ctx: DiagnosisContext): string {
  const ours = ctx.suites.map((s) => s.iana).join(', ');
  const names = (hello?.offeredSuites ?? []).filter((n) => !n.endsWith('_SCSV') && !/^TLS_(AES|CHACHA20|AEGIS)_/.test(n));
  const sample = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  if (!hello || names.length === 0) return `The client offered no suite tlsgate serves; tlsgate offers the sender's TLS 1.2 suites only: ${ours}.`;
  if (names.every((n) => n.includes('_ECDSA_'))) {
    return `The client offered only ECDSA suites (${sample}), which need an ECDSA certificate that the sender never uses; enable one of the sender's RSA suites in the client: ${ours}.`;
  }
  if (names.every((n) => n.startsWith('TLS_ECDHE_'))) {
    return `The client offered only ECDHE suites (${sample}), but tlsgate offers only the sender's DHE-RSA and RSA CBC-SHA256 suites; enable one of them in the client: ${ours}.`;
  }
  return `None of the ${names.length} suites the client offered (${sample}) is one tlsgate serves; enable one of the sender's suites in the client: ${ours}.`;
}

/** The alert number from OpenSSL's message, else from the error code's alert name. */
function alertNumber(input: DiagnoseInput): number | undefined {
  const m = /SSL alert number (\d+)/.exec(input.message ?? '');
  if (m) return Number(m[1]);
  const name = /_ALERT_([A-Z_]+)$/.exec(input.code)?.[1]?.toLowerCase() ?? (input.code.endsWith('_UNRECOGNIZED_NAME') ? 'unrecognized_name' : undefined);
  if (!name) return undefined;
  const hit = Object.entries(ALERTS).find(([, v]) => v === name);
  return hit ? Number(hit[0]) : undefined;
}

/** The names a certificate covers, for the hint: its DNS and IP subjectAltNames, else its CN. */
export function certificateNames(cert: X509Certificate | undefined): string[] {
  if (!cert) return [];
  const names = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .map((e) => /^(?:DNS|IP Address):(.+)$/.exec(e.trim())?.[1])
    .filter((n): n is string => n !== undefined);
  return names.length > 0 ? names : [commonName(cert)];
}
