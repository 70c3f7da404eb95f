/**
 * Runs an async task one at a time. A request made while one runs is queued once; further
 * requests join that queued run, because a burst of SIGHUPs or file events needs one reload
 * that sees the final files, not one reload per event.
 */
export function serialize<T>(task: (reason: string) => Promise<T>): (reason: string) => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const start = (reason: string): Promise<T> => {
    const p = task(reason).finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  return (reason) => {
    if (queued) return queued;
    if (!running) return start(reason);
    const q = running.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      queued = undefined;
      return start(reason);
    });
    queued = q;
    return q;
  };
}
