// The one check of a number against the model's range, for numbers from AWS (resource results
// and numeric labels) and for numbers read back from anywhere else that must obey the same
// declaration. JSON allows `1e400`, which parses to Infinity.

/** A declaration's numeric shape: whole or not, and its bounds where the model gives them. */
export interface NumberRange {
  readonly integer: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** Why `v` is not a number in `range` ("is Infinity, not a finite number"), or undefined when it is one. */
export function numberProblem(v: unknown, range: NumberRange): string | undefined {
  if (typeof v !== 'number') return `is not a finite number: ${JSON.stringify(v)?.slice(0, 64)}`;
  // JSON.stringify(Infinity) is "null": say what the value really is.
  if (!Number.isFinite(v)) return `is ${String(v)}, not a finite number`;
  if (range.integer && !Number.isInteger(v)) return `is ${v}, not a whole number`;
  if (range.min !== undefined && v < range.min) return `is ${v}, below its minimum ${range.min}`;
  if (range.max !== undefined && v > range.max) return `is ${v}, above its maximum ${range.max}`;
  return undefined;
}
