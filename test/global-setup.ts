/**
 * Builds dist/ once per test run, so CLI tests spawn the code under test, not a stale build.
 * tsc emits even when it finds type errors; those are reported here and fail CI's separate
 * `npm run typecheck` step, not every test.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`global-setup: tsc reported problems (dist/ was still written):\n${r.stdout}${r.stderr}`);
}
