/**
 * The legacy TLS agent: how tlsgate talks to an old HTTPS backend (TLS 1.0/1.1, old ciphers,
 * self-signed certificates). Kept in one small file so it is easy to audit: it is the only
 * place where tlsgate lowers its TLS standards, and only towards a backend the user named.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { TlsgateError } from '../errors.js';
import type { UpstreamConfig } from '../config/schema.js';

/** The pin of a DER SubjectPublicKeyInfo: `sha256/` + base64, as curl --pinnedpubkey. */
export function pinOf(spkiDer: Buffer): string {
  return 'sha256/' + createHash('sha256').update(spkiDer).digest('base64');
}

/**
 * An https.Agent that hands a socket to the request only after the upstream's certificate
 * passed our checks (CA / hostname, or pin), so not one byte of a webhook is sent to an
 * unverified backend. Node would skip hostname and custom checks once the chain fails, which
 * is why verification is done here rather than with rejectUnauthorized alone.
 */
export function createLegacyTlsAgent(upstream: UpstreamConfig): https.Agent {
  const t = upstream.tls;
  const ca = t.ca === undefined ? undefined : fs.readFileSync(t.ca, 'utf8');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'fifo' });
  agent.createConnection = ((options: tls.ConnectionOptions, cb: (err: Error | null, s?: Duplex) => void) => {
    const socket = tls.connect({
      ...options,
      minVersion: t.minVersion,
      ciphers: t.ciphers,
      servername: t.servername,
      ca,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      socket.off('error', finish);
      if (err) {
        socket.destroy();
        cb(err);
      } else cb(null, socket);
    };
    socket.once('error', finish);
    socket.once('secureConnect', () => finish(verifyUpstream(socket, upstream)));
    return undefined;
  }) as unknown as typeof agent.createConnection;
  return agent;
}

/** Returns the reason the upstream must not be trusted, or null when it may be. */
export function verifyUpstream(socket: tls.TLSSocket, upstream: UpstreamConfig): Error | null {
  const t = upstream.tls;
  const where = new URL(upstream.url).host;
  if (!t.verify) return null;
  if (t.pin !== undefined) {
    const cert = socket.getPeerCertificate();
    const got = cert?.pubkey ? pinOf(cert.pubkey) : 'none';
    if (got !== t.pin) {
      return new TlsgateError('TLSGATE_UPSTREAM_TLS_PIN', `upstream ${where} presented public key ${got}, but upstream.tls.pin is ${t.pin}`, {
        hint: 'if the backend certificate was replaced on purpose, set upstream.tls.pin to the new value; otherwise something is intercepting tlsgate\'s traffic to the backend',
        details: { expectedPin: t.pin, actualPin: got },
      });
    }
    // A pin alone trusts exactly that key; with a CA too, the chain must also verify.
    if (t.ca === undefined) return null;
  }
  if (socket.authorized) return null;
  const reason = String(socket.authorizationError ?? 'unknown');
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match|altname/i.test(reason)) {
    return new TlsgateError('TLSGATE_UPSTREAM_TLS_HOSTNAME', `upstream ${where} certificate does not match the name tlsgate checked (${t.servername ?? new URL(upstream.url).hostname}): ${reason}`, {
      hint: 'set upstream.tls.servername to a name in the backend certificate, or use upstream.tls.pin',
    });
  }
  return new TlsgateError('TLSGATE_UPSTREAM_TLS_UNTRUSTED', `upstream ${where} certificate is not trusted: ${reason}`, {
    hint: 'set upstream.tls.ca to the backend\'s CA or self-signed certificate (PEM), or upstream.tls.pin to its public-key pin',
  });
}
