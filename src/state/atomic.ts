// Crash-safe whole-file replacement: write a temp file, fsync it, rename over the target, fsync
// the directory. After a SIGKILL or power loss the target holds either the old or the new bytes.
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

/** data may be chunks (an iterable of strings or bytes), written in order without joining them. */
export async function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string | Uint8Array>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
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
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}
