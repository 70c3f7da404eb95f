/** Source-address allow-lists: IPv4 and IPv6 CIDRs, with IPv4-mapped IPv6 treated as IPv4. */
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed CIDR: network address and prefix length, always in its plainest family. */
export type Cidr = readonly [Addr, number];

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address (a /32 or /128). IPv4-mapped IPv6
 * ranges (`::ffff:10.0.0.0/104`) become their IPv4 equivalent, so they match IPv4 peers.
 */
export function parseCidr(text: string): Cidr | { error: string } {
  const t = text.trim();
  try {
    if (!t.includes('/')) {
      const a = plain(strictParse(t));
      return [a, a.kind() === 'ipv4' ? 32 : 128];
    }
    const slash = t.indexOf('/');
    strictParse(t.slice(0, slash));
    const [addr, bits] = ipaddr.parseCIDR(t);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
      if (bits < 96) return { error: `${t}: an IPv4-mapped range needs a prefix of at least /96` };
      return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return [addr, bits];
  } catch {
    return { error: `${JSON.stringify(t)} is not an IP address or CIDR; write e.g. 203.0.113.0/24, 198.51.100.7 or 2001:db8::/32` };
  }
}

/** Parses a peer address; IPv4-mapped IPv6 (`::ffff:127.0.0.1`, as dual-stack sockets report) becomes IPv4. */
export function parseAddress(text: string | undefined): Addr | undefined {
  if (text === undefined) return undefined;
  try {
    return plain(strictParse(text.replace(/%.*$/, '')));
  } catch {
    return undefined;
  }
}

/** True when `address` lies inside one of `cidrs`; an unparseable or missing address never does. */
export function isAllowed(address: string | undefined, cidrs: readonly Cidr[]): boolean {
  const a = parseAddress(address);
  if (!a) return false;
  return cidrs.some(([net, bits]) => net.kind() === a.kind() && a.match(net as never, bits));
}

/** Parses a list of CIDR strings known to be valid (config validation already checked them). */
export function compileAllowList(texts: readonly string[]): Cidr[] {
  return texts.map((t) => {
    const c = parseCidr(t);
    if ('error' in c) throw new Error(c.error);
    return c;
  });
}

/**
 * Only dotted-quad IPv4 and standard IPv6: ipaddr.parse also takes inet_aton forms, in which
 * `010.0.0.1` is 8.0.0.1 and `127.1` is 127.0.0.1, a surprise nobody wants in an allow-list.
 */
function strictParse(t: string): Addr {
  if (t.includes(':') ? !ipaddr.IPv6.isValid(t) : !ipaddr.IPv4.isValidFourPartDecimal(t)) throw new Error('not a standard IP address');
  return ipaddr.parse(t);
}

function plain(a: Addr): Addr {
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}
