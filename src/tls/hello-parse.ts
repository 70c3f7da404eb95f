/**
 * Turns a ClientHello into the facts a person needs to explain a failed handshake: which
 * versions and suites the client offered (by IANA name), SNI, ALPN and its JA3/JA4 prints.
 * Everything here tolerates garbage: a scanner's bytes must never break diagnosis.
 */
import { Readable } from 'node:stream';
import {
  calculateJa3,
  calculateJa4,
  CIPHER_SUITES,
  getExtensionData,
  isGREASE,
  readTlsClientHello,
  type TlsClientHelloMessage,
} from 'read-tls-client-hello';

/** What a ClientHello offered, ready to log. */
export interface HelloSummary {
  /** Versions the client can speak, highest first, in Node's naming (TLSv1.2, TLSv1.3…). */
  offeredVersions: string[];
  /** Offered suites by IANA name (GREASE values dropped; unknown ids as 0xNNNN). */
  offeredSuites: string[];
  /** The same suites as code points, for comparisons. */
  suiteIds: number[];
  sni: string | undefined;
  alpn: string[];
  ja3: string | undefined;
  ja4: string | undefined;
  /** True when the hello carried the supported_versions extension (TLS 1.3-capable client). */
  hasSupportedVersions: boolean;
}

const VERSION_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x0200: 'SSLv2',
  0x0300: 'SSLv3',
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
});

/** A protocol version code point in Node's naming (`TLSv1.2`), or `0xNNNN` when unknown. */
export function versionName(v: number): string {
  return VERSION_NAMES[v] ?? hex(v);
}

/**
 * A suite code point by IANA name. The table is the full IANA registry shipped with
 * read-tls-client-hello, so modern suites (ECDHE-GCM, ChaCha20, TLS 1.3) that the sender never
 * offers are still named: those are exactly the ones a misconfigured client shows up with.
 */
export function suiteName(id: number): string {
  return CIPHER_SUITES[id] ?? hex(id);
}

/** Summarises a parsed ClientHello; never throws, whatever the extension data holds. */
export function summarizeHello(msg: TlsClientHelloMessage): HelloSummary {
  const suiteIds = (Array.isArray(msg.cipherSuites) ? msg.cipherSuites : []).filter((id) => Number.isInteger(id) && !isGREASE(id));
  const supported = safe(() => getExtensionData(msg, 0x002b)?.versions, undefined);
  const versions = Array.isArray(supported) ? supported.filter((v) => Number.isInteger(v) && !isGREASE(v)) : undefined;
  // Without supported_versions the legacy field is the client's highest version (RFC 5246 E.1).
  const offered = versions && versions.length > 0 ? [...new Set(versions)].sort((a, b) => b - a) : [msg.version];
  const sni = safe(() => getExtensionData(msg, 0x0000)?.serverName, undefined);
  const alpn = safe(() => getExtensionData(msg, 0x0010)?.protocols, undefined);
  return {
    offeredVersions: offered.map(versionName),
    offeredSuites: suiteIds.map(suiteName),
    suiteIds,
    sni: typeof sni === 'string' && sni !== '' ? printable(sni) : undefined,
    alpn: Array.isArray(alpn) ? alpn.filter((p): p is string => typeof p === 'string').map(printable) : [],
    ja3: safe(() => calculateJa3(msg), undefined),
    ja4: safe(() => calculateJa4(msg), undefined),
    hasSupportedVersions: versions !== undefined,
  };
}

/**
 * Parses raw bytes that should start with a TLS handshake record holding a ClientHello.
 * Resolves undefined for anything else (truncated, not TLS, not a hello); never rejects.
 */
export async function parseHelloBytes(bytes: Buffer): Promise<HelloSummary | undefined> {
  // Check the record framing first so the stream parser only ever sees one whole record.
  if (bytes.length < 5 || bytes[0] !== 0x16) return undefined;
  const len = bytes.readUInt16BE(3);
  if (bytes.length < 5 + len) return undefined;
  try {
    const msg = await readTlsClientHello(Readable.from(bytes.subarray(0, 5 + len), { objectMode: false }));
    return summarizeHello(msg);
  } catch {
    return undefined;
  }
}

/** True when the bytes look like the start of a plain-HTTP request line. */
export function looksLikeHttp(head: Buffer | undefined): boolean {
  if (!head || head.length === 0) return false;
  const text = head.subarray(0, 8).toString('latin1');
  return /^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE|PRI) ?/.test(text) || /^(G|GE|P|PO|POS|PU|H|HE|HEA)$/.test(text);
}

/** True when the bytes look like an SSLv2-format ClientHello (very old clients). */
export function looksLikeSslv2Hello(head: Buffer | undefined): boolean {
  return !!head && head.length >= 3 && (head[0]! & 0x80) !== 0 && head[2] === 0x01;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(4, '0');
}

/** Keeps names safe to print: control bytes from a hostile client become `?`. */
function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 255);
}

function safe<T, F>(fn: () => T, fallback: F): T | F {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
