// The checkpoint's JSON text, produced in chunks. At 10,000 resources with metrics the text is ~6 MB:
// built whole (JSON.stringify) it was a string that size plus its UTF-8 copy at every checkpoint,
// a short spike of peak RSS that outlived nothing but set the high-water mark. Written chunk by
// chunk, a checkpoint holds ~64 KB of text at a time.
import type { DeadLetter, OutboxEntry } from './types.js';
import type { HistoryItem } from '../kinds/history.js';
import type { KindName } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';

export interface Checkpoint {
  version: number;
  seq: number;
  /** Every watched resource, of every kind. */
  resources: readonly ResourceSnapshot[];
  outbox: readonly OutboxEntry[];
  deadLetters: readonly DeadLetter[];
  /** The history of each stored resource that has one, compact (version 3: src/kinds/history.ts HistoryItem). */
  history: readonly HistoryItem[];
  /** Finished phases of each kind and status, oldest first (version 3). */
  durations: readonly { kind: KindName; status: string; seconds: readonly number[] }[];
}

/** Chunks whose concatenation is exactly JSON.stringify(cp) (same keys, same order). */
export function* checkpointChunks(cp: Checkpoint, chunkChars = 64 * 1024): Generator<string> {
  let text = `{"version":${JSON.stringify(cp.version)},"seq":${JSON.stringify(cp.seq)}`;
  for (const key of ['resources', 'outbox', 'deadLetters', 'history', 'durations'] as const) {
    const items: readonly unknown[] = cp[key];
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
