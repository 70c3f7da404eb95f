import { createHash } from 'node:crypto';
import http from 'node:http';
import { numberFlag, parseFlags, type Command } from './command.js';

const USAGE = `Usage: tlsgate demo-backend [--port N] [--host ADDR] [--status CODE]

A tiny plain-HTTP backend for trying tlsgate: it prints each request it receives (method, path,
X-FS-Signature, body length and SHA-256) as a JSON line and answers with --status (default 200).

Options:
  --port N        port to listen on (default 8080, the embedded config's upstream)
  --host ADDR     address to bind (default 127.0.0.1)
  --status CODE   status to answer with (default 200)
  -h, --help      show this help`;

/** `tlsgate demo-backend`: a receiver to see a webhook go through end to end. */
export const demoBackendCommand: Command = {
  name: 'demo-backend',
  summary: 'run a tiny HTTP backend that prints what it receives',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' }, status: { type: 'string', default: '200' } }, USAGE);
    const status = numberFlag('--status', values.status, { dflt: 200, min: 100, max: 599, integer: true }, USAGE);
    const port = numberFlag('--port', values.port, { dflt: 8080, min: 0, max: 65535, integer: true }, USAGE);
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        io.stdout.write(JSON.stringify({ event: 'demo_received', method: req.method, path: req.url, signature: req.headers['x-fs-signature'] ?? null, forwardedFor: req.headers['x-forwarded-for'] ?? null, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') }) + '\n');
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ received: body.length }) + '\n');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, values.host, resolve);
    });
    io.stdout.write(`demo backend listening on http://${values.host}:${port}, answering ${status}\n`);
    await new Promise<void>((resolve) => {
      io.onSignal('SIGINT', resolve);
      io.onSignal('SIGTERM', resolve);
    });
    server.close();
    return 0;
  },
};
