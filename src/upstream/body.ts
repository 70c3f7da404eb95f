import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { TlsgateError } from '../errors.js';

/** A pass-through that counts bytes and fails once more than `limit` bytes went by. */
export class CountingLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) cb(tooLarge(this.limit));
    else cb(null, chunk);
  }
}

/** Reads the whole request body, failing with TLSGATE_BODY_TOO_LARGE past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('aborted', () => reject(new TlsgateError('TLSGATE_CLIENT_ABORTED', 'sender closed the connection while sending the body')));
  });
}

function tooLarge(limit: number): TlsgateError {
  return new TlsgateError('TLSGATE_BODY_TOO_LARGE', `request body is larger than the route's maxBodyBytes (${limit})`, {
    hint: 'raise routes[].maxBodyBytes if such bodies are legitimate',
  });
}
