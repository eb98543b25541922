// Secrets mounted from a Kubernetes Secret change under a running pod: the kubelet writes the new
// files into a fresh timestamped directory and swaps the `..data` symlink atomically. inotify on
// the file path misses that (the watched inode never changes; the symlink above it does), so the
// files are polled: each one is read through its path (following the swap) and hashed every
// interval, and a change is applied as a config reload. Reading a few small files every 10 s costs
// nothing, works on every filesystem (NFS, overlay, projected volumes) and needs no platform quirk.
import type { Logger } from '../log.js';
import { hashSecret, readSecretFile, type SecretFileRead } from './fileRefs.js';

export const DEFAULT_SECRET_POLL_MS = 10_000;

export interface WatchFilesOptions {
  /** The files the config in force was read from, with the hash of what it saw. */
  files: () => readonly SecretFileRead[];
  /** Applies the change (a config reload); true when it took. */
  onChange: (changed: readonly string[]) => Promise<boolean>;
  log: Logger;
  intervalMs?: number;
  read?: (path: string) => Promise<string>;
}

export interface FileWatch {
  /** One check now (what each interval does); skipped while one is running. */
  check(): Promise<void>;
  stop(): void;
}

export function watchFiles(opts: WatchFilesOptions): FileWatch {
  const read = opts.read ?? readSecretFile;
  // Content already tried and refused (a half-rotated pair, an invalid secret): not retried every
  // interval, only when it changes again. Keyed by path.
  const refused = new Map<string, string>();
  let busy = false;
  const check = async (): Promise<void> => {
    const changed: string[] = [];
    const seen = new Map<string, string>();
    for (const f of opts.files()) {
      let hash: string;
      try {
        hash = hashSecret(await read(f.path));
      } catch {
        // Mid-swap or briefly missing: the next round sees the settled state. A file that stays
        // missing is reported by the reload that a real change triggers.
        continue;
      }
      seen.set(f.path, hash);
      if (hash !== f.sha256 && refused.get(f.path) !== hash) changed.push(f.path);
    }
    if (changed.length === 0) return;
    opts.log.info({ files: changed }, 'secret file changed: reloading the config');
    const ok = await opts.onChange(changed);
    if (ok) refused.clear();
    else for (const p of changed) refused.set(p, seen.get(p)!);
  };
  const once = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      await check();
    } catch (err) {
      opts.log.error({ err: { type: (err as Error).name } }, 'secret file check failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void once(), opts.intervalMs ?? DEFAULT_SECRET_POLL_MS);
  timer.unref();
  return { check: once, stop: () => clearInterval(timer) };
}
