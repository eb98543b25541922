// Crash-safe state: a checkpoint file plus an append-only journal.
//
//   state.json     {version, seq, resources, outbox, deadLetters, history, durations}, replaced atomically (atomic.ts)
//   journal.ndjson one JSON record per line, appended and fsynced before a change is applied
//
// Why a journal: a sweep and every delivery attempt must be durable before the monitor acts on
// them (record before send), and rewriting a 10,000-job checkpoint per delivery would
// cost megabytes of writes per message. A record is applied in memory only after its append
// succeeded, so a full disk or an I/O error leaves memory equal to disk, and the caller fails.
// A SIGKILL mid-append leaves at most one torn last line, which load() ignores; a torn line
// anywhere else, a record of the wrong shape, or an unreadable checkpoint is corruption: the file
// is moved aside loudly (kept, never deleted) and counted.
//
// The journal is bounded: it is cut at every checkpoint (compactBytes). A failed checkpoint (no
// free inode for the new file, a failed rename) loses nothing while records can still be
// appended: the state is `degraded` (health.ts), sweeps and deliveries go on recording into the
// journal, and the checkpoint is retried every checkpointRetryMs on a timer of its own (and, at
// the same pace, by appends past compactBytes). Past maxJournalBytes the store refuses new records
// with an error saying why, as for a full disk (`unwritable`), instead of growing until a restart
// cannot replay it. A failed append is `unwritable` too, until an append or a checkpoint succeeds.
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { systemTimers, type Timers } from '../clock.js';
import type { Clock } from '../domain.js';
import type { DeadLetter, OutboxEntry } from './types.js';
import { historyItem, type HistoryEntry } from '../kinds/history.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { splitDurationKey, type DurationSamples } from '../kinds/usual.js';
import { shareResourceStrings } from '../intern.js';
import type { Logger } from '../log.js';
import { isTempOf, writeFileAtomic } from './atomic.js';
import { checkpointChunks, type Checkpoint } from './checkpoint-text.js';
import { checkStateDir } from './check-state-dir.js';
import { createHistoryStore } from './history-store.js';
import { stateHealth, type StateHealth } from './health.js';
import { readJournalLines } from './journal-lines.js';
import { acquireLock, LOCK_FILE, StateLockLostError, type StateLock } from './lock.js';
import { parseCheckpoint, readJournalRecord, type JournalRecord, type Repairs } from './shape.js';
// Version 3 adds histories and durations to version 2, which keeps every kind in `resources`;
// versions 1 (audience generation jobs in `jobs`, in their own shape) and 2 are still read, and
// rewritten as version 3 at once. A later version is refused.
import { refuseNewerVersion, STATE_VERSION, StateVersionError } from './version.js';
import type { StateStore, SweepCommit } from './types.js';

export { StateCorruptError } from './shape.js';

export const STATE_FILE = 'state.json';
export const JOURNAL_FILE = 'journal.ndjson';
const DEFAULT_COMPACT_BYTES = 8 * 1024 * 1024;
const DEFAULT_CHECKPOINT_RETRY_MS = 30_000;
// The journal never follows a symlink planted in its place (the dir check refuses such dirs;
// this is the second line).
const JOURNAL_APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);

/**
 * The record of one complete journal line (the `n`th), or why it is corrupt. A record written by a
 * later release throws StateVersionError: such a state is refused, not quarantined.
 */
export function journalLineRecord(text: string, n: number, repairs: Repairs): JournalRecord | { corrupt: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { corrupt: `line ${n}: ${(err as Error).message}` };
  }
  refuseNewerVersion((raw as { v?: unknown } | null)?.v, `${JOURNAL_FILE} line ${n}`);
  try {
    return readJournalRecord(raw, repairs);
  } catch (err) {
    return { corrupt: `line ${n}: ${(err as Error).message}` };
  }
}

export class StateJournalFullError extends Error {
  constructor(bytes: number, max: number, cause: unknown) {
    super(
      `the state journal holds ${bytes} bytes, more than ${max}, because checkpoints keep failing ` +
        `(last: ${(cause as Error)?.message ?? String(cause)}); new records are refused until a checkpoint succeeds`,
    );
    this.name = 'StateJournalFullError';
  }
}

type Op = JournalRecord extends infer R ? (R extends { s: number } ? Omit<R, 's'> : never) : never;

/** What load() found, for logs and metrics. */
export interface LoadReport {
  jobs: number;
  pending: number;
  deadLetters: number;
  replayed: number;
  tornTail: boolean;
  /** Files moved aside because they could not be read. */
  quarantined: string[];
  /** Values repaired while loading (non-finite or out-of-range metrics dropped, text capped). */
  repaired: number;
}

export interface StoreOptions {
  dir: string;
  clock: Clock;
  log: Logger;
  /** Journal size that triggers a checkpoint. Default 8 MiB. */
  compactBytes?: number;
  /** Journal size past which records are refused while checkpoints fail. Default 8 x compactBytes. */
  maxJournalBytes?: number;
  /** Time between checkpoint attempts while they fail (a timer retries at this pace). Default 30 s. */
  checkpointRetryMs?: number;
  /** Timers of the checkpoint retry (default Node's, unref'd). */
  timers?: Timers;
  /** Called when a record could not be written (failed or refused append): counted, logged. */
  onWriteError?: (err: Error) => void;
  /** Called when a checkpoint failed (records still go to the journal while appends work). */
  onCheckpointError?: (err: Error) => void;
  /** Called once when another monitor took the state dir's lock: the store has stopped writing. */
  onLockLost?: (err: StateLockLostError) => void;
  /** Heartbeat age after which the lock is stale (default CRML_LOCK_STALE_MS or 30 s). */
  lockStaleMs?: number;
}

export interface FileStateStore extends StateStore {
  readonly loadReport: LoadReport;
  /** What the state dir can do now: ok, degraded (checkpoints fail, appends work) or unwritable. */
  health(): StateHealth;
  /** Write a checkpoint now and truncate the journal. */
  checkpoint(): Promise<void>;
  /** Durably forget dead letters (an operator gave up on them). Returns how many were removed. */
  discardDeadLetters(ids: readonly string[] | 'all'): Promise<number>;
}

export async function openStateStore(opts: StoreOptions): Promise<FileStateStore> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  await checkStateDir(opts.dir);
  let store: JournalStore | undefined;
  const lock = await acquireLock(opts.dir, {
    ...(opts.lockStaleMs !== undefined ? { staleMs: opts.lockStaleMs } : {}),
    onLost: (err) => {
      store?.lockLost(err);
      opts.onLockLost?.(err);
    },
    onWait: (message) => opts.log.warn({ dir: opts.dir }, message),
  });
  try {
    store = new JournalStore(opts, lock);
    await store.load();
    return store;
  } catch (err) {
    await lock.release();
    throw err;
  }
}

class JournalStore implements FileStateStore {
  private readonly resourcesById = new Map<string, ResourceSnapshot>();
  private readonly times = createHistoryStore();
  private readonly outbox = new Map<string, OutboxEntry>();
  private readonly dead = new Map<string, DeadLetter>();
  private readonly listeners = new Set<() => void>();
  private seq = 0;
  private journal: FileHandle | undefined;
  private journalBytes = 0;
  /** Journal length before a failed append whose torn bytes could not be cut off yet. */
  private tornAt: number | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set when another monitor took the lock: nothing is written any more. */
  private lost: StateLockLostError | undefined;
  /** The last checkpoint failure, while checkpoints fail, and since when they fail. */
  private checkpointError: unknown;
  private checkpointFailingSince: number | undefined;
  private lastCheckpointTry = 0;
  /** The error of the last append, if it failed. */
  private appendError: unknown;
  /** Retries the checkpoint while the state is not ok. */
  private retryTimer: unknown;
  loadReport: LoadReport = { jobs: 0, pending: 0, deadLetters: 0, replayed: 0, tornTail: false, quarantined: [], repaired: 0 };

  constructor(
    private readonly opts: StoreOptions,
    private readonly lock: StateLock,
  ) {}

  private path(name: string): string {
    return join(this.opts.dir, name);
  }

  lockLost(err: StateLockLostError): void {
    this.lost ??= err;
    this.stopRetrying();
  }

  private get maxJournalBytes(): number {
    return this.opts.maxJournalBytes ?? 8 * (this.opts.compactBytes ?? DEFAULT_COMPACT_BYTES);
  }

  health(): StateHealth {
    return stateHealth({
      // A monitor whose lock was taken writes nothing more.
      appendError: this.lost ?? this.appendError,
      checkpointError: this.checkpointError,
      ...(this.checkpointFailingSince !== undefined ? { checkpointFailingSince: this.checkpointFailingSince } : {}),
      journalBytes: this.journalBytes,
      journalLimitBytes: this.maxJournalBytes,
    });
  }

  private async quarantine(name: string, rawWhy: string): Promise<void> {
    // JSON.parse quotes the bad bytes: keep the message printable and short for logs.
    const why = rawWhy.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
    const aside = `${name}.corrupt-${new Date(this.opts.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.path(name), this.path(aside));
    this.loadReport.quarantined.push(aside);
    this.opts.log.error(
      { file: this.path(name), movedTo: this.path(aside), reason: why },
      `state file ${name} is corrupt (${why}); moved aside to ${aside} and starting without it. ` +
        'Jobs already terminal will not be re-notified; inspect the file if events may be missing',
    );
  }

  async load(): Promise<void> {
    // Everything is read before anything in the dir is touched: a state written by a later release
    // (StateVersionError, from the checkpoint or any journal record) is refused with every file as it was.
    const repairs: Repairs = { count: 0 };
    const unreadable = await this.loadCheckpoint(repairs);
    const { corrupt, completeBytes } = await this.replayJournal(repairs);
    // Read through: now the dir may change. Temp files of processes killed mid-write (atomic.ts and
    // lock.ts name them .<file>.<random>.tmp) are never read, only removed, or every crash would
    // leave a state-sized file behind.
    for (const f of await readdir(this.opts.dir)) {
      if (isTempOf(f, STATE_FILE) || isTempOf(f, JOURNAL_FILE) || isTempOf(f, LOCK_FILE)) await unlink(this.path(f)).catch(() => {});
    }
    if (unreadable) await this.quarantine(STATE_FILE, unreadable.message);
    if (corrupt) await this.quarantine(JOURNAL_FILE, corrupt);
    if (repairs.count > 0) {
      this.loadReport.repaired = repairs.count;
      this.opts.log.warn(
        { repaired: repairs.count, first: repairs.first },
        `state held ${repairs.count} invalid value(s) (e.g. ${repairs.first}): non-finite or out-of-range metrics were dropped and over-long text capped; everything else was kept`,
      );
    }
    Object.assign(this.loadReport, { jobs: this.resourcesById.size, pending: this.outbox.size, deadLetters: this.dead.size });
    await this.startFromCheckpoint(completeBytes);
  }

  /** Reads the checkpoint into memory; returns why it could not be read (it is then quarantined), undefined when read or absent. */
  private async loadCheckpoint(repairs: Repairs): Promise<Error | undefined> {
    let cp: Checkpoint | undefined;
    let unreadable: Error | undefined;
    try {
      const text = await readFile(this.path(STATE_FILE), 'utf8');
      cp = parseCheckpoint(text, repairs, STATE_FILE);
    } catch (err) {
      if (err instanceof StateVersionError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') unreadable = err as Error;
    }
    if (cp) {
      this.seq = cp.seq;
      for (const s of cp.resources) this.resourcesById.set(s.id, shareResourceStrings(s));
      this.times.restore(cp);
      for (const e of cp.outbox) this.outbox.set(e.id, e);
      for (const d of cp.deadLetters) this.dead.set(d.id, d);
    } else {
      // Nothing of a quarantined checkpoint was kept, so nothing of it was repaired.
      repairs.count = 0;
      delete repairs.first;
    }
    return unreadable;
  }

  /**
   * Applies the journal's records newer than the checkpoint, up to a torn tail or the first
   * corrupt line; returns why it stopped at a corrupt line, and the bytes of the complete lines
   * read (where a torn tail starts).
   */
  private async replayJournal(repairs: Repairs): Promise<{ corrupt: string | undefined; completeBytes: number }> {
    let n = 0;
    let completeBytes = 0;
    for await (const line of readJournalLines(this.path(JOURNAL_FILE))) {
      n++;
      // A complete journal ends with '\n': a last line without it is an append a crash tore.
      if (!line.complete) {
        this.loadReport.tornTail = true;
        break;
      }
      completeBytes += line.bytes;
      if (line.text.length === 0) continue;
      const rec = journalLineRecord(line.text, n, repairs);
      if ('corrupt' in rec) return { corrupt: rec.corrupt, completeBytes };
      if (rec.s <= this.seq) continue; // already in the checkpoint (crash between checkpoint and truncate)
      // Snapshots parsed from the journal (live commits bring theirs from the API reader, shared).
      if (rec.t === 'commit') rec.upr.forEach(shareResourceStrings);
      this.apply(rec);
      this.seq = rec.s;
      this.loadReport.replayed++;
    }
    return { corrupt: undefined, completeBytes };
  }

  /** Start from a clean checkpoint: it drops a torn tail, the repaired values and bounds the next replay. */
  private async startFromCheckpoint(completeBytes: number): Promise<void> {
    try {
      await this.writeCheckpoint();
    } catch (err) {
      // Nothing moved aside means the checkpoint and journal on disk still hold everything loaded
      // (repairs are made again at the next load): go on degraded, appending to that journal, after
      // the torn tail is cut. A file moved aside is only in memory now: without a checkpoint the
      // next start would lose it, so the start fails as it must.
      if (err instanceof StateLockLostError || this.loadReport.quarantined.length > 0) throw err;
      if (this.loadReport.tornTail) this.tornAt = completeBytes;
      this.journalBytes = completeBytes;
      this.checkpointFailed(err);
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  resources(): ReadonlyMap<string, ResourceSnapshot> {
    return this.resourcesById;
  }

  history(id: string): readonly HistoryEntry[] | undefined {
    return this.times.history(id);
  }

  durations(): DurationSamples {
    return this.times.durations();
  }

  pending(): readonly OutboxEntry[] {
    return [...this.outbox.values()];
  }

  deadLetters(): readonly DeadLetter[] {
    return [...this.dead.values()];
  }

  onPending(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- writes ------------------------------------------------------------------------------

  async commit(change: SweepCommit): Promise<void> {
    const enq = change.enqueue.filter((e) => !this.outbox.has(e.id) && !this.dead.has(e.id));
    const hist = change.history ?? [];
    const dur = change.durations;
    const durs = dur !== undefined && dur.add.length > 0;
    if (change.upsert.length === 0 && change.remove.length === 0 && enq.length === 0 && hist.length === 0 && !durs) return;
    await this.append({
      t: 'commit',
      upr: change.upsert,
      rmr: change.remove,
      enq,
      ...(hist.length > 0 ? { hist } : {}),
      ...(durs ? { dur } : {}),
    });
    if (enq.length > 0) for (const l of this.listeners) l();
  }

  async markDelivered(id: string): Promise<void> {
    if (!this.outbox.has(id)) return;
    await this.append({ t: 'delivered', id });
  }

  async recordAttempt(id: string, u: Pick<OutboxEntry, 'attempts' | 'nextAttemptAt' | 'lastError'>): Promise<void> {
    if (!this.outbox.has(id)) return;
    await this.append({
      t: 'attempt',
      id,
      attempts: u.attempts,
      nextAttemptAt: u.nextAttemptAt,
      ...(u.lastError !== undefined ? { lastError: u.lastError } : {}),
    });
  }

  async deadLetter(id: string, reason: string, at: number): Promise<void> {
    if (!this.outbox.has(id)) return;
    await this.append({ t: 'dead', id, reason, at });
  }

  async retryDeadLetters(ids: readonly string[] | 'all', at: number): Promise<number> {
    const chosen = ids === 'all' ? [...this.dead.keys()] : ids.filter((id) => this.dead.has(id));
    if (chosen.length === 0) return 0;
    await this.append({ t: 'revive', ids: ids === 'all' ? 'all' : chosen, at });
    for (const l of this.listeners) l();
    return chosen.length;
  }

  async discardDeadLetters(ids: readonly string[] | 'all'): Promise<number> {
    // The ids are recorded, not 'all', so a replay removes exactly what the operator saw.
    const chosen = ids === 'all' ? [...this.dead.keys()] : [...new Set(ids)].filter((id) => this.dead.has(id));
    if (chosen.length === 0) return 0;
    await this.append({ t: 'discard', ids: chosen });
    return chosen.length;
  }

  async checkpoint(): Promise<void> {
    await this.serial(async () => {
      try {
        await this.writeCheckpoint();
      } catch (err) {
        this.checkpointFailed(err);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopRetrying();
    await this.serial(async () => {
      try {
        // A monitor that lost the lock leaves the state to the one that took it.
        if (!this.lost) await this.writeCheckpoint();
      } catch (err) {
        // The journal still holds everything; a failed final checkpoint loses nothing.
        this.opts.log.warn({ err }, 'final state checkpoint failed; the journal keeps the state');
      }
      this.closed = true;
      await this.journal?.close();
      this.journal = undefined;
    });
    await this.lock.release();
  }

  // ---- internals ---------------------------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  private append(op: Op): Promise<void> {
    return this.serial(async () => {
      if (this.closed) throw new Error('state store is closed');
      if (this.lost) throw this.lost;
      await this.lock.verify();
      const max = this.maxJournalBytes;
      if (this.checkpointError !== undefined && this.journalBytes > max) {
        // Over the cap: one more checkpoint try (rate-limited), else refuse the record.
        if (!(await this.tryCheckpoint())) {
          const err = new StateJournalFullError(this.journalBytes, max, this.checkpointError);
          this.appendFailed(err);
          throw err;
        }
      }
      const rec = { s: this.seq + 1, ...op } as JournalRecord;
      // `v` tells a release that reads an older version that a later one wrote this (version.ts).
      const line = Buffer.from(`${JSON.stringify({ v: STATE_VERSION, ...rec })}\n`);
      let start: number | undefined;
      try {
        if (!this.journal) {
          this.journal = await open(this.path(JOURNAL_FILE), JOURNAL_APPEND, 0o600);
          this.journalBytes = (await stat(this.path(JOURNAL_FILE))).size;
        }
        // A torn record left by an earlier failed append must not end up in the middle of the
        // journal (load() would quarantine everything after it): cut it off first.
        if (this.tornAt !== undefined) {
          await this.journal.truncate(this.tornAt);
          this.journalBytes = this.tornAt;
          this.tornAt = undefined;
        }
        start = this.journalBytes;
        // write() may be short without an error (a filesystem with a few bytes left, e.g. tmpfs):
        // loop until everything is written; the next write then fails with ENOSPC.
        for (let off = 0; off < line.length; ) {
          const { bytesWritten } = await this.journal.write(line, off, line.length - off);
          if (bytesWritten <= 0) throw Object.assign(new Error('short write to the state journal'), { code: 'EIO' });
          off += bytesWritten;
        }
        await this.journal.datasync();
        // Checked again once durable: if another monitor took the lock while this record was being
        // written, it is not acted on here (the new owner read it, or never will), and we stop.
        await this.lock.verify();
      } catch (err) {
        if (err instanceof StateLockLostError) throw err;
        // The append may have landed partially (ENOSPC): cut the torn bytes off (now, or before
        // the next append if even that fails), reopen next time. Memory was not touched, so what
        // we hold still equals what is durable.
        if (start !== undefined) {
          const tornAt = start;
          await this.journal?.truncate(tornAt).then(
            () => (this.tornAt = undefined),
            () => (this.tornAt = tornAt),
          );
        }
        await this.journal?.close().catch(() => {});
        this.journal = undefined;
        this.appendFailed(err as Error);
        throw err;
      }
      this.apply(rec);
      this.seq = rec.s;
      this.journalBytes += line.length;
      if (this.appendError !== undefined) {
        this.appendError = undefined;
        this.opts.log.info(
          this.checkpointError === undefined
            ? 'state writes succeed again'
            : 'state journal appends succeed again (checkpoints still fail)',
        );
        if (this.checkpointError === undefined) this.stopRetrying();
      }
      if (this.journalBytes > (this.opts.compactBytes ?? DEFAULT_COMPACT_BYTES)) await this.tryCheckpoint();
    });
  }

  private get checkpointRetryMs(): number {
    return this.opts.checkpointRetryMs ?? DEFAULT_CHECKPOINT_RETRY_MS;
  }

  /** A checkpoint, unless one failed less than checkpointRetryMs ago. True when it succeeded. */
  private async tryCheckpoint(): Promise<boolean> {
    const now = this.opts.clock.now();
    if (this.checkpointError !== undefined && now - this.lastCheckpointTry < this.checkpointRetryMs) return false;
    this.lastCheckpointTry = now;
    try {
      await this.writeCheckpoint();
      return true;
    } catch (err) {
      if (err instanceof StateLockLostError) throw err;
      this.checkpointFailed(err);
      return false;
    }
  }

  private checkpointFailed(err: unknown): void {
    const first = this.checkpointError === undefined;
    this.checkpointError = err;
    this.lastCheckpointTry = this.opts.clock.now();
    if (first) this.checkpointFailingSince = this.lastCheckpointTry;
    const e = err as NodeJS.ErrnoException;
    this.opts.log.error(
      {
        err: { code: e?.code, message: e?.message },
        journalBytes: this.journalBytes,
        journalLimitBytes: this.maxJournalBytes,
        retryInMs: this.checkpointRetryMs,
      },
      'state checkpoint failed; every record still goes to the journal, which grows until a checkpoint succeeds',
    );
    this.opts.onCheckpointError?.(err instanceof Error ? err : new Error(String(err)));
    this.startRetrying();
  }

  private appendFailed(err: Error): void {
    this.appendError = err;
    this.opts.onWriteError?.(err);
    // The next sweep with a change tries again, but there may be none for a while: a checkpoint
    // on the timer, checkpointRetryMs from now, finds out when writes work again.
    this.startRetrying(this.checkpointRetryMs);
  }

  /**
   * While the state is not ok, a checkpoint is tried `delayMs` from now (default: checkpointRetryMs
   * after the last try). A timer already set is kept: when it fires early, the try is not due yet
   * and the timer is set again for when it is.
   */
  private startRetrying(delayMs?: number): void {
    if (this.closed || this.lost || this.retryTimer !== undefined) return;
    const timers = this.opts.timers ?? systemTimers;
    const wait = delayMs ?? Math.max(0, this.lastCheckpointTry + this.checkpointRetryMs - this.opts.clock.now());
    const handle = timers.setTimeout(() => {
      this.retryTimer = undefined;
      void this.serial(async () => {
        if (this.closed || this.lost || (this.checkpointError === undefined && this.appendError === undefined)) return;
        // A failed try schedules the next one (checkpointFailed); one that was not due yet is rescheduled.
        if (!(await this.tryCheckpoint()) && this.retryTimer === undefined) this.startRetrying();
      }).catch(() => {
        // A lost lock is reported through onLockLost; anything else was logged by checkpointFailed.
      });
    }, wait);
    // The retry never keeps a process alive (a CLI verb that forgot close() still exits).
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.retryTimer = handle;
  }

  private stopRetrying(): void {
    if (this.retryTimer === undefined) return;
    (this.opts.timers ?? systemTimers).clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private apply(rec: JournalRecord): void {
    switch (rec.t) {
      case 'commit':
        for (const id of rec.rmr) this.resourcesById.delete(id);
        for (const s of rec.upr) this.resourcesById.set(s.id, s);
        this.times.apply(
          { remove: rec.rmr, ...(rec.hist ? { history: rec.hist } : {}), ...(rec.dur ? { durations: rec.dur } : {}) },
          (id) => this.resourcesById.has(id),
        );
        for (const e of rec.enq) if (!this.dead.has(e.id)) this.outbox.set(e.id, e);
        break;
      case 'delivered':
        this.outbox.delete(rec.id);
        break;
      case 'attempt': {
        const e = this.outbox.get(rec.id);
        if (e) {
          const next: OutboxEntry = { ...e, attempts: rec.attempts, nextAttemptAt: rec.nextAttemptAt };
          if (rec.lastError !== undefined) next.lastError = rec.lastError;
          this.outbox.set(rec.id, next);
        }
        break;
      }
      case 'dead': {
        const e = this.outbox.get(rec.id);
        if (e) {
          this.outbox.delete(rec.id);
          this.dead.set(rec.id, { ...e, deadAt: rec.at, reason: rec.reason });
        }
        break;
      }
      case 'discard':
        for (const id of rec.ids) this.dead.delete(id);
        break;
      case 'revive': {
        const ids = rec.ids === 'all' ? [...this.dead.keys()] : rec.ids;
        for (const id of ids) {
          const d = this.dead.get(id);
          if (!d) continue;
          this.dead.delete(id);
          const { deadAt: _deadAt, reason: _reason, ...entry } = d;
          // A revived event starts a fresh attempt budget; its id (webhook-id) stays the same.
          this.outbox.set(id, { ...entry, attempts: 0, nextAttemptAt: rec.at, createdAt: rec.at });
        }
        break;
      }
    }
  }

  private async writeCheckpoint(): Promise<void> {
    if (this.lost) throw this.lost;
    await this.lock.verify();
    const cp: Checkpoint = {
      version: STATE_VERSION,
      seq: this.seq,
      resources: [...this.resourcesById.values()],
      outbox: [...this.outbox.values()],
      deadLetters: [...this.dead.values()],
      history: [...this.times.histories()].map(([id, entries]) => historyItem(id, entries)),
      durations: [...this.times.durations()].map(([key, seconds]) => ({ ...splitDurationKey(key), seconds })),
    };
    // The lock is checked again just before each file is replaced: a monitor resumed after another
    // took over must not put its checkpoint in place of the new owner's.
    const verify = () => this.lock.verify();
    await writeFileAtomic(this.path(STATE_FILE), checkpointChunks(cp), { beforeRename: verify });
    // Records up to cp.seq are now in the checkpoint; a crash before the journal is emptied is
    // harmless because load() skips records whose seq the checkpoint already covers. The empty
    // journal is a new file, not the old one truncated: an append by a monitor that lost the
    // lock (through a descriptor opened before) lands in the replaced file, never in ours.
    await this.journal?.close().catch(() => {});
    this.journal = undefined;
    await writeFileAtomic(this.path(JOURNAL_FILE), '', { beforeRename: verify });
    this.journal = await open(this.path(JOURNAL_FILE), JOURNAL_APPEND, 0o600);
    this.tornAt = undefined;
    this.journalBytes = 0;
    // Everything in memory is durable now: the state is ok whatever failed before.
    if (this.checkpointError !== undefined || this.appendError !== undefined) {
      this.opts.log.info(
        { failingForMs: this.checkpointFailingSince === undefined ? undefined : this.opts.clock.now() - this.checkpointFailingSince },
        'state checkpoint succeeded; the journal is compacted and the state dir is healthy again',
      );
    }
    this.checkpointError = undefined;
    this.checkpointFailingSince = undefined;
    this.appendError = undefined;
    this.stopRetrying();
  }
}
