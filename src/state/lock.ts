// One writer per state dir. A second monitor on the same volume would interleave journal appends
// and double-send notifications, so it must refuse to start with a message saying why, and a
// monitor that finds its lock taken must stop writing at once.
//
// The lock file holds pid, hostname, PID namespace, boot id and a random token; its mtime is a
// heartbeat, touched every few seconds by the owner after checking the token is still its own.
// Liveness is the heartbeat: a pid means nothing in another PID namespace (a second container on
// the volume sees the owner's pid as dead, or as its own pid 1). Only when hostname, PID
// namespace and boot id all match may a dead pid end the wait early. A fresh lock of any other
// owner is watched until its heartbeat either moves (alive: refused) or goes stale (taken over).
//
// Take-over is serialized by a second file created with O_EXCL (monitor.lock.takeover): under
// it the taker checks that the lock is still the stale one it judged, then renames its own
// complete lock file over it and re-reads the token. Every journal append re-checks the token
// too (verify()), so a monitor stopped (SIGSTOP, a frozen VM) past the stale time and resumed
// writes nothing more once another has taken over; it reports the loss and exits.
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { capText } from '../aws/cap-text.js';
import { StateRefusedError } from './errors.js';

export const LOCK_FILE = 'monitor.lock';
const TAKEOVER_FILE = 'monitor.lock.takeover';
/** Default heartbeat age after which a lock is stale. Tests shorten it with CRML_LOCK_STALE_MS. */
export const DEFAULT_STALE_MS = 30_000;

export class StateLockedError extends StateRefusedError {
  constructor(dir: string, owner: string) {
    super(
      `state.dir ${dir} is in use by another cleanroomsml-monitor (${owner}); run one monitor per state dir ` +
        `(or use sharding), or delete ${join(dir, LOCK_FILE)} if that process is gone`,
    );
    this.name = 'StateLockedError';
  }
}

export class StateLockLostError extends Error {
  constructor(dir: string, why: string) {
    super(`lost the lock of state.dir ${dir} (${why}): another monitor took it over; this one stops writing and exits`);
    this.name = 'StateLockLostError';
  }
}

export interface LockOwner {
  pid?: number;
  hostname?: string;
  pidNamespace?: string;
  bootId?: string;
  token?: string;
  startedAt?: string;
}

export interface StateLock {
  readonly token: string;
  /** Rejects with StateLockLostError when the lock file no longer carries our token. */
  verify(): Promise<void>;
  /** Stop the heartbeat and delete the lock file if it is still ours. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Wall clock (the heartbeat is a file mtime). */
  now?: () => number;
  staleMs?: number;
  /** Default staleMs / 6. */
  heartbeatMs?: number;
  /** Called once when a heartbeat or verify() finds the lock taken. */
  onLost?: (err: StateLockLostError) => void;
  /** Told when start-up waits to see whether a fresh lock's owner is alive. */
  onWait?: (message: string) => void;
}

/** The stale time from CRML_LOCK_STALE_MS (milliseconds), else the default. */
export function staleMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env['CRML_LOCK_STALE_MS']);
  return Number.isInteger(v) && v >= 100 ? v : DEFAULT_STALE_MS;
}

function readProc(path: string, link: boolean): string | undefined {
  try {
    return (link ? readlinkSync(path) : readFileSync(path, 'utf8')).trim();
  } catch {
    return undefined; // not Linux
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

function parseOwner(text: string): LockOwner {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as LockOwner) : {};
  } catch {
    return {};
  }
}

function describe(o: LockOwner): string {
  // The file is read back from disk: print no more of it than a pid and a host name can be.
  return `pid ${typeof o.pid === 'number' ? o.pid : '?'} on ${typeof o.hostname === 'string' ? capText(o.hostname, 255) : '?'}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Locks this process holds: our own pid in a lock file of our namespace means "left by an
// earlier process with the same pid" only when this process does not hold it right now.
const held = new Set<string>();

/** A lock file as read from disk: its owner and its heartbeat. */
export interface FoundLock {
  owner: LockOwner;
  mtimeMs: number;
}

/** What judging a found lock needs to know, as plain values. */
export interface LockJudge {
  /** This process: its pid and where that pid means something. */
  self: Pick<LockOwner, 'hostname' | 'pidNamespace' | 'bootId'> & { pid: number };
  now: number;
  staleMs: number;
  heartbeatMs: number;
  /** This process holds the lock at this path right now. */
  heldHere: boolean;
  pidAlive: (pid: number) => boolean;
  /** The owner and heartbeat seen on the previous look, while waiting. */
  watching?: { token: string | undefined; mtimeMs: number };
}

/** What start-up does about a lock it found in place. */
export type LockVerdict = { do: 'take' } | { do: 'refuse'; owner: string } | { do: 'wait'; ageMs: number; waitMs: number };

const sameNamespace = (a: LockOwner, b: LockOwner): boolean =>
  a.hostname === b.hostname && a.pidNamespace === b.pidNamespace && a.bootId === b.bootId;

/** Take a found lock over, refuse to start, or wait and look again (pure). */
export function judgeLock(found: FoundLock, j: LockJudge): LockVerdict {
  const { owner, mtimeMs } = found;
  const age = j.now - mtimeMs;
  const here = sameNamespace(owner, j.self);
  const deadHere = here && (owner.pid === undefined || (owner.pid === j.self.pid ? !j.heldHere : !j.pidAlive(owner.pid)));
  if (age > j.staleMs || deadHere) return { do: 'take' };
  // Fresh heartbeat. In our namespace a live pid is the owner: refuse now. Elsewhere, watch the
  // heartbeat: it moves within one beat if the owner is alive.
  if (here && owner.pid !== undefined && owner.pid !== j.self.pid) return { do: 'refuse', owner: describe(owner) };
  if (j.watching && (j.watching.token !== owner.token || j.watching.mtimeMs !== mtimeMs))
    return { do: 'refuse', owner: `${describe(owner)}, heartbeat ${Math.max(0, Math.round(age / 1000))} s ago` };
  return { do: 'wait', ageMs: age, waitMs: Math.max(10, Math.min(j.heartbeatMs / 2, j.staleMs - age + 10)) };
}

/** The one line start-up logs when it waits to see whether a lock's owner is alive. */
export function waitMessage(dir: string, owner: LockOwner, ageMs: number, staleMs: number): string {
  return (
    `state.dir ${dir} is locked by ${describe(owner)} in another PID namespace or host, heartbeat ${Math.round(ageMs / 1000)} s ago; ` +
    `waiting up to ${Math.ceil((staleMs - ageMs) / 1000)} s to see whether it is alive`
  );
}

/** The lock file of one state dir, and the owner record this process writes into it. */
interface LockFile {
  dir: string;
  path: string;
  me: Required<Pick<LockOwner, 'pid' | 'hostname' | 'token' | 'startedAt'>> & LockOwner;
  body: string;
  now: () => number;
  staleMs: number;
  heartbeatMs: number;
}

function lockFileOf(dir: string, opts: LockOptions): LockFile {
  const now = opts.now ?? Date.now;
  const staleMs = opts.staleMs ?? staleMsFromEnv();
  const me: LockFile['me'] = {
    pid: process.pid,
    hostname: hostname(),
    token: randomBytes(16).toString('hex'),
    startedAt: new Date(now()).toISOString(),
  };
  const ns = readProc('/proc/self/ns/pid', true);
  const boot = readProc('/proc/sys/kernel/random/boot_id', false);
  if (ns) me.pidNamespace = ns;
  if (boot) me.bootId = boot;
  return {
    dir,
    path: join(dir, LOCK_FILE),
    me,
    body: JSON.stringify(me),
    now,
    staleMs,
    heartbeatMs: opts.heartbeatMs ?? Math.max(20, Math.floor(staleMs / 6)),
  };
}

// Every mtime read as a heartbeat is stamped from `now` (utimes), never left as the file
// system set it: the file system's clock (a network volume's server, or ours when `now` is
// faked) can differ from ours by more than the stale time, and a lock fresh from link() or
// rename() would look stale to its next reader until the first heartbeat.
const stamp = (f: LockFile) => {
  const t = new Date(f.now());
  return [t, t] as const;
};

/** A complete lock file of ours under a fresh temp name (created with O_EXCL), its mtime from our clock. */
async function writeTemp(f: LockFile): Promise<string> {
  const tmp = join(f.dir, `.${LOCK_FILE}.${randomBytes(12).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(f.body);
    await fh.utimes(...stamp(f));
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

async function readLock(path: string): Promise<FoundLock | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { owner: parseOwner(text), mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Create the lock file if there is none; false when one is there. */
async function createLock(f: LockFile): Promise<boolean> {
  const tmp = await writeTemp(f);
  try {
    // link() creates the name only if it does not exist: never a half-written lock file.
    await link(tmp, f.path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Replace the lock judged stale (`seen`) by ours, unless someone changed it meanwhile. */
async function takeOver(f: LockFile, seen: FoundLock): Promise<boolean> {
  const mutex = join(f.dir, TAKEOVER_FILE);
  try {
    await writeFile(mutex, f.me.token, { flag: 'wx', mode: 0o600 });
    await utimes(mutex, ...stamp(f)).catch(() => {});
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another monitor is taking over; a mutex older than the stale time is a crashed taker's.
    const st = await stat(mutex).catch(() => undefined);
    if (st && f.now() - st.mtimeMs > f.staleMs) await unlink(mutex).catch(() => {});
    return false;
  }
  try {
    const cur = await readLock(f.path);
    if (cur && (cur.owner.token !== seen.owner.token || cur.mtimeMs !== seen.mtimeMs)) return false;
    const tmp = await writeTemp(f);
    await rename(tmp, f.path);
    return true;
  } finally {
    await unlink(mutex).catch(() => {});
  }
}

/** Create the lock file or take it over, waiting while a fresh lock's owner may be alive; throws when it is. */
async function obtain(f: LockFile, onWait: LockOptions['onWait']): Promise<void> {
  let announced = false;
  let watching: LockJudge['watching'];
  for (;;) {
    if (await createLock(f)) return;
    const cur = await readLock(f.path);
    if (!cur) continue;
    const v = judgeLock(cur, {
      self: f.me,
      now: f.now(),
      staleMs: f.staleMs,
      heartbeatMs: f.heartbeatMs,
      heldHere: held.has(f.path),
      pidAlive,
      ...(watching ? { watching } : {}),
    });
    if (v.do === 'take') {
      if (await takeOver(f, cur)) return;
      await sleep(Math.min(f.heartbeatMs, 200));
      continue;
    }
    if (v.do === 'refuse') throw new StateLockedError(f.dir, v.owner);
    watching = { token: cur.owner.token, mtimeMs: cur.mtimeMs };
    if (!announced) {
      announced = true;
      onWait?.(waitMessage(f.dir, cur.owner, v.ageMs, f.staleMs));
    }
    await sleep(v.waitMs);
  }
}

/** The held lock: a heartbeat that checks the token before touching the file, verify() and release(). */
function hold(f: LockFile, onLost: LockOptions['onLost']): StateLock {
  const { dir, path, me } = f;
  let lost: StateLockLostError | undefined;
  const lose = (why: string): StateLockLostError => {
    if (!lost) {
      lost = new StateLockLostError(dir, why);
      clearInterval(timer);
      held.delete(path);
      onLost?.(lost);
    }
    return lost;
  };
  const verify = async (): Promise<void> => {
    if (lost) throw lost;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw lose('the lock file was deleted');
      throw err; // an I/O error is not a lost lock
    }
    const owner = parseOwner(text);
    if (owner.token !== me.token) throw lose(`it now belongs to ${describe(owner)}`);
  };
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    verify()
      .then(() => utimes(path, ...stamp(f)))
      .catch(() => {})
      .finally(() => (beating = false));
  }, f.heartbeatMs);
  timer.unref();

  return {
    token: me.token,
    verify,
    async release() {
      clearInterval(timer);
      if (lost) return;
      held.delete(path);
      try {
        if (parseOwner(await readFile(path, 'utf8')).token === me.token) await unlink(path);
      } catch {
        // Already gone.
      }
    },
  };
}

export async function acquireLock(dir: string, opts: LockOptions = {}): Promise<StateLock> {
  const f = lockFileOf(dir, opts);
  if (held.has(f.path)) throw new StateLockedError(dir, `this process, pid ${process.pid}`);
  await obtain(f, opts.onWait);
  // Ours only if the file now carries our token (a racing taker may have renamed over us).
  const check = await readLock(f.path);
  if (check?.owner.token !== f.me.token) throw new StateLockedError(dir, check ? describe(check.owner) : 'a monitor that took it over');
  held.add(f.path);
  return hold(f, opts.onLost);
}
