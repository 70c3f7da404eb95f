import fs from 'node:fs';
import path from 'node:path';
import { TlsgateError } from '../errors.js';

/** One file to write: private keys get mode 0600, everything else 0644. */
export interface OutputFile {
  name: string;
  content: string;
  mode: 0o600 | 0o644;
}

/**
 * Writes every file into `dir`, or none: an existing file stops the whole write unless
 * `force`, so a key is never replaced by accident (its certificate would be orphaned).
 */
export function writeOutputs(dir: string, files: readonly OutputFile[], force: boolean): string[] {
  const paths = files.map((f) => path.join(dir, f.name));
  const existing = paths.filter((p) => fs.existsSync(p));
  if (existing.length > 0 && !force) {
    throw new TlsgateError('TLSGATE_CERT_FILE_EXISTS', `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written`, {
      hint: 'choose another --out folder, or pass --force to replace the files (the old key is lost)',
    });
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    files.forEach((f, i) => {
      const p = paths[i]!;
      // Remove first, then create exclusively: a mode passed to writeFileSync applies only to new files.
      if (force) fs.rmSync(p, { force: true });
      fs.writeFileSync(p, f.content, { mode: f.mode, flag: 'wx' });
      fs.chmodSync(p, f.mode);
    });
  } catch (e) {
    throw new TlsgateError('TLSGATE_CERT_GENERATE', `cannot write into ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { hint: 'make the --out folder writable, or choose another one' });
  }
  return paths;
}
