/** A progress reporter for stderr: one rewritten line on a terminal, a start and end line otherwise. */
export interface Progress {
  update(done: number, total: number, label: string): void;
  end(): void;
}

/** Progress on `stream`; silent when `quiet`. */
export function progressTo(stream: NodeJS.WritableStream & { isTTY?: boolean }, what: string, quiet: boolean): Progress {
  if (quiet) return { update: () => undefined, end: () => undefined };
  let started = false;
  if (stream.isTTY) {
    return {
      update(done, total, label) {
        stream.write(`\r\x1b[2Kprobing ${what}: ${done}/${total} (${label})`);
        started = true;
      },
      end() {
        if (started) stream.write('\r\x1b[2K');
      },
    };
  }
  return {
    update(done, total) {
      if (!started) stream.write(`probing ${what}: ${total} handshakes…\n`);
      started = true;
      if (done === total) stream.write(`probing ${what}: done\n`);
    },
    end: () => undefined,
  };
}
