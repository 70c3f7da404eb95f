import type { Pass } from '../forward.js';

/** A method outside the route's `methods` is a 405 with an Allow header; the upstream is never contacted. */
export const methods: Pass = (ex, f) => {
  const allowed = ex.route!.methods;
  const method = ex.req.method ?? '';
  if (allowed.includes(method)) return;
  ex.res.setHeader('allow', allowed.join(', '));
  return f.refuse(ex, 405, 'TLSGATE_METHOD_NOT_ALLOWED', `method ${method} is not allowed on route ${ex.route!.name}`, `the route accepts ${allowed.join(', ')}; add the method to routes[].methods if it is legitimate`);
};
