// A lock file written as another monitor would leave it: by default one that crashed in our own
// PID namespace; pass `pidNamespace`/`bootId` to play an owner in another namespace.
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_FILE, type LockOwner } from '../../src/state/lock.js';

function readProc(path: string, link: boolean): string | undefined {
  try {
    return (link ? readlinkSync(path) : readFileSync(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export async function writeForeignLock(dir: string, owner: LockOwner & { pid: number; hostname: string }, mtime?: Date): Promise<void> {
  const full: LockOwner = {
    pidNamespace: readProc('/proc/self/ns/pid', true),
    bootId: readProc('/proc/sys/kernel/random/boot_id', false),
    token: randomBytes(16).toString('hex'),
    ...owner,
  };
  const p = join(dir, LOCK_FILE);
  await writeFile(p, JSON.stringify(full));
  if (mtime) await utimes(p, mtime, mtime);
}
