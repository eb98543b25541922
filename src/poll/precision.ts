// Timestamps of two answers compared at the precision both carry. A List may write updateTime in
// whole seconds where the Get writes milliseconds (both are valid ISO 8601 on the wire): compared
// exactly, every resource read by a Get would look changed in every List, and be read again on
// every sweep. Pure.

/** The precisions a wire timestamp can carry, coarsest first (ms). */
const STEPS = [1000, 100, 10, 1] as const;

/**
 * The coarsest precision (ms) that every value is a multiple of: 1000 when all are whole seconds,
 * 1 when one has milliseconds. No values: 1 (compare exactly: nothing suggests otherwise).
 */
export function timePrecisionMs(values: Iterable<number>): number {
  let p = -1;
  for (const v of values) {
    let step = 1;
    for (const s of STEPS) {
      if (v % s === 0) {
        step = s;
        break;
      }
    }
    p = p === -1 ? step : Math.min(p, step);
    if (p === 1) return 1;
  }
  return p === -1 ? 1 : p;
}

const floorTo = (t: number, p: number): number => Math.floor(t / p) * p;

/** Do `a` and `b` name the same instant at precision `p` (ms): equal once both are cut to it? */
export function sameTime(a: number, b: number, p: number): boolean {
  return p <= 1 ? a === b : floorTo(a, p) === floorTo(b, p);
}

/** Is `t` at or after `from` at precision `p` (a value cut to seconds may stand for any ms of that second)? */
export function atOrAfter(t: number, from: number, p: number): boolean {
  return p <= 1 ? t >= from : floorTo(t, p) >= floorTo(from, p);
}
