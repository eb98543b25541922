// The checks of a number from AWS (resource results and numeric labels) against its declaration.
// The ranges of the service model's output shapes are documentation, not a contract: the AWS SDKs
// do not enforce them, and AWS raises limits (an audience of 25,000,000 records where the model
// says 20,000,000). So a finite number outside its range is accepted as given and only noted;
// what cannot be a number at all (another JSON type, or `1e400`, which JSON allows and parses to
// Infinity) is refused.

/** A declaration's numeric shape: whole or not, and its bounds where the model gives them. */
export interface NumberRange {
  readonly integer: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** Why `v` cannot be taken as a number ("is Infinity, not a finite number"), or undefined when it can. */
export function numberProblem(v: unknown): string | undefined {
  if (typeof v !== 'number') return `is not a finite number: ${JSON.stringify(v)?.slice(0, 64)}`;
  // JSON.stringify(Infinity) is "null": say what the value really is.
  if (!Number.isFinite(v)) return `is ${String(v)}, not a finite number`;
  return undefined;
}

/** How a finite number lies outside the model's documented range ("is 25000000, above its maximum 20000000"), or undefined. */
export function rangeNote(v: number, range: NumberRange): string | undefined {
  if (range.integer && !Number.isInteger(v)) return `is ${v}, not a whole number`;
  if (range.min !== undefined && v < range.min) return `is ${v}, below its minimum ${range.min}`;
  if (range.max !== undefined && v > range.max) return `is ${v}, above its maximum ${range.max}`;
  return undefined;
}
