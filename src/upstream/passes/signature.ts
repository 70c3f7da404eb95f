import { SIGNATURE_HEADER, verifySignature } from '../../security/signature.js';
import type { Pass } from '../forward.js';

/**
 * On a route with `verify`, checks X-FS-Signature over the buffered body (the body pass reads
 * it whole for such routes). Missing or wrong → 401 and the upstream is never contacted; the
 * log line names the reason, never the secret, the body or the expected signature.
 */
export const signature: Pass = (ex, f) => {
  if (!ex.route!.verify) return;
  const secret = f.secrets.get(ex.route!);
  const body = ex.buffered;
  // Both are guaranteed by start-up (resolveSecrets) and the body pass; refuse rather than forward unchecked.
  if (secret === undefined || body === undefined) return f.refuse(ex, 500, 'TLSGATE_SECRET_MISSING', `route ${ex.route!.name} has no signing secret or body buffer`);
  const verdict = verifySignature(ex.req.headers[SIGNATURE_HEADER], body, secret);
  if (verdict.ok) return;
  if (verdict.reason === 'missing') return f.refuse(ex, 401, 'TLSGATE_SIGNATURE_MISSING', 'missing X-FS-Signature header', 'the sender signs only when a webhook secret is set in its dashboard; set the same secret in the environment variable the route names');
  return f.refuse(ex, 401, 'TLSGATE_SIGNATURE_INVALID', `X-FS-Signature ${verdict.reason === 'malformed' ? 'is not a base64 HMAC-SHA256' : 'does not match the body'}`, "the secret in the route's environment variable differs from the sender's, or the body was altered on the way");
};
