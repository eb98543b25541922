// The class of a status, from its shape: the one home of that fact, for every kind and for every
// value, known or not. Every Clean Rooms ML status enum is built from the same pieces: a
// lifecycle phase (CREATE, DELETE, CANCEL) gives X_PENDING and X_IN_PROGRESS (under way) and
// X_FAILED (a failure); ACTIVE is the success; INACTIVE is at rest without being a result. AWS
// adds enum values without notice (the SDKs keep unknown ones as strings), and the new ones follow
// the same grammar (`UPDATE_IN_PROGRESS`, `CANCEL_FAILED`), so a value this release does not list
// is classified by the same rule instead of being left out: notified, counted, alerted on and
// polled as its shape says. A value of no known shape (`CANCELLED`) is at rest: it is polled
// slowly and retired after the retention like any finished resource.
import type { StatusClass } from './kind.js';

/**
 * What a status looks like: upper-case words joined by `_` (every value of every status enum of
 * the model does). Config (`statuses:`) takes any such word, so a value AWS adds can be named
 * before a release lists it.
 */
export const STATUS_WORD = /^[A-Z][A-Z_]*$/;

/** Every class, in the order people read them. */
export const STATUS_CLASSES: readonly StatusClass[] = ['success', 'failure', 'inProgress', 'other'];

/**
 * The classes a notification target hears when it names no `statuses`: every success and every
 * failure, including a `*_FAILED` value AWS adds later. Statuses at rest that are neither
 * (INACTIVE, CANCELLED) and those under way are opt-in.
 */
export const DEFAULT_NOTIFY_CLASSES: readonly StatusClass[] = ['success', 'failure'];

/**
 * success: ACTIVE; failure: FAILED or *_FAILED; inProgress: PENDING, IN_PROGRESS, *_PENDING or
 * *_IN_PROGRESS; other: anything else (INACTIVE, or a value of no known shape such as CANCELLED).
 */
export function statusClass(status: string): StatusClass {
  if (status === 'ACTIVE') return 'success';
  if (status === 'FAILED' || status.endsWith('_FAILED')) return 'failure';
  if (status === 'PENDING' || status === 'IN_PROGRESS' || status.endsWith('_PENDING') || status.endsWith('_IN_PROGRESS'))
    return 'inProgress';
  return 'other';
}

/**
 * Whether a resource in this status stays there until someone acts on it (a success, a failure,
 * or another status at rest): polled slowly, and retired after the retention when discovered.
 */
export function atRest(status: string): boolean {
  return statusClass(status) !== 'inProgress';
}

export type StatusPiece = 'CREATE' | 'DELETE' | 'CANCEL' | 'ACTIVE' | 'INACTIVE';

/**
 * The statuses a kind's model lists, from their pieces in the model's enum order
 * (test/unit/kinds-model.test.ts checks the expansion against the model's enum).
 */
export function statusTable(...pieces: readonly StatusPiece[]): readonly string[] {
  return pieces.flatMap((p) => (p === 'ACTIVE' || p === 'INACTIVE' ? [p] : [`${p}_PENDING`, `${p}_IN_PROGRESS`, `${p}_FAILED`]));
}
