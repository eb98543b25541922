// Status tables of the kinds. Every Clean Rooms ML status enum is built from the same pieces: a
// lifecycle phase (CREATE, DELETE, CANCEL) gives X_PENDING and X_IN_PROGRESS (under way) and
// X_FAILED (a failure); ACTIVE is the success; INACTIVE is at rest without being a result. The
// declarations list the pieces in the model's enum order, and test/unit/kinds-model.test.ts checks
// the expanded table against the model's enum.
import type { StatusClass } from './kind.js';

export type StatusPiece = 'CREATE' | 'DELETE' | 'CANCEL' | 'ACTIVE' | 'INACTIVE';

export function statusTable(...pieces: readonly StatusPiece[]): Readonly<Record<string, StatusClass>> {
  const table: Record<string, StatusClass> = {};
  for (const p of pieces) {
    if (p === 'ACTIVE') table[p] = 'success';
    else if (p === 'INACTIVE') table[p] = 'other';
    else {
      table[`${p}_PENDING`] = 'inProgress';
      table[`${p}_IN_PROGRESS`] = 'inProgress';
      table[`${p}_FAILED`] = 'failure';
    }
  }
  return table;
}
