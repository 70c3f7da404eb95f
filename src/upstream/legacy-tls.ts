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
import { describeUpstreamHandshake } from './classify.js';


/** The pin of a DER SubjectPublicKeyInfo: `sha256/` + base64, as curl --pinnedpubkey. */
export function pinOf(spkiDer: Buffer): string {
  return 'sha256/' + createHash('sha256').update(spkiDer).digest('base64');
}

/**
 * An https.Agent that hands a socket to the request only after the upstream's certificate
 * passed our checks (CA / hostname, or pin), so not one byte of a webhook is sent to an
 * unverified backend. Node would skip hostname and custom checks once the chain fails, which
 * is why verification is done here rather than with rejectUnauthorized alone. Each route gets
 * its own agent, so its pooled sockets (and their TLS settings) never serve another route.
 */
export function createLegacyTlsAgent(upstream: UpstreamConfig, pool: https.AgentOptions): https.Agent {
  const t = upstream.tls;
  const ca = t.ca === undefined ? undefined : fs.readFileSync(t.ca, 'utf8');
  const where = new URL(upstream.url).host;
  const agent = new https.Agent(pool);
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
    let tcpConnected = false;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      socket.off('error', onError);
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
      if (err) {
        socket.destroy();
        cb(err);
      } else cb(null, socket);
    };
    // After TCP is up, any failure before secureConnect is the TLS handshake's, whatever
    // Node calls it (old servers often just reset the connection on a ClientHello they dislike).
    const onError = (err: NodeJS.ErrnoException) => {
      if (!tcpConnected) return finish(err);
      const { message, hint } = describeUpstreamHandshake(where, err.code, (err as { reason?: string }).reason ?? err.message);
      finish(new TlsgateError('TLSGATE_UPSTREAM_TLS_HANDSHAKE', message, { hint, cause: err, details: { cause: err.code } }));
    };
    // http's own timeout starts only once the request has a socket, i.e. after this handshake:
    // without this, a backend that accepts TCP and never speaks TLS would hold the sender forever.
    const onTimeout = () =>
      finish(
        tcpConnected
          ? new TlsgateError('TLSGATE_UPSTREAM_TIMEOUT', `upstream ${where} did not complete the TLS handshake within ${upstream.timeoutMs} ms`, {
              hint: 'the port accepts connections but does not speak TLS (or is very slow): check that the backend serves HTTPS on this port; raise upstream.timeout only if it is known to be slow',
            })
          : new TlsgateError('TLSGATE_UPSTREAM_TIMEOUT', `upstream ${where} did not accept a connection within ${upstream.timeoutMs} ms`, {
              hint: 'the backend is down or a firewall drops the packets: check the address and port in the upstream URL and that this machine may reach it',
            }),
      );
    socket.once('connect', () => (tcpConnected = true));
    socket.on('error', onError);
    socket.setTimeout(upstream.timeoutMs);
    socket.once('timeout', onTimeout);
    socket.once('secureConnect', () => finish(verifyUpstream(socket, upstream)));
    return undefined;
  }) as unknown as typeof agent.createConnection;
  return agent;
}

/**
 * Returns the reason the upstream must not be trusted, or null when it may be. A pin is always
 * enforced; `verify: false` only turns off the CA and host-name checks.
 */
export function verifyUpstream(socket: tls.TLSSocket, upstream: UpstreamConfig): Error | null {
  const t = upstream.tls;
  const where = new URL(upstream.url).host;
  if (t.pin !== undefined) {
    const cert = socket.getPeerCertificate();
    const got = cert?.pubkey ? pinOf(cert.pubkey) : 'none';
    if (got !== t.pin) {
      return new TlsgateError('TLSGATE_UPSTREAM_TLS_PIN', `upstream ${where} presented public key ${got}, but upstream.tls.pin is ${t.pin}`, {
        hint: 'if the backend certificate was replaced on purpose, set upstream.tls.pin to the new value; otherwise something is intercepting tlsgate\'s traffic to the backend',
        details: { expectedPin: t.pin, actualPin: got },
      });
    }
    // A pin alone trusts exactly that key (expiry and names do not matter); with a CA too,
    // the chain and host name must also verify.
    if (t.ca === undefined) return null;
  }
  if (!t.verify) return null;
  if (socket.authorized) return null;
  const reason = String(socket.authorizationError ?? 'unknown');
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match|altname/i.test(reason)) {
    return new TlsgateError('TLSGATE_UPSTREAM_TLS_HOSTNAME', `upstream ${where} certificate does not match the name tlsgate checked (${t.servername ?? new URL(upstream.url).hostname}): ${reason}`, {
      hint: 'set upstream.tls.servername to a name in the backend certificate, or use upstream.tls.pin',
      details: { cause: reason },
    });
  }
  return new TlsgateError('TLSGATE_UPSTREAM_TLS_UNTRUSTED', `upstream ${where} certificate is not trusted: ${reason}`, { hint: untrustedHint(reason, t.ca), details: { cause: reason } });
}

/** What to change in the YAML for an OpenSSL verification failure. */
function untrustedHint(reason: string, ca: string | undefined): string {
  if (reason === 'CERT_HAS_EXPIRED') return 'the backend certificate has expired: renew it, or trust its key with upstream.tls.pin (a pin does not look at expiry dates)';
  if (reason === 'CERT_NOT_YET_VALID') return 'the backend certificate is not valid yet: check the clock of this machine and of the backend';
  if (ca !== undefined) return `upstream.tls.ca (${ca}) does not hold the certificate that issued the backend's certificate, or the backend sends an incomplete chain: put the issuing CA (or the self-signed certificate itself) in that file, or use upstream.tls.pin`;
  return 'set upstream.tls.ca to the backend\'s CA or self-signed certificate (PEM), or upstream.tls.pin to its public-key pin';
}
