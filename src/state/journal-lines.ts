// The journal, line by line, without holding the file: read whole, a journal that grew while
// checkpoints kept failing took its size in memory twice (bytes and string) at every start, and
// past ~512 MB could not become a string at all, so the daemon crash-looped. Here only one line
// is held at a time (a sweep's commit record: up to a few MB at 10,000 jobs).
import { open } from 'node:fs/promises';

const CHUNK = 1024 * 1024;

/** One line of the file; `complete` is false for a last line without its '\n' (a torn append). */
export interface JournalLine {
  text: string;
  complete: boolean;
  /** Bytes of the line in the file, its '\n' included. */
  bytes: number;
}

/** The lines of `path` in order (nothing when it does not exist). */
export async function* readJournalLines(path: string): AsyncGenerator<JournalLine> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let parts: Buffer[] = [];
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1 && nl < bytesRead; nl = buf.indexOf(10, start)) {
        parts.push(buf.subarray(start, nl));
        const line = Buffer.concat(parts);
        yield { text: line.toString('utf8'), complete: true, bytes: line.length + 1 };
        parts = [];
        start = nl + 1;
      }
      // Copy: `buf` is reused by the next read.
      if (start < bytesRead) parts.push(Buffer.from(buf.subarray(start, bytesRead)));
    }
    if (parts.length > 0) {
      const line = Buffer.concat(parts);
      yield { text: line.toString('utf8'), complete: false, bytes: line.length };
    }
  } finally {
    await fh.close();
  }
}
