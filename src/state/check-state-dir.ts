// The state dir must not be writable by anyone but this monitor: whoever can create files in it
// can plant a symlink named like a file we are about to write (the checkpoint's temp file, the
// journal) and have us overwrite its target, or replace the state itself.
//
// Refused: world-writable (o+w), whatever the sticky bit; group-writable when the group is not
// one of ours. Accepted: group-writable with one of our groups, which is what Kubernetes makes of
// a volume with `fsGroup` (setgid, group fsGroup, g+rwx; the chart runs with fsGroup = our gid).
// Not checked: the owner. The volume root belongs to root or to us; root can write anyway.
import { stat } from 'node:fs/promises';
import { StateRefusedError } from './errors.js';

export class StateDirUnsafeError extends StateRefusedError {
  constructor(dir: string, why: string, fix: string) {
    super(`state.dir ${dir} is ${why}: another user could plant files the monitor then overwrites. Fix: ${fix}`);
    this.name = 'StateDirUnsafeError';
  }
}

export interface Identity {
  /** Effective and supplementary group ids of this process; undefined where there are none (Windows). */
  groups: readonly number[] | undefined;
}

export function processIdentity(): Identity {
  if (typeof process.getegid !== 'function' || typeof process.getgroups !== 'function') return { groups: undefined };
  return { groups: [process.getegid(), ...process.getgroups()] };
}

/** Pure decision: why a dir of this mode and group is unsafe, or undefined when it is safe. */
export function stateDirProblem(dir: string, mode: number, gid: number, id: Identity): StateDirUnsafeError | undefined {
  const octal = (mode & 0o7777).toString(8).padStart(4, '0');
  if (mode & 0o002) {
    return new StateDirUnsafeError(
      dir,
      `world-writable (mode ${octal})`,
      `chmod o-w ${dir} (in Kubernetes use a PersistentVolumeClaim, or point state.dir at a subdirectory the monitor creates)`,
    );
  }
  if (mode & 0o020 && id.groups !== undefined && !id.groups.includes(gid)) {
    return new StateDirUnsafeError(
      dir,
      `writable by group ${gid}, which this process (groups ${id.groups.join(',')}) is not in (mode ${octal})`,
      `chmod g-w ${dir}, or chgrp it to the monitor's group (fsGroup)`,
    );
  }
  return undefined;
}

/** Throws StateDirUnsafeError when others can write to `dir`. */
export async function checkStateDir(dir: string, id: Identity = processIdentity()): Promise<void> {
  // Windows has no such mode bits (every directory reads as 0666).
  if (process.platform === 'win32') return;
  const st = await stat(dir);
  if (!st.isDirectory()) throw new StateRefusedError(`state.dir ${dir} is not a directory`);
  const problem = stateDirProblem(dir, st.mode, st.gid, id);
  if (problem) throw problem;
}
