/**
 * Child of the benchmark: opens N TLS connections to 127.0.0.1:PORT (50 at a time), sends one
 * keep-alive GET on each, waits for the answer, prints "held N failed M", then keeps every
 * connection open until stdin closes. A separate process so its memory is not the parent's.
 */
import tls from 'node:tls';

const [port, count] = process.argv.slice(2).map(Number);
const sockets = [];
let failed = 0;

function openOne() {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ciphers: 'AES128-SHA256', maxVersion: 'TLSv1.2' }, () => {
      s.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    });
    let buf = '';
    let settled = false;
    const done = (ok) => {
      if (settled) return;
      settled = true;
      s.removeAllListeners('data');
      if (ok) sockets.push(s);
      else (failed++, s.destroy());
      resolve();
    };
    s.on('data', (c) => {
      buf += c.toString('latin1');
      // nginx's "ok\n" body follows the header block; one full response means the proxy holds the connection.
      if (/^HTTP\/1\.1 200/.test(buf) && buf.includes('\r\n\r\nok\n')) done(true);
    });
    s.on('error', () => done(false));
    s.setTimeout(20_000, () => done(false));
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: 50 }, async () => {
    while (next < count) {
      next++;
      await openOne();
    }
  }),
);
for (const s of sockets) s.setTimeout(0);
process.stdout.write(`held ${sockets.length} failed ${failed}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
});
