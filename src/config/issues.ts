// zod issues -> ConfigIssues. zod's default messages are written for developers and some
// formats may echo input, so every message here is built from the issue's shape, never its value.
import type { z } from 'zod';
import { formatPath, type ConfigIssue, type LocatedIssue, type PathSegment } from './errors.js';
import { fieldsAt } from './shape.js';

type RawIssue = z.core.$ZodRawIssue;

function describe(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
};

/**
 * Per-parse zod error map: used only where the schema gave no message of its own
 * (zod 4 precedence: schema-level error, then this).
 */
export function errorMap(iss: RawIssue): string {
  const i = iss as RawIssue & Record<string, unknown>;
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'is required';
      const want = (Object.hasOwn(EXPECTED, String(i.expected)) ? EXPECTED[String(i.expected)] : undefined) ?? String(i.expected);
      return `must be ${want} (got ${describe(iss.input)})`;
    }
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const bound = String(small ? i.minimum : i.maximum);
      const strict = i.inclusive === false;
      if (i.origin === 'array') return `must list ${small ? 'at least' : 'at most'} ${bound} item(s)`;
      if (i.origin === 'string')
        return small && bound === '1' ? 'must not be empty' : `must be ${small ? 'at least' : 'at most'} ${bound} characters`;
      return `must be ${small ? (strict ? 'greater than' : 'at least') : strict ? 'less than' : 'at most'} ${bound}`;
    }
    case 'invalid_value':
      return `must be one of ${(i.values as unknown[]).map(String).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${String(i.format)}`;
    case 'invalid_union':
      return 'has the wrong type';
    case 'not_multiple_of':
      return `must be a multiple of ${String(i.divisor)}`;
    default:
      return 'is invalid';
  }
}

/** Optimal string alignment distance, case-insensitive: small typos and transpositions. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `key`, if it is close enough to be the likely intent. */
export function closestMatch(key: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = distance(key, c);
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function unknownKey(schema: z.ZodType, parent: PathSegment[], key: string, data: unknown): ConfigIssue {
  const fields = fieldsAt(schema, parent, data);
  const known = fields ? [...fields.keys()] : [];
  // Secret leaf keys may also be given as <key>File (read from a file), so those are valid spellings too.
  const spellings = fields ? [...known, ...[...fields].filter(([, kind]) => kind === 'secret').map(([k]) => `${k}File`)] : [];
  const guess = closestMatch(key, spellings);
  const hint = guess ? `did you mean ${guess}?` : known.length ? `expected one of: ${known.join(', ')}` : 'not allowed here';
  return { path: formatPath([...parent, key]), message: `unknown key (${hint})` };
}

/**
 * Converts zod issues; an unrecognized_keys issue becomes one issue per key, at that key's path,
 * with the keys allowed there (`data`, the input that was parsed, tells which type a target is).
 */
export function toConfigIssues(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], data?: unknown): LocatedIssue[] {
  const out: LocatedIssue[] = [];
  for (const iss of issues) {
    const parent = iss.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) out.push({ ...unknownKey(schema, parent, key, data), segments: [...parent, key] });
    } else {
      out.push({ path: formatPath(parent) || '(root)', message: iss.message, segments: parent });
    }
  }
  return out;
}
