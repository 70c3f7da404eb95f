/**
 * PROXY protocol v1 (text) and v2 (binary) headers, read off the raw TCP socket before TLS,
 * so a load balancer in front of tlsgate can tell it the sender's real address. Only used when
 * a listener sets `trustProxy`: anyone who can reach a trusting listener can claim any address.
 */
import type { Socket } from 'node:net';
import { parseAddress } from './cidr.js';

/** The v2 signature: 12 bytes no HTTP or TLS stream can start with. */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** The spec's bound for a v1 line, CRLF included. */
const V1_MAX = 107;

/** The addresses a header announced; undefined for LOCAL (v2) / UNKNOWN (v1): keep the socket's own. */
export interface ProxiedPeer {
  sourceAddress: string;
  sourcePort: number;
  destinationAddress: string;
  destinationPort: number;
}

/** What parsing a buffer prefix gave. */
export type ProxyParse =
  | { state: 'incomplete' }
  | { state: 'invalid'; reason: string }
  | { state: 'done'; length: number; version: 1 | 2; peer: ProxiedPeer | undefined };

/** Parses a PROXY v1 or v2 header at the start of `buf`; never throws. */
export function parseProxyHeader(buf: Buffer): ProxyParse {
  if (buf.length === 0) return { state: 'incomplete' };
  if (buf[0] === 0x0d) return parseV2(buf);
  if (buf[0] === 0x50) return parseV1(buf);
  return { state: 'invalid', reason: 'no PROXY protocol header (the connection did not come through the proxy)' };
}

function parseV1(buf: Buffer): ProxyParse {
  const head = buf.subarray(0, Math.min(buf.length, 6)).toString('latin1');
  if (!'PROXY '.startsWith(head)) return { state: 'invalid', reason: 'no PROXY protocol header (the connection did not come through the proxy)' };
  const end = buf.indexOf('\r\n');
  if (end < 0) return buf.length >= V1_MAX ? { state: 'invalid', reason: `PROXY v1 line longer than ${V1_MAX} bytes` } : { state: 'incomplete' };
  if (end + 2 > V1_MAX) return { state: 'invalid', reason: `PROXY v1 line longer than ${V1_MAX} bytes` };
  const parts = buf.subarray(0, end).toString('latin1').split(' ');
  const done = (peer: ProxiedPeer | undefined): ProxyParse => ({ state: 'done', length: end + 2, version: 1, peer });
  if (parts[1] === 'UNKNOWN') return done(undefined);
  if (parts.length !== 6 || (parts[1] !== 'TCP4' && parts[1] !== 'TCP6')) return { state: 'invalid', reason: 'malformed PROXY v1 line' };
  const [, family, src, dst, sport, dport] = parts as [string, string, string, string, string, string];
  const want = family === 'TCP4' ? 'ipv4' : 'ipv6';
  const s = parseAddress(src);
  const d = parseAddress(dst);
  const sp = port(sport);
  const dp = port(dport);
  // A TCP6 line may carry IPv4-mapped addresses, which parseAddress reports as IPv4.
  if (!s || !d || sp === undefined || dp === undefined || (want === 'ipv4' && (s.kind() !== 'ipv4' || d.kind() !== 'ipv4'))) {
    return { state: 'invalid', reason: `malformed ${family} addresses in PROXY v1 line` };
  }
  return done({ sourceAddress: src, sourcePort: sp, destinationAddress: dst, destinationPort: dp });
}

function parseV2(buf: Buffer): ProxyParse {
  const n = Math.min(buf.length, V2_SIGNATURE.length);
  if (!buf.subarray(0, n).equals(V2_SIGNATURE.subarray(0, n))) return { state: 'invalid', reason: 'no PROXY protocol header (bad v2 signature)' };
  if (buf.length < 16) return { state: 'incomplete' };
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return { state: 'invalid', reason: `PROXY v2 header with version ${verCmd >> 4}` };
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return { state: 'invalid', reason: `PROXY v2 header with unknown command ${cmd}` };
  const length = 16 + buf.readUInt16BE(14);
  if (buf.length < length) return { state: 'incomplete' };
  const done = (peer: ProxiedPeer | undefined): ProxyParse => ({ state: 'done', length, version: 2, peer });
  // LOCAL: the proxy's own connection (health checks); the socket's address is the truth.
  if (cmd === 0) return done(undefined);
  const fam = buf[13]!;
  const body = buf.subarray(16, length);
  if (fam === 0x11 || fam === 0x12) {
    if (body.length < 12) return { state: 'invalid', reason: 'PROXY v2 IPv4 block too short' };
    return done({ sourceAddress: [...body.subarray(0, 4)].join('.'), destinationAddress: [...body.subarray(4, 8)].join('.'), sourcePort: body.readUInt16BE(8), destinationPort: body.readUInt16BE(10) });
  }
  if (fam === 0x21 || fam === 0x22) {
    if (body.length < 36) return { state: 'invalid', reason: 'PROXY v2 IPv6 block too short' };
    return done({ sourceAddress: ipv6(body.subarray(0, 16)), destinationAddress: ipv6(body.subarray(16, 32)), sourcePort: body.readUInt16BE(32), destinationPort: body.readUInt16BE(34) });
  }
  // UNSPEC or UNIX sockets: nothing usable as an IP address, keep the socket's own.
  return done(undefined);
}

function ipv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return parseAddress(groups.join(':'))!.toString();
}

function port(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/** A PROXY header that could not be read; the socket should be closed. */
export class ProxyHeaderError extends Error {}

/**
 * Reads one PROXY header off `socket`, then puts every byte after it back, so TLS starts
 * exactly where the header ended. Rejects on garbage, on close, or after `timeoutMs` of waiting.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<{ version: 1 | 2; peer: ProxiedPeer | undefined }> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const finish = (err: Error | undefined, value?: { version: 1 | 2; peer: ProxiedPeer | undefined }, rest?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      socket.pause();
      if (err) return reject(err);
      if (rest && rest.length > 0) socket.unshift(rest);
      resolve(value!);
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const r = parseProxyHeader(buf);
      if (r.state === 'incomplete') return;
      if (r.state === 'invalid') return finish(new ProxyHeaderError(r.reason));
      finish(undefined, { version: r.version, peer: r.peer }, buf.subarray(r.length));
    };
    const onClose = () => finish(new ProxyHeaderError('connection closed before a complete PROXY header'));
    const timer = setTimeout(() => finish(new ProxyHeaderError(`no complete PROXY header within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onClose);
  });
}
