import os from 'node:os';

/** The number of worker processes for `workers:`; 'auto' is one per core the process may use. */
export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, os.availableParallelism()) : setting;
}
