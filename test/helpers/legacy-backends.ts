/**
 * Legacy backends for tests, all real servers on 127.0.0.1 port 0: Node HTTPS limited to old
 * TLS versions and ciphers, `openssl s_server` answering HTTP through its stdin, and a raw
 * `net` HTTP/1.0 server that refuses chunked bodies like old servers do.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type tls from 'node:tls';
import type { Received } from './backend.js';
import { writeFiles } from './certs.js';

/** A request as a legacy backend saw it, with the TLS it arrived over. */
export interface LegacyReceived extends Received {
  protocol?: string;
  cipher?: string;
  servername?: string;
}

/** A running legacy backend. */
export interface LegacyBackend {
  port: number;
  url: string;
  received: LegacyReceived[];
  /** TCP connections accepted (HTTPS: completed handshakes). */
  connections: number;
  /** HTTPS only: handshakes the backend saw fail. */
  handshakeFailures: number;
  close(): Promise<void>;
}

/** Options for a Node HTTPS backend limited to a TLS version range and cipher list. */
export interface TlsBackendOptions {
  cert: string;
  key: string;
  minVersion: tls.SecureVersion;
  maxVersion: tls.SecureVersion;
  ciphers: string;
  /** Host in the URL (a name makes tlsgate send SNI); default: the listen address. */
  host?: string;
  /** Loopback address to listen on: 127.0.0.1 (default) or ::1. */
  listen?: '127.0.0.1' | '::1';
}

/** A Node HTTPS backend that answers 200 "processed" and records each request. */
export async function startTlsBackend(opts: TlsBackendOptions): Promise<LegacyBackend & { server: https.Server; closedConnections: number }> {
  const received: LegacyReceived[] = [];
  const server = https.createServer({ cert: opts.cert, key: opts.key, minVersion: opts.minVersion, maxVersion: opts.maxVersion, ciphers: opts.ciphers }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const sock = req.socket as tls.TLSSocket;
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        httpVersion: req.httpVersion,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
        protocol: sock.getProtocol() ?? undefined,
        cipher: sock.getCipher()?.name,
        servername: (sock as tls.TLSSocket & { servername?: string | false }).servername || undefined,
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('processed');
    });
  });
  const b = { connections: 0, handshakeFailures: 0, closedConnections: 0, server };
  server.on('secureConnection', (s) => {
    b.connections++;
    s.once('close', () => b.closedConnections++);
  });
  server.on('tlsClientError', () => b.handshakeFailures++);
  const listen = opts.listen ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, listen, resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(b, {
    port,
    url: `https://${opts.host ?? (listen === '::1' ? '[::1]' : listen)}:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/**
 * A raw HTTP/1.0 server: answers `411 Length Required` to a chunked body (what old servers do),
 * otherwise reads Content-Length bytes and answers 200 with a body delimited by closing the
 * connection (no Content-Length), as HTTP/1.0 allows.
 */
export async function startHttp10Backend(): Promise<LegacyBackend & { rawHeads: string[] }> {
  const received: LegacyReceived[] = [];
  const rawHeads: string[] = [];
  const sockets = new Set<net.Socket>();
  const b = { connections: 0, handshakeFailures: 0 };
  const server = net.createServer((sock) => {
    b.connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let answered = false;
    sock.on('data', (c: Buffer) => {
      if (answered) return;
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const [requestLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        answered = true;
        rawHeads.push(head);
        sock.end('HTTP/1.0 411 Length Required\r\nContent-Type: text/plain\r\n\r\nchunked request bodies are not supported; send Content-Length\n');
        return;
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buf.length - end - 4 < length) return;
      answered = true;
      rawHeads.push(head);
      const [method = '', url = '', version = ''] = requestLine.split(' ');
      received.push({ method, url, httpVersion: version.replace('HTTP/', ''), headers, rawHeaders: [], body: Buffer.from(buf.subarray(end + 4, end + 4 + length)) });
      sock.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nprocessed by an HTTP/1.0 server\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(b, {
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    rawHeads,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

/** Options for an `openssl s_server` backend. */
export interface OpensslBackendOptions {
  /** Folder to write the certificate and key into. */
  dir: string;
  cert: string;
  key: string;
  /** Protocol and cipher flags, e.g. ['-tls1', '-cipher', 'AES128-SHA:@SECLEVEL=0']. */
  args: string[];
}

const REQUEST_LINE = /(?:GET|POST|PUT|HEAD|DELETE|PATCH) \S+ HTTP\/1\.[01]\r\n/g;

/**
 * `openssl s_server` (a real OpenSSL peer, not Node) answering HTTP: it prints what it receives
 * on stdout and sends what it reads on stdin, so each complete request seen on stdout is
 * recorded and answered with `200 processed` (Connection: close) through stdin.
 */
export async function startOpensslBackend(opts: OpensslBackendOptions): Promise<LegacyBackend & { output(): string }> {
  const files = writeFiles(opts.dir, { 'openssl-backend.crt': opts.cert, 'openssl-backend.key': opts.key });
  // Not -quiet/-brief: those also hide the "ACCEPT host:port" line that tells us the port.
  // -ign_eof: the server must not stop when its stdin has nothing more for a while.
  const child: ChildProcessWithoutNullStreams = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-cert', files['openssl-backend.crt']!, '-key', files['openssl-backend.key']!, '-ign_eof', ...opts.args]);
  const received: LegacyReceived[] = [];
  const b = { connections: 0, handshakeFailures: 0 };
  let out = Buffer.alloc(0);
  let scanned = 0;
  let lastCipher: string | undefined;
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${stderr}`)), 10_000);
    child.once('exit', (code) => reject(new Error(`openssl s_server exited (${String(code)}): ${stderr}`)));
    child.stdout.on('data', (c: Buffer) => {
      out = Buffer.concat([out, c]);
      const m = /ACCEPT \S+:(\d+)/.exec(out.toString('latin1'));
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
      scan();
    });
  });
  function scan(): void {
    const text = out.toString('latin1');
    for (const m of text.slice(scanned).matchAll(/CIPHER is (\S+)/g)) lastCipher = m[1];
    REQUEST_LINE.lastIndex = scanned;
    const m = REQUEST_LINE.exec(text);
    if (!m) return;
    const start = m.index;
    const end = text.indexOf('\r\n\r\n', start);
    if (end < 0) return;
    const head = text.slice(start, end);
    const [requestLine = '', ...lines] = head.split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (out.length < end + 4 + length) return;
    const [method = '', url = '', version = ''] = requestLine.split(' ');
    received.push({ method, url, httpVersion: version.replace('HTTP/', ''), headers, rawHeaders: [], body: Buffer.from(out.subarray(end + 4, end + 4 + length)), cipher: lastCipher });
    b.connections++;
    scanned = end + 4 + length;
    const reply = 'processed by openssl s_server';
    // One write, starting with "H": s_server reads single-letter commands (Q, R…) from stdin.
    child.stdin.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${reply.length}\r\nConnection: close\r\n\r\n${reply}`);
    scan();
  }
  return Object.assign(b, {
    port,
    url: `https://127.0.0.1:${port}`,
    received,
    output: () => out.toString('latin1'),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  });
}

/** The curl --pinnedpubkey value of a PEM certificate, computed by the openssl CLI (not by tlsgate). */
export async function opensslPin(certPem: string): Promise<string> {
  const run = (args: string[], input: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const p = spawn('openssl', args);
      const chunks: Buffer[] = [];
      p.stdout.on('data', (c: Buffer) => chunks.push(c));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`openssl ${args.join(' ')} exited ${String(code)}`))));
      p.stdin.end(input);
    });
  const pub = await run(['x509', '-pubkey', '-noout'], Buffer.from(certPem));
  const der = await run(['pkey', '-pubin', '-outform', 'der'], pub);
  const digest = await run(['dgst', '-sha256', '-binary'], der);
  return 'sha256/' + digest.toString('base64');
}
