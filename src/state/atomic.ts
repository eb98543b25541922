// Crash-safe whole-file replacement: write a temp file, fsync it, rename over the target, fsync
// the directory. After a SIGKILL or power loss the target holds either the old or the new bytes.
// The temp file is created exclusively (O_CREAT|O_EXCL: an existing file or symlink of that name
// fails the open instead of being followed) under a random name nobody can plant in advance.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The temp name of a write to `path`: `.<name>.<random>.tmp` in the same directory. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(12).toString('hex')}.tmp`);
}

/** Whether `file` (a bare name) is a temp file of a write to `target` (a bare name). */
export function isTempOf(file: string, target: string): boolean {
  return file.startsWith(`.${target}.`) && file.endsWith('.tmp');
}

/**
 * data may be chunks (an iterable of strings or bytes), written in order without joining them.
 * `beforeRename` runs last before the target is replaced; when it throws, nothing is replaced.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<string | Uint8Array>,
  opts: { beforeRename?: () => Promise<void> } = {},
): Promise<void> {
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    // fs.promises.writeFile on the handle takes chunks too (FileHandle.writeFile is typed for whole data only).
    await writeFile(fh, data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  try {
    await opts.beforeRename?.();
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fsyncDir(dirname(path));
}
