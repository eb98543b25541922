// A lock file left by another owner, as a crashed monitor would leave it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_FILE } from '../../src/state/lock.js';

export async function writeForeignLock(dir: string, owner: { pid: number; hostname: string }): Promise<void> {
  await writeFile(join(dir, LOCK_FILE), JSON.stringify(owner));
}
