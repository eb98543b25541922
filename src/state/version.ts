// The state format's version, and what a release does with a state dir written by a later one.
//
// Version 1 kept audience generation jobs in their own shape; version 2 keeps every kind in one
// list (docs/decisions/0006-one-pipeline-for-every-kind.md); version 3 adds each resource's
// history, the finished phases the usual durations come from, and the mark that a phase was
// notified as slower than usual (src/kinds/history.ts, src/kinds/usual.ts), and outbox events of
// a new type (`<kind>.slower_than_usual`). This release reads all three and writes 3. A release
// that reads only 2 would drop the histories and marks at its next checkpoint (a phase could be
// notified as slower than usual again after rolling forward) and deliver the new events as status
// changes: it refuses a version-3 state instead (see below).
// A version above 3 was written by a later release: its files may hold what this release cannot
// read (new record types, new fields it would drop on its next checkpoint). Taking them for
// corruption would move `state.json` aside and start empty, losing the pending notifications for
// good, even after rolling forward again. So the start is refused and every file left as it is.
//
// The checkpoint carries `version`; every journal record this release writes carries `v`, so a
// later release's records are recognised too (records without `v` were written by releases that
// wrote version 1 or 2; every release that wrote version 3 writes `v`).
import { VERSION } from '../version.js';
import { StateRefusedError } from './errors.js';

/** The version this release writes. */
export const STATE_VERSION = 3;
/** The oldest version this release reads (and rewrites as STATE_VERSION). */
export const OLDEST_STATE_VERSION = 1;

export class StateVersionError extends StateRefusedError {
  constructor(
    readonly where: string,
    readonly found: number,
  ) {
    super(
      `${where} was written by state version ${found}; this release (${VERSION}) reads versions ${OLDEST_STATE_VERSION}-${STATE_VERSION}. ` +
        'Nothing in the state dir was changed. Run a release that reads it, or, to roll back, restore the copy of the ' +
        'state dir taken before the upgrade (or start with an empty one and accept that its pending notifications are not sent); ' +
        'see "Rolling back" in docs/deploy.md',
    );
    this.name = 'StateVersionError';
  }
}

/**
 * Throws StateVersionError when `found` (the `version` of a checkpoint, the `v` of a record) is a
 * whole number above what this release reads. Anything else is left to the shape checks.
 */
export function refuseNewerVersion(found: unknown, where: string): void {
  if (Number.isSafeInteger(found) && (found as number) > STATE_VERSION) throw new StateVersionError(where, found as number);
}
