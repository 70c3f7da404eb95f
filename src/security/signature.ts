/** The sender's webhook signature: X-FS-Signature = base64(HMAC-SHA256(raw body, secret)). */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header the sender signs with (Node lower-cases incoming header names). */
export const SIGNATURE_HEADER = 'x-fs-signature';

/** base64(HMAC-SHA256(body, secret)), exactly as the sender computes it. */
export function signBody(body: Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** Why a signature was refused; never carries the secret, the body or the expected value. */
export type SignatureVerdict = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

/**
 * Checks a received header value against the body. The comparison is on the decoded 32-byte
 * MACs with timingSafeEqual, so the time taken does not reveal how many bytes matched.
 */
export function verifySignature(header: string | string[] | undefined, body: Buffer, secret: string): SignatureVerdict {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  // Two X-FS-Signature headers are ambiguous: refuse rather than pick one.
  if (Array.isArray(header)) return { ok: false, reason: 'malformed' };
  const value = header.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value)) return { ok: false, reason: 'malformed' };
  const got = Buffer.from(value, 'base64');
  const want = createHmac('sha256', secret).update(body).digest();
  return got.length === want.length && timingSafeEqual(got, want) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
