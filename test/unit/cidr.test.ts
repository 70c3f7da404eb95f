import { describe, expect, it } from 'vitest';
import { compileAllowList, isAllowed, parseAddress, parseCidr } from '../../src/security/cidr.js';

describe('cidr', () => {
  it('matches IPv4 ranges and bare addresses', () => {
    const list = compileAllowList(['10.0.0.0/8', '198.51.100.7']);
    expect(isAllowed('10.1.2.3', list)).toBe(true);
    expect(isAllowed('11.0.0.1', list)).toBe(false);
    expect(isAllowed('198.51.100.7', list)).toBe(true);
    expect(isAllowed('198.51.100.8', list)).toBe(false);
  });

  it('matches IPv6 ranges, and ::1 only against IPv6 entries', () => {
    const list = compileAllowList(['2001:db8::/32', '::1']);
    expect(isAllowed('2001:db8:1::5', list)).toBe(true);
    expect(isAllowed('2001:db9::1', list)).toBe(false);
    expect(isAllowed('::1', list)).toBe(true);
    expect(isAllowed('127.0.0.1', list)).toBe(false);
  });

  it('treats IPv4-mapped IPv6 peers (dual-stack sockets) as IPv4', () => {
    const list = compileAllowList(['127.0.0.0/8']);
    expect(isAllowed('::ffff:127.0.0.1', list)).toBe(true);
    expect(isAllowed('::ffff:128.0.0.1', list)).toBe(false);
    expect(parseAddress('::ffff:192.0.2.1')?.kind()).toBe('ipv4');
  });

  it('turns an IPv4-mapped range into its IPv4 equivalent', () => {
    const list = compileAllowList(['::ffff:192.0.2.0/120']);
    expect(isAllowed('192.0.2.200', list)).toBe(true);
    expect(isAllowed('192.0.3.1', list)).toBe(false);
    expect(parseCidr('::ffff:0.0.0.0/90')).toMatchObject({ error: expect.stringContaining('at least /96') });
  });

  it('never allows a missing or unparseable address', () => {
    const list = compileAllowList(['0.0.0.0/0', '::/0']);
    expect(isAllowed(undefined, list)).toBe(false);
    expect(isAllowed('not-an-ip', list)).toBe(false);
    expect(isAllowed('8.8.8.8', list)).toBe(true);
  });

  it('explains a bad entry with an example', () => {
    for (const bad of ['10.0.0.0/33', 'example.com', '1.2.3', '010.0.0.1', '127.1/8', '2001:db8::/129', '10.0.0.0/x', '']) {
      const r = parseCidr(bad);
      expect(r).toHaveProperty('error');
      expect((r as { error: string }).error).toMatch(/203\.0\.113\.0\/24|IPv4-mapped/);
    }
  });
});
