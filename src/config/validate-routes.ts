import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { DEFAULTS, type RouteConfig, type UpstreamConfig, type UpstreamTlsConfig } from './schema.js';
import { splitPemCertificates } from '../tls/pem.js';
import { IssueSink, Obj, type YamlPath } from './reader.js';
import { readRouteSecurity, ROUTE_SECURITY_KEYS } from './validate-security.js';

const ROUTE_KEYS = ['name', 'path', 'host', 'upstream', 'maxBodyBytes', ...ROUTE_SECURITY_KEYS] as const;
const UPSTREAM_KEYS = ['url', 'timeout', 'hostHeader', 'bufferBody', 'tls'] as const;
const TLS_KEYS = ['minVersion', 'ciphers', 'servername', 'ca', 'pin', 'verify'] as const;
const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** Validates `routes:`; first match wins at run time, so order is kept. */
export function readRoutes(sink: IssueSink, root: Obj, baseDir: string): RouteConfig[] {
  const out: RouteConfig[] = [];
  for (const item of root.list('routes', true)) {
    const o = Obj.from(sink, item.path, item.value, 'a route');
    if (!o) continue;
    o.onlyKeys(ROUTE_KEYS);
    const p = o.str('path', '/')!;
    if (!p.startsWith('/')) sink.error(o.at('path'), `must start with "/", got ${JSON.stringify(p)}`);
    const host = o.optStr('host')?.toLowerCase();
    const maxBodyBytes = o.int('maxBodyBytes', DEFAULTS.maxBodyBytes, 0, 1024 * 1024 * 1024)!;
    const upstream = readUpstream(sink, o, baseDir);
    const { allow, methods, verify } = readRouteSecurity(sink, o);
    const index = item.path[item.path.length - 1];
    const name = o.str('name', `route${String(index)}`)!;
    if (upstream) out.push({ name, path: p, host, upstream, maxBodyBytes, allow, methods, verify });
  }
  return out;
}

/** Reads `upstream:` in its short form (a URL) or long form (a mapping). */
function readUpstream(sink: IssueSink, route: Obj, baseDir: string): UpstreamConfig | undefined {
  const v = route.value['upstream'];
  const at = route.at('upstream');
  if (v === undefined || v === null) {
    sink.error(at, 'is required: the URL to forward to, e.g. http://127.0.0.1:8080');
    return undefined;
  }
  if (typeof v === 'string') {
    return checkUrl(sink, at, v) ? { url: v, timeoutMs: DEFAULTS.upstreamTimeoutMs, hostHeader: undefined, bufferBody: false, tls: defaultTls(v) } : undefined;
  }
  const o = Obj.from(sink, at, v, 'an upstream: url, timeout, hostHeader, bufferBody, tls');
  if (!o) return undefined;
  o.onlyKeys(UPSTREAM_KEYS);
  const url = o.str('url');
  const timeoutMs = o.duration('timeout', DEFAULTS.upstreamTimeoutMs, 3600_000);
  const hostHeader = o.optStr('hostHeader');
  const bufferBody = o.bool('bufferBody', false);
  if (url === undefined || !checkUrl(sink, o.at('url'), url)) return undefined;
  const tlsObj = o.obj('tls', 'upstream TLS settings');
  if (tlsObj && !url.startsWith('https:')) sink.warn(tlsObj.path, 'is ignored: the upstream URL is http://, not https://');
  const tls = tlsObj ? readTls(sink, tlsObj, url, baseDir) : defaultTls(url);
  return { url, timeoutMs, hostHeader, bufferBody, tls };
}

function checkUrl(sink: IssueSink, at: YamlPath, raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    sink.error(at, `is not a URL: ${JSON.stringify(raw)}; expected http://host:port or https://host:port`);
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    sink.error(at, `must be an http:// or https:// URL, got ${u.protocol}//`);
    return false;
  }
  if (u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
    sink.error(at, 'must not carry a query, fragment or credentials');
    return false;
  }
  return true;
}

function defaultTls(url: string): UpstreamTlsConfig {
  return {
    minVersion: DEFAULTS.upstreamMinVersion,
    ciphers: DEFAULTS.upstreamCiphers,
    servername: defaultServername(url),
    ca: undefined,
    pin: undefined,
    verify: true,
  };
}

/** SNI defaults to the URL's host when it is a name; SNI must never carry an IP address. */
function defaultServername(url: string): string | undefined {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host;
}

function readTls(sink: IssueSink, o: Obj, url: string, baseDir: string): UpstreamTlsConfig {
  o.onlyKeys(TLS_KEYS);
  const minVersion = o.oneOf('minVersion', TLS_VERSIONS, DEFAULTS.upstreamMinVersion);
  const ciphers = o.str('ciphers', DEFAULTS.upstreamCiphers)!;
  checkCiphers(sink, o.at('ciphers'), ciphers, minVersion);
  const servername = o.optStr('servername') ?? defaultServername(url);
  if (o.has('servername') && net.isIP(servername ?? '') !== 0) {
    sink.error(o.at('servername'), `must be a DNS name (SNI cannot carry an IP address), got ${JSON.stringify(servername)}; leave it out to check the certificate against the URL's IP address`);
  }
  const verify = o.bool('verify', true);
  const pin = o.optStr('pin');
  if (pin !== undefined && !isValidPin(pin)) {
    sink.error(o.at('pin'), 'must be "sha256/" followed by the base64 SHA-256 (32 bytes) of the upstream\'s public key, as curl --pinnedpubkey; get it with: openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64');
  }
  let ca: string | undefined;
  const caRaw = o.optStr('ca');
  if (caRaw !== undefined) {
    ca = path.resolve(baseDir, caRaw);
    checkPemFile(sink, o.at('ca'), ca);
  }
  if (!verify) {
    const what = pin === undefined ? 'the upstream certificate is not checked; anyone between tlsgate and the backend can read and alter webhooks. Prefer ca: or pin:' : 'the CA and host-name checks are off; the pin is still enforced';
    sink.warn(o.at('verify'), `is false: ${what}`);
  }
  return { minVersion, ciphers, servername, ca, pin, verify };
}

/** True for `sha256/` + base64 of exactly 32 bytes. */
export function isValidPin(pin: string): boolean {
  const m = /^sha256\/([A-Za-z0-9+/]{43}=)$/.exec(pin);
  return m !== null && Buffer.from(m[1]!, 'base64').length === 32;
}

function checkPemFile(sink: IssueSink, at: YamlPath, file: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    sink.error(at, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return;
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    sink.error(at, `${file} holds a private key: ca: needs the backend's CA certificate (or its self-signed certificate), never a key; remove the key from that file`);
    return;
  }
  const blocks = splitPemCertificates(text);
  if (blocks.length === 0) {
    sink.error(at, `${file} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block); convert a DER file with: openssl x509 -inform der -in FILE -out FILE.pem`);
    return;
  }
  blocks.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch (e) {
      sink.error(at, `${file}: certificate #${i + 1} cannot be parsed (${(e as Error).message}); replace it with an intact PEM copy`);
    }
  });
}

/** OpenSSL rejects a cipher string with no usable suite: catch that at start-up, not per request. */
function checkCiphers(sink: IssueSink, at: YamlPath, ciphers: string, minVersion: UpstreamTlsConfig['minVersion']): void {
  try {
    tls.createSecureContext({ ciphers, minVersion });
  } catch (e) {
    sink.error(at, `is not a cipher list OpenSSL accepts (${(e as Error).message}): use OpenSSL names joined by ":", e.g. "DEFAULT:@SECLEVEL=0" (the default) or "AES128-SHA:@SECLEVEL=0"`);
  }
}
