import type { RouteConfig } from './config/schema.js';

/** What a request is matched on. */
export interface RouteQuery {
  /** SNI or Host header, lower case, without port. */
  host: string | undefined;
  /** Request path, without the query string. */
  path: string;
}

/** First route whose host (if any) and path prefix match; undefined when none does. */
export function matchRoute(routes: readonly RouteConfig[], q: RouteQuery): RouteConfig | undefined {
  return routes.find((r) => (r.host === undefined || r.host === q.host) && pathMatches(r.path, q.path));
}

/** Prefix match on segment boundaries: `/fs` matches `/fs` and `/fs/x`, not `/fsx`. */
export function pathMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path.startsWith(prefix) && path.charAt(prefix.length) === '/';
}

/**
 * The path to request upstream: the route prefix is replaced by the upstream URL's path;
 * an upstream URL without a path leaves the request path untouched. A request for exactly the
 * prefix gets exactly the URL's path, trailing slash included: old servers (IIS, Apache) answer
 * a POST to `/dir` with a redirect when they expect `/dir/`, and the sender counts that as a failure.
 */
export function upstreamPath(route: RouteConfig, requestUrl: string, base = new URL(route.upstream.url).pathname): string {
  if (base === '/' || base === '') return requestUrl;
  const q = requestUrl.indexOf('?');
  const p = q === -1 ? requestUrl : requestUrl.slice(0, q);
  const query = q === -1 ? '' : requestUrl.slice(q);
  if (p === route.path) return base + query;
  const rest = route.path === '/' ? p : p.slice(route.path.replace(/\/$/, '').length);
  const joined = base.replace(/\/$/, '') + (rest.startsWith('/') || rest === '' ? rest : '/' + rest);
  return (joined === '' ? '/' : joined) + query;
}
