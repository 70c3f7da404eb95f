import { isAllowed } from '../../security/cidr.js';
import type { Pass } from '../forward.js';

/** A route with `allow:` answers 403 to any source address outside its CIDRs; the upstream is never contacted. */
export const allow: Pass = (ex, f) => {
  const cidrs = f.allowList(ex.route!);
  if (cidrs === undefined) return;
  // With trustProxy the listener has already replaced remoteAddress with the PROXY header's source.
  const addr = ex.req.socket.remoteAddress;
  if (!isAllowed(addr, cidrs)) {
    return f.refuse(ex, 403, 'TLSGATE_SOURCE_FORBIDDEN', `source address ${addr ?? '(unknown)'} is not allowed on route ${ex.route!.name}`, `add the sender's address to routes[].allow if it is legitimate (allowed: ${ex.route!.allow!.join(', ')})`);
  }
};
