/**
 * The file watcher on a real file system: Kubernetes-style symlink swaps and certbot-style renames
 * are seen, a burst of writes is one callback, and a touch without a content change is ignored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/certs.js';
import { watchFiles, type FileWatcher } from '../../src/ops/watch-files.js';

describe('watchFiles', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((f) => f()));

  /** Starts a watcher whose callbacks are queued; `next()` resolves with the next callback's files. */
  function watch(files: string[], debounceMs = 100) {
    const calls: string[][] = [];
    const waiters: ((c: string[]) => void)[] = [];
    const errors: string[] = [];
    const w: FileWatcher = watchFiles(files, {
      debounceMs,
      onChange: (changed) => (waiters.length ? waiters.shift()!(changed) : calls.push(changed)),
      onError: (dir) => errors.push(dir),
    });
    cleanups.push(() => w.close());
    return { w, calls, errors, next: () => (calls.length ? Promise.resolve(calls.shift()!) : new Promise<string[]>((r) => waiters.push(r))) };
  }

  it('sees a Kubernetes ConfigMap update (the ..data symlink swapped to a new folder)', async () => {
    const dir = tmpDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, '..v1'));
    fs.writeFileSync(path.join(dir, '..v1/tlsgate.yaml'), 'a: 1\n');
    fs.symlinkSync('..v1', path.join(dir, '..data'));
    fs.symlinkSync('..data/tlsgate.yaml', path.join(dir, 'tlsgate.yaml'));
    const file = path.join(dir, 'tlsgate.yaml');
    const { next, errors } = watch([file]);

    fs.mkdirSync(path.join(dir, '..v2'));
    fs.writeFileSync(path.join(dir, '..v2/tlsgate.yaml'), 'a: 2\n');
    fs.symlinkSync('..v2', path.join(dir, '..data_tmp'));
    fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    expect(await next()).toEqual([file]);
    expect(errors).toEqual([]);
  });

  it('reports one burst of renames as one change, and ignores a touch that changes nothing', async () => {
    const dir = tmpDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const crt = path.join(dir, 'server.crt');
    const key = path.join(dir, 'server.key');
    const other = path.join(dir, 'unrelated.txt');
    fs.writeFileSync(crt, 'cert 1');
    fs.writeFileSync(key, 'key 1');
    const { next, calls } = watch([crt, key], 300);

    // Same content rewritten, and an unwatched file in the same folder: neither is a change...
    fs.writeFileSync(crt, 'cert 1');
    fs.writeFileSync(other, 'x');
    // ...but this burst is, reported once with both files.
    for (const [f, text] of [[key, 'key 2'], [crt, 'cert 2']] as const) {
      fs.writeFileSync(`${f}.tmp`, text);
      fs.renameSync(`${f}.tmp`, f);
    }
    expect((await next()).sort()).toEqual([crt, key].sort());
    expect(calls).toEqual([]);

    // A file that vanishes is a change too (a reload will then refuse it with a clear error).
    fs.rmSync(key);
    expect(await next()).toEqual([key]);
  });

  it('follows update(): files of a new config are watched, dropped ones are not', async () => {
    const a = tmpDir();
    const b = tmpDir();
    cleanups.push(() => [a, b].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    const fa = path.join(a, 'x.pem');
    const fb = path.join(b, 'y.pem');
    fs.writeFileSync(fa, '1');
    fs.writeFileSync(fb, '1');
    const { w, next } = watch([fa]);
    w.update([fb]);
    fs.writeFileSync(fa, '2');
    fs.writeFileSync(fb, '2');
    expect(await next()).toEqual([fb]);
  });
});
