// The shard layout record in the state dir (shard-layout.json): the layout a pod last swept under,
// when its last complete sweep started, and a handover under way (src/poll/handover.ts). Written
// atomically (src/state/atomic.ts). A missing record is a pod that kept none; an unreadable one is
// logged and treated as missing, which errs on the side of notifying (a handover from now minus
// the lookback), and is replaced by the next write.
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { isTempOf, writeFileAtomic } from '../state/atomic.js';
import { parseLayoutRecord, type LayoutRecord } from './handover.js';

export const LAYOUT_FILE = 'shard-layout.json';

export interface LayoutStore {
  read(): Promise<LayoutRecord | undefined>;
  write(r: LayoutRecord): Promise<void>;
}

export function layoutFile(dir: string, log: Logger): LayoutStore {
  const path = join(dir, LAYOUT_FILE);
  return {
    async read() {
      // A write cut short (SIGKILL) leaves a temp file of our own: remove it.
      for (const f of await readdir(dir).catch(() => [] as string[]))
        if (isTempOf(f, LAYOUT_FILE)) await unlink(join(dir, f)).catch(() => {});
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        log.error({ file: path, err: { message: (err as Error).message } }, 'shard layout record unreadable: taken as absent');
        return undefined;
      }
      try {
        return parseLayoutRecord(text);
      } catch (err) {
        log.error(
          { file: path, err: { message: (err as Error).message } },
          `shard layout record invalid (${(err as Error).message}): taken as absent`,
        );
        return undefined;
      }
    },
    write: (r) => writeFileAtomic(path, `${JSON.stringify(r)}\n`),
  };
}
