// Route matching (first match wins; host and path prefix on segment boundaries) and the path
// sent upstream (the route prefix rewritten onto the upstream URL's path).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import type { RouteConfig } from '../../src/config/schema.js';
import { matchRoute, pathMatches, upstreamPath } from '../../src/router.js';

/** Routes as the config loader makes them, from `{ path, upstream, host? }` entries. */
function routes(entries: { path: string; upstream: string; host?: string; name?: string }[]): readonly RouteConfig[] {
  const yaml = stringify({ listeners: [{ port: 8443, cert: 's.crt', key: 's.key' }], routes: entries });
  return parseConfig(yaml, path.join('/tmp', 'router-test.yaml')).config.routes;
}

describe('pathMatches', () => {
  it.each([
    ['/', '/', true],
    ['/', '/anything/at/all', true],
    ['/fs', '/fs', true],
    ['/fs', '/fs/', true],
    ['/fs', '/fs/order', true],
    ['/fs', '/fsx', false],
    ['/fs', '/f', false],
    ['/fs', '/FS', false],
    ['/fs/', '/fs/', true],
    ['/fs/', '/fs/x', true],
    ['/fs/', '/fs', false],
    ['/a/b', '/a/b/c', true],
    ['/a/b', '/a/bc', false],
  ])('prefix %s, path %s → %s', (prefix, p, want) => {
    expect(pathMatches(prefix, p)).toBe(want);
  });
});

describe('matchRoute', () => {
  const table = routes([
    { name: 'shop-fs', host: 'shop.example', path: '/fastspring', upstream: 'http://127.0.0.1:1' },
    { name: 'fs', path: '/fastspring', upstream: 'http://127.0.0.1:2' },
    { name: 'fs-test', path: '/fastspring/test', upstream: 'http://127.0.0.1:3' },
    { name: 'other', path: '/', upstream: 'http://127.0.0.1:4' },
  ]);
  const name = (host: string | undefined, p: string) => matchRoute(table, { host, path: p })?.name;

  it('matches the host-specific route only for its host', () => {
    expect(name('shop.example', '/fastspring/x')).toBe('shop-fs');
    expect(name('other.example', '/fastspring/x')).toBe('fs');
    expect(name(undefined, '/fastspring')).toBe('fs');
  });

  it('takes the first match in config order, not the longest prefix', () => {
    expect(name(undefined, '/fastspring/test')).toBe('fs');
  });

  it('falls through to the catch-all, and returns undefined when nothing matches', () => {
    expect(name(undefined, '/fastspringx')).toBe('other');
    expect(matchRoute(table.slice(0, 3), { host: undefined, path: '/elsewhere' })).toBeUndefined();
  });
});

describe('upstreamPath', () => {
  it.each([
    // route path, upstream URL, request → path sent upstream
    ['/fastspring', 'https://10.0.0.5:443/webhooks/fs', '/fastspring', '/webhooks/fs'],
    ['/fastspring', 'https://10.0.0.5:443/webhooks/fs', '/fastspring/', '/webhooks/fs/'],
    ['/fastspring', 'https://10.0.0.5:443/webhooks/fs', '/fastspring/order.completed', '/webhooks/fs/order.completed'],
    ['/fastspring', 'https://10.0.0.5:443/webhooks/fs', '/fastspring/a/b?x=1&y=%2F', '/webhooks/fs/a/b?x=1&y=%2F'],
    ['/fastspring', 'https://10.0.0.5:443/webhooks/fs', '/fastspring?x=1', '/webhooks/fs?x=1'],
    // A trailing slash written in the URL is kept (old servers redirect /dir to /dir/).
    ['/fastspring', 'https://10.0.0.5/webhooks/fs/', '/fastspring', '/webhooks/fs/'],
    ['/fastspring', 'https://10.0.0.5/webhooks/fs/', '/fastspring/x', '/webhooks/fs/x'],
    ['/fastspring/', 'https://10.0.0.5/in', '/fastspring/', '/in'],
    ['/fastspring/', 'https://10.0.0.5/in', '/fastspring/x', '/in/x'],
    ['/', 'http://127.0.0.1:8080/hooks', '/', '/hooks'],
    ['/', 'http://127.0.0.1:8080/hooks', '/x?y', '/hooks/x?y'],
    ['/', 'http://127.0.0.1:8080/hooks/', '/x', '/hooks/x'],
    ['/', 'http://127.0.0.1:8080/cgi-bin/hook.pl', '/', '/cgi-bin/hook.pl'],
    // No path in the URL: the request path goes upstream untouched, prefix included.
    ['/fastspring', 'http://127.0.0.1:8080', '/fastspring/x?y=1', '/fastspring/x?y=1'],
    ['/fastspring', 'http://127.0.0.1:8080/', '/fastspring', '/fastspring'],
    // Doubled slashes and encodings are not normalised: the backend sees what the sender sent.
    ['/fs', 'http://127.0.0.1:8080/in', '/fs//x/%2e%2e/y', '/in//x/%2e%2e/y'],
  ])('route %s → %s: %s → %s', (routePath, url, request, want) => {
    const [route] = routes([{ path: routePath, upstream: url }]);
    expect(upstreamPath(route!, request)).toBe(want);
  });
});
