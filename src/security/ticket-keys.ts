/**
 * Session-ticket key rotation. Node makes random ticket keys when a TLS context is created and
 * never changes them; a key that lives for months lets whoever steals it decrypt every resumed
 * session, undoing the forward secrecy DHE suites give. Rotating drops outstanding tickets
 * (senders fall back to a full handshake), which is cheap next to Node's 300 s ticket lifetime.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:tls';

/** How often ticket keys are replaced. */
export const TICKET_KEY_ROTATION_MS = 60 * 60_000;

/** Rotates `server`'s ticket keys every `intervalMs` until the server closes; returns a manual rotate. */
export function rotateTicketKeys(server: Server, intervalMs = TICKET_KEY_ROTATION_MS): () => void {
  // 48 bytes: 16-byte key name, 16-byte HMAC secret, 16-byte AES key (Node's layout).
  const rotate = () => server.setTicketKeys(randomBytes(48));
  const timer = setInterval(rotate, intervalMs);
  timer.unref();
  server.once('close', () => clearInterval(timer));
  return rotate;
}
