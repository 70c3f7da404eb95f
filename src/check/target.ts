import net from 'node:net';
import { TlsgateError } from '../errors.js';

/** The endpoint `tlsgate check` probes, taken apart from its URL. */
export interface CheckTarget {
  url: string;
  /** Host name or IP address, without IPv6 brackets. */
  host: string;
  port: number;
  path: string;
  /** True when `host` is an IP address: no SNI is sent and the certificate must name the IP. */
  isIp: boolean;
  /** `host:port` as openssl's -connect wants it (IPv6 in brackets). */
  connect: string;
}

/** Parses `https://host[:port][/path]`; anything else is a usage error saying what to write. */
export function parseTarget(raw: string): CheckTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new TlsgateError('TLSGATE_USAGE', `"${raw}" is not a URL; write it as https://host[:port][/path], e.g. https://hooks.example.com:8443/fastspring`);
  }
  if (u.protocol !== 'https:') {
    throw new TlsgateError('TLSGATE_USAGE', `"${raw}" uses ${u.protocol.replace(':', '')}; the sender posts only over https, so check an https:// URL`);
  }
  if (u.username !== '' || u.password !== '') {
    throw new TlsgateError('TLSGATE_USAGE', `"${u.host}": user:password in the URL is not supported; the sender authenticates with X-FS-Signature, not a password in the URL`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port === '' ? 443 : Number(u.port);
  const isIp = net.isIP(host) !== 0;
  return { url: u.href, host, port, path: `${u.pathname}${u.search}`, isIp, connect: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}` };
}

/** Opens (and closes) one TCP connection, so "cannot connect" is told apart from "handshake refused". */
export function tcpReachable(target: CheckTarget, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const fail = (why: string) => {
      socket.destroy();
      reject(new TlsgateError('TLSGATE_CHECK_UNREACHABLE', `cannot connect to ${target.connect}: ${why}`, { hint: 'check the host name and port, that the server is running, and that no firewall blocks this machine' }));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}
