// One writer per state dir. A second monitor on the same PVC would interleave journal appends
// and double-send notifications, so it must refuse to start with a message saying why.
// The lock file carries pid + hostname + a heartbeat (mtime, touched every few seconds): a lock
// whose owner is gone (same host, dead pid, or our own pid left by a previous container) or whose
// heartbeat is stale is taken over; anything else is refused.
import { open, readFile, unlink, utimes, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'monitor.lock';
const HEARTBEAT_MS = 5_000;
const STALE_MS = 30_000;

export class StateLockedError extends Error {
  constructor(dir: string, owner: string) {
    super(
      `state.dir ${dir} is in use by another cleanroomsml-monitor (${owner}); run one monitor per state dir ` +
        `(or use sharding), or delete ${join(dir, LOCK_FILE)} if that process is gone`,
    );
    this.name = 'StateLockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StateLock {
  release(): Promise<void>;
}

// Locks this process holds: our own pid in a lock file means "stale, left by an earlier container
// with the same pid" only when this process does not hold it right now.
const held = new Set<string>();

export async function acquireLock(dir: string, now: () => number = Date.now): Promise<StateLock> {
  const path = join(dir, LOCK_FILE);
  if (held.has(path)) throw new StateLockedError(dir, `this process, pid ${process.pid}`);
  const me = { pid: process.pid, hostname: hostname(), startedAt: new Date(now()).toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(JSON.stringify(me));
      await fh.sync();
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      let owner: { pid?: number; hostname?: string } = {};
      try {
        owner = JSON.parse(await readFile(path, 'utf8')) as typeof owner;
      } catch {
        // An unreadable lock file is a crash during its creation: stale.
      }
      const age = now() - (await stat(path)).mtimeMs;
      const sameHost = owner.hostname === me.hostname;
      const stale =
        age > STALE_MS ||
        (sameHost && (owner.pid === undefined || owner.pid === process.pid || !pidAlive(owner.pid)));
      if (!stale) throw new StateLockedError(dir, `pid ${owner.pid ?? '?'} on ${owner.hostname ?? '?'}`);
      await unlink(path).catch(() => {});
    }
  }
  held.add(path);
  const timer = setInterval(() => {
    const t = new Date();
    utimes(path, t, t).catch(() => {});
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      held.delete(path);
      try {
        const owner = JSON.parse(await readFile(path, 'utf8')) as { pid?: number; hostname?: string };
        if (owner.pid === me.pid && owner.hostname === me.hostname) await unlink(path);
      } catch {
        // Already gone.
      }
    },
  };
}
