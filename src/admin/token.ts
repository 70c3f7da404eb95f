/**
 * The admin bearer token: read from the environment variable that `admin.tokenEnv` names, and
 * compared in constant time so response timing does not leak it byte by byte.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminConfig } from '../config/schema.js';
import { TlsgateError } from '../errors.js';

/** Shorter tokens can be guessed; 16 characters of a random string is the floor. */
export const MIN_TOKEN_LENGTH = 16;

/** The token for `admin`, or undefined when none is configured; throws when the variable is unusable. */
export function resolveAdminToken(admin: AdminConfig, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (admin.tokenEnv === undefined) return undefined;
  const token = env[admin.tokenEnv]?.trim() ?? '';
  if (token.length < MIN_TOKEN_LENGTH) {
    const what = token === '' ? 'is not set' : `holds only ${token.length} characters`;
    throw new TlsgateError('TLSGATE_ADMIN_TOKEN', `admin.tokenEnv names ${admin.tokenEnv}, but that environment variable ${what}; set it to a random string of ${MIN_TOKEN_LENGTH}+ characters, e.g. export ${admin.tokenEnv}=$(openssl rand -hex 24)`);
  }
  return token;
}

/**
 * True when the Authorization header carries `token`, as `Bearer TOKEN` or as the password of
 * `Basic` credentials (any user name), so a browser's login prompt works for the HTML page.
 */
export function authorized(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  let presented: string | undefined;
  if (scheme?.toLowerCase() === 'bearer') presented = value;
  else if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    presented = decoded.slice(decoded.indexOf(':') + 1);
  }
  if (presented === undefined) return false;
  // Hash both sides: timingSafeEqual needs equal lengths, and lengths must not leak either.
  return timingSafeEqual(createHash('sha256').update(presented).digest(), createHash('sha256').update(token).digest());
}
