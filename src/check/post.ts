import { randomUUID } from 'node:crypto';
import { signBody } from '../security/signature.js';
import https from 'node:https';
import type { SenderSuite } from '../tls/suites.js';
import type { CheckTarget } from './target.js';

/** What happened to the sample webhook. */
export interface PostResult {
  /** 200, or 202 listing the sample's event id: what the sender counts as delivered. */
  ok: boolean;
  status: number | undefined;
  eventId: string;
  protocol: string | undefined;
  cipher: string | undefined;
  /** For 202: whether the body listed the sample's event id as processed. */
  listed: boolean | undefined;
  error: string | undefined;
}

/** How to post. */
export interface PostOptions {
  secret: string;
  /** PEM trust anchors: Node's bundled store plus --ca. */
  ca: readonly string[];
  suites: readonly SenderSuite[];
  timeoutMs: number;
  nowMs: number;
  userAgent: string;
}

/** A sample webhook body shaped like the sender's: one event, marked as a test. */
function sampleBody(eventId: string, nowMs: number): string {
  return JSON.stringify({ events: [{ id: eventId, processed: false, created: nowMs, type: 'tlsgate.check', live: false, data: { note: 'sample webhook sent by tlsgate check --post; safe to ignore' } }] });
}


/**
 * Posts a signed sample webhook the way the sender does: TLS 1.2 only, the sender's RSA and DSS
 * suites, the certificate verified against the trust anchors, no redirects followed.
 */
export function postSample(target: CheckTarget, opts: PostOptions): Promise<PostResult> {
  const eventId = `tlsgate-check-${randomUUID()}`;
  const body = sampleBody(eventId, opts.nowMs);
  const ciphers = opts.suites.filter((s) => s.status === 'on' || s.status === 'needs-dsa').map((s) => s.openssl).join(':');
  const base = { eventId, status: undefined, protocol: undefined, cipher: undefined, listed: undefined };
  return new Promise((resolve) => {
    const req = https.request({
      host: target.host,
      port: target.port,
      path: target.path,
      method: 'POST',
      servername: target.isIp ? undefined : target.host,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers,
      ca: [...opts.ca],
      agent: false,
      timeout: opts.timeoutMs,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-fs-signature': signBody(Buffer.from(body), opts.secret), 'user-agent': opts.userAgent },
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ...base, ok: false, error: e.code ? `${e.code}: ${e.message}` : e.message }));
    req.on('response', (res) => {
      const socket = res.socket as import('node:tls').TLSSocket;
      const protocol = socket.getProtocol?.() ?? undefined;
      const cipher = socket.getCipher?.()?.name;
      let text = '';
      res.setEncoding('utf8');
      // The answer is read only to see whether a 202 lists the sample's id; it is never printed.
      res.on('data', (c: string) => {
        if (text.length < 65_536) text += c;
      });
      res.on('end', () => {
        const status = res.statusCode;
        const listed = status === 202 ? text.split(/\r?\n/).some((l) => l.trim() === eventId) : undefined;
        resolve({ eventId, status, protocol, cipher, listed, ok: status === 200 || status === 202, error: undefined });
      });
    });
    req.end(body);
  });
}
