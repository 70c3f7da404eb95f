import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from '../../src/security/proxy-protocol.js';

const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** A v2 header: version 2, `cmd`, family byte, address block, optional TLVs. */
function v2(cmd: number, fam: number, block: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(block.length);
  return Buffer.concat([SIG, Buffer.from([0x20 | cmd, fam]), len, block]);
}

function ports(src: number, dst: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(src, 0);
  b.writeUInt16BE(dst, 2);
  return b;
}

describe('proxy-protocol', () => {
  it('parses a v1 TCP4 line and reports where TLS starts', () => {
    const buf = Buffer.concat([Buffer.from('PROXY TCP4 203.0.113.9 192.0.2.1 51000 8443\r\n'), Buffer.from([0x16, 0x03, 0x01])]);
    const r = parseProxyHeader(buf);
    expect(r).toEqual({ state: 'done', version: 1, length: buf.length - 3, peer: { sourceAddress: '203.0.113.9', sourcePort: 51000, destinationAddress: '192.0.2.1', destinationPort: 8443 } });
  });

  it('parses v1 TCP6 and UNKNOWN', () => {
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n'))).toMatchObject({ state: 'done', peer: { sourceAddress: '2001:db8::7', sourcePort: 4000 } });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ state: 'done', version: 1, length: 15, peer: undefined });
  });

  it('waits for more bytes on a partial header, at any split point', () => {
    const line = Buffer.from('PROXY TCP4 203.0.113.9 192.0.2.1 51000 8443\r\n');
    for (let n = 1; n < line.length; n++) expect(parseProxyHeader(line.subarray(0, n)).state).toBe('incomplete');
    const h = v2(1, 0x11, Buffer.concat([Buffer.from([198, 51, 100, 2, 192, 0, 2, 1]), ports(1234, 8443)]));
    for (let n = 1; n < h.length; n++) expect(parseProxyHeader(h.subarray(0, n)).state).toBe('incomplete');
  });

  it('refuses malformed v1 lines', () => {
    for (const bad of ['PROXY TCP4 1.2.3 192.0.2.1 1 2\r\n', 'PROXY TCP4 203.0.113.9 192.0.2.1 70000 1\r\n', 'PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n', 'PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n', 'PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n']) {
      expect(parseProxyHeader(Buffer.from(bad)).state, bad).toBe('invalid');
    }
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 ' + '1'.repeat(120))).state).toBe('invalid');
  });

  it('refuses a connection that does not start with a PROXY header (TLS or HTTP straight in)', () => {
    expect(parseProxyHeader(Buffer.from([0x16, 0x03, 0x01, 0x00]))).toMatchObject({ state: 'invalid' });
    expect(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n'))).toMatchObject({ state: 'invalid' });
    expect(parseProxyHeader(Buffer.from('PRI * HTTP/2.0'))).toMatchObject({ state: 'invalid' });
  });

  it('parses v2 PROXY for IPv4 and IPv6, skipping TLVs', () => {
    const tlv = Buffer.from([0x04, 0x00, 0x02, 0xab, 0xcd]); // PP2_TYPE_NOOP
    const h4 = v2(1, 0x11, Buffer.concat([Buffer.from([198, 51, 100, 2, 192, 0, 2, 1]), ports(1234, 8443), tlv]));
    expect(parseProxyHeader(Buffer.concat([h4, Buffer.from([0x16])]))).toEqual({ state: 'done', version: 2, length: h4.length, peer: { sourceAddress: '198.51.100.2', sourcePort: 1234, destinationAddress: '192.0.2.1', destinationPort: 8443 } });
    const src = Buffer.from('20010db8000000000000000000000007', 'hex');
    const dst = Buffer.from('00000000000000000000000000000001', 'hex');
    const h6 = v2(1, 0x21, Buffer.concat([src, dst, ports(5555, 9000)]));
    expect(parseProxyHeader(h6)).toMatchObject({ state: 'done', peer: { sourceAddress: '2001:db8::7', destinationAddress: '::1', sourcePort: 5555, destinationPort: 9000 } });
  });

  it('treats v2 LOCAL and UNSPEC as "keep the socket address"', () => {
    expect(parseProxyHeader(v2(0, 0x00, Buffer.alloc(0)))).toEqual({ state: 'done', version: 2, length: 16, peer: undefined });
    expect(parseProxyHeader(v2(1, 0x00, Buffer.alloc(0)))).toMatchObject({ state: 'done', peer: undefined });
  });

  it('refuses a bad v2 version, command or short address block', () => {
    const h = v2(1, 0x11, Buffer.alloc(12));
    h[12] = 0x31;
    expect(parseProxyHeader(h).state).toBe('invalid');
    expect(parseProxyHeader(v2(2, 0x11, Buffer.alloc(12))).state).toBe('invalid');
    expect(parseProxyHeader(v2(1, 0x11, Buffer.alloc(8))).state).toBe('invalid');
    expect(parseProxyHeader(v2(1, 0x21, Buffer.alloc(20))).state).toBe('invalid');
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const b = randomBytes(1 + (i % 120));
      if (i % 3 === 0) SIG.copy(b, 0, 0, Math.min(12, b.length));
      if (i % 3 === 1) Buffer.from('PROXY ').copy(b, 0, 0, Math.min(6, b.length));
      expect(['incomplete', 'invalid', 'done']).toContain(parseProxyHeader(b).state);
    }
  });
});
