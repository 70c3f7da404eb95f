/**
 * Watches files for content changes and calls back once per burst of changes. It watches the
 * folders, not the files: editors, certbot and Kubernetes replace files by rename or by swapping
 * a symlink, which a watch on the old file would never see.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A running watcher. */
export interface FileWatcher {
  /** Replaces the set of watched files (after a reload names new certificate paths). */
  update(files: readonly string[]): void;
  /** Stops watching. */
  close(): void;
}

/** How a watcher reports. */
export interface WatchOptions {
  /** Quiet time after the last event before files are compared: one renewal writes several files. */
  debounceMs: number;
  /** Called with the files whose content changed (or that appeared or vanished). */
  onChange(changed: string[]): void;
  /** Called when a folder cannot be watched; the watcher goes on with the others. */
  onError(dir: string, err: Error): void;
}

/** Starts watching `files`; content is compared by SHA-256, so a touch without change is ignored. */
export function watchFiles(files: readonly string[], opts: WatchOptions): FileWatcher {
  const prints = new Map<string, string>();
  const dirs = new Map<string, fs.FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const settle = () => {
    timer = undefined;
    if (closed) return;
    const changed: string[] = [];
    for (const [file, before] of prints) {
      const now = fingerprint(file);
      if (now !== before) {
        prints.set(file, now);
        changed.push(file);
      }
    }
    if (changed.length > 0) opts.onChange(changed);
  };
  const poke = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(settle, opts.debounceMs);
    timer.unref();
  };

  const watcher: FileWatcher = {
    update(next) {
      prints.clear();
      for (const f of next) prints.set(path.resolve(f), fingerprint(f));
      const wanted = new Set([...prints.keys()].map((f) => path.dirname(f)));
      for (const [dir, w] of dirs) if (!wanted.has(dir)) (w.close(), dirs.delete(dir));
      for (const dir of wanted) {
        if (dirs.has(dir)) continue;
        try {
          const w = fs.watch(dir, { persistent: false }, poke);
          w.on('error', (e) => opts.onError(dir, e));
          dirs.set(dir, w);
        } catch (e) {
          opts.onError(dir, e as Error);
        }
      }
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of dirs.values()) w.close();
      dirs.clear();
    },
  };
  watcher.update(files);
  return watcher;
}

/** SHA-256 of the file's content through symlinks, or a marker when it cannot be read. */
function fingerprint(file: string): string {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch (e) {
    return `unreadable:${(e as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}
