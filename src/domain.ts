// Plain values and types shared by every layer. Imports nothing, so any layer can use it without
// forming a cycle.

/** Pseudo-status of a resource that was seen and now answers 404. */
export const VANISHED = 'VANISHED';

/** Injected time source. Tests pass a fake; production uses Date.now. */
export interface Clock {
  now(): number;
}
