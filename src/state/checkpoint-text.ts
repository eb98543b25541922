// The checkpoint's JSON text, produced in chunks. At 10,000 jobs with metrics the text is ~6 MB:
// built whole (JSON.stringify) it was a string that size plus its UTF-8 copy at every checkpoint,
// a short spike of peak RSS that outlived nothing but set the high-water mark. Written chunk by
// chunk, a checkpoint holds ~64 KB of text at a time.
import type { DeadLetter, JobSnapshot, OutboxEntry } from '../domain.js';
import type { ResourceSnapshot } from '../kinds/resource.js';

export interface Checkpoint {
  version: number;
  seq: number;
  jobs: readonly JobSnapshot[];
  outbox: readonly OutboxEntry[];
  deadLetters: readonly DeadLetter[];
  /** Resources of the other kinds; absent in checkpoints written before they were watched (read as none). */
  resources?: readonly ResourceSnapshot[];
}

/** Chunks whose concatenation is exactly JSON.stringify(cp) (same keys, same order). */
export function* checkpointChunks(cp: Checkpoint, chunkChars = 64 * 1024): Generator<string> {
  let text = `{"version":${JSON.stringify(cp.version)},"seq":${JSON.stringify(cp.seq)}`;
  for (const key of ['jobs', 'outbox', 'deadLetters', 'resources'] as const) {
    const items: readonly unknown[] | undefined = cp[key];
    if (items === undefined) continue;
    text += `,"${key}":[`;
    for (let i = 0; i < items.length; i++) {
      // As JSON.stringify writes an array element that has no JSON form (never the case here).
      text += (i > 0 ? ',' : '') + (JSON.stringify(items[i]) ?? 'null');
      if (text.length >= chunkChars) {
        yield text;
        text = '';
      }
    }
    text += ']';
  }
  yield `${text}}`;
}
