// What the state directory can do right now, decided from the store's last outcomes (pure).
//
//   ok          records are appended and checkpoints succeed.
//   degraded    checkpoints fail (no free inode for the new file, a failed rename) but records are
//               still appended to the journal: every transition is recorded and notified; the
//               journal grows until a checkpoint succeeds, up to its limit.
//   unwritable  the last record could not be appended (full disk, I/O error), or the journal has
//               reached its limit while checkpoints fail, so the next record is refused: new
//               transitions cannot be recorded, so they are neither exported as changed nor notified.

export type StateHealthStatus = 'ok' | 'degraded' | 'unwritable';

export const STATE_HEALTH_STATUSES: readonly StateHealthStatus[] = ['ok', 'degraded', 'unwritable'];

export interface StateHealth {
  status: StateHealthStatus;
  /** Why, when not ok: one line for /readyz and logs. */
  reason?: string;
  journalBytes: number;
  /** Journal size past which records are refused while checkpoints fail. */
  journalLimitBytes: number;
  /** When checkpoints started failing (clock ms), while they fail. */
  checkpointFailingSince?: number;
}

export interface StateHealthInput {
  /** The error of the last append, if it failed (cleared by the next append that succeeds). */
  appendError?: unknown;
  /** The error of the last checkpoint, while checkpoints fail. */
  checkpointError?: unknown;
  checkpointFailingSince?: number;
  journalBytes: number;
  journalLimitBytes: number;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const message = (e?.message ?? String(err)).replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function stateHealth(i: StateHealthInput): StateHealth {
  const base = {
    journalBytes: i.journalBytes,
    journalLimitBytes: i.journalLimitBytes,
    ...(i.checkpointError !== undefined && i.checkpointFailingSince !== undefined
      ? { checkpointFailingSince: i.checkpointFailingSince }
      : {}),
  };
  if (i.checkpointError !== undefined && i.journalBytes > i.journalLimitBytes) {
    return {
      ...base,
      status: 'unwritable',
      reason:
        `state journal full (${mib(i.journalBytes)}, limit ${mib(i.journalLimitBytes)}) because checkpoints keep failing ` +
        `(${describe(i.checkpointError)}): new records are refused until a checkpoint succeeds`,
    };
  }
  if (i.appendError !== undefined) {
    return {
      ...base,
      status: 'unwritable',
      reason: `state dir not writable (${describe(i.appendError)}): new transitions cannot be recorded, so none is notified`,
    };
  }
  if (i.checkpointError !== undefined) {
    return {
      ...base,
      status: 'degraded',
      reason:
        `state checkpoint failing (${describe(i.checkpointError)}); every record still goes to the journal ` +
        `(${mib(i.journalBytes)} of its ${mib(i.journalLimitBytes)} limit)`,
    };
  }
  return { ...base, status: 'ok' };
}
