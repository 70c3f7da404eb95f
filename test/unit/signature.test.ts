import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../src/security/signature.js';

const SECRET = 'shh-0123456789';
const BODY = Buffer.from('{"events":[{"id":"e1"}]}');

describe('signature', () => {
  it('computes base64(HMAC-SHA256(raw body, secret)) like the sender', () => {
    expect(signBody(BODY, SECRET)).toBe(createHmac('sha256', SECRET).update(BODY).digest('base64'));
    // A vector from `openssl dgst -sha256 -hmac key`, so a change of algorithm or encoding cannot pass unnoticed.
    expect(signBody(Buffer.from('hello'), 'key')).toBe('kwezuRXvtRcf8U2MtV+8x5jGwO8UVtZt7RpqpyOli3s=');
  });

  it('accepts the right signature, with surrounding whitespace', () => {
    expect(verifySignature(signBody(BODY, SECRET), BODY, SECRET)).toEqual({ ok: true });
    expect(verifySignature(` ${signBody(BODY, SECRET)} `, BODY, SECRET)).toEqual({ ok: true });
  });

  it('refuses a wrong secret, an altered byte, a missing or malformed header', () => {
    expect(verifySignature(signBody(BODY, 'other'), BODY, SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    const altered = Buffer.from(BODY);
    altered[0] = altered[0]! ^ 1;
    expect(verifySignature(signBody(BODY, SECRET), altered, SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(undefined, BODY, SECRET)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature('', BODY, SECRET)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature('abc', BODY, SECRET)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(createHmac('sha256', SECRET).update(BODY).digest('hex'), BODY, SECRET)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature([signBody(BODY, SECRET), signBody(BODY, SECRET)], BODY, SECRET)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(`${signBody(BODY, SECRET)}, ${signBody(BODY, SECRET)}`, BODY, SECRET)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('signs the empty body too', () => {
    const empty = Buffer.alloc(0);
    expect(verifySignature(signBody(empty, SECRET), empty, SECRET)).toEqual({ ok: true });
  });
});
