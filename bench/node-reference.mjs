/**
 * Reference contender, not a proxy: Node's own https server with tlsgate's TLS options, one
 * cluster worker per core, answering 200 "ok" itself. It shows how much of tlsgate's distance
 * to nginx is Node's TLS stack and how much is tlsgate's own work (proxying, logging, checks).
 *
 *   node bench/node-reference.mjs PORT WORKERS CERT KEY
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import https from 'node:https';
import { CIPHERS } from './servers.mjs';

const [port, workers, cert, key] = process.argv.slice(2);

if (cluster.isPrimary && Number(workers) > 1) {
  for (let i = 0; i < Number(workers); i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const server = https.createServer(
    {
      cert: fs.readFileSync(cert),
      key: fs.readFileSync(key),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: CIPHERS,
      honorCipherOrder: true,
      dhparam: 'auto',
      keepAliveTimeout: 65_000,
    },
    (req, res) => {
      req.resume();
      req.on('end', () => res.end('ok\n'));
    },
  );
  server.listen(Number(port), '127.0.0.1');
}
