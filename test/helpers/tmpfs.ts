// A small real tmpfs for state dirs that run out of space or of inodes. Mounting needs root (or
// CAP_SYS_ADMIN): mountTmpfs says why it could not, and the caller falls back or reports it.
// On tmpfs a hard link takes an inode too, so a process that must create its lock file (a new
// file and a link to it) cannot start on a filesystem without free inodes; a nearly full one
// (a few free blocks) lets it start and append, but not write a new copy of its state.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statfsSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Mounts a tmpfs on `dir`; undefined when mounted, else why not. */
export function mountTmpfs(dir: string, opts: { size: string; inodes?: number }): string | undefined {
  mkdirSync(dir, { recursive: true });
  const o = `size=${opts.size}${opts.inodes ? `,nr_inodes=${opts.inodes}` : ''}`;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', o, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
  }
}

/** Unmounts `dir`; lazily when still busy (a failed test may leave a file open). */
export function umount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
}

/**
 * Creates empty files in `dir` until the filesystem has no free inode left (ENOSPC). Existing
 * files can still be appended to; no new file can be created. Returns the filler dir.
 */
export function exhaustInodes(dir: string): string {
  const fill = join(dir, 'inode-filler');
  mkdirSync(fill, { recursive: true });
  // Called again, it takes what was freed since (a write in flight may release its temp file).
  for (let i = readdirSync(fill).length; ; i++) {
    try {
      closeSync(openSync(join(fill, String(i)), 'wx'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return fill;
      throw err;
    }
  }
}

/** Frees `n` inodes taken by exhaustInodes (all of them when n is undefined). */
export function freeInodes(fill: string, n?: number): void {
  if (n === undefined) return rmSync(fill, { recursive: true, force: true });
  for (const f of readdirSync(fill).slice(0, n)) rmSync(join(fill, f));
}

/** Fills the filesystem of `dir` with one file, to the last byte (ENOSPC). Returns its path. */
export function fillSpace(dir: string): string {
  const p = join(dir, 'space-filler');
  const fd = openSync(p, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: top up with small writes, down to the last byte.
    try {
      for (;;) writeSync(fd, chunk, 0, 512);
    } catch {
      /* full */
    }
  } finally {
    closeSync(fd);
  }
  return p;
}

/**
 * Frees exactly `blocks` blocks (pages, on tmpfs) of a fillSpace file: room for small appends
 * and one small file, not for a file larger than that.
 */
export function freeBlocks(filler: string, blocks: number): void {
  const bsize = statfsSync(filler).bsize;
  truncateSync(filler, Math.max(0, statSync(filler).size - blocks * bsize));
}
