// Reads the zod schema's structure, so the loader knows which keys exist where (for *File
// resolution and "did you mean" suggestions) without a second, hand-kept list of keys.
import type { z } from 'zod';
import type { PathSegment } from './errors.js';

/** `secret`: a leaf that holds a secret (marked with `secretKey`): never printed, readable from `<key>File`. */
export type FieldKind = 'object' | 'array' | 'leaf' | 'secret';

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: readonly z.ZodType[];
  discriminator?: string;
  values?: readonly unknown[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const secrets = new WeakSet<z.ZodType>();

/** Marks a schema as one of a secret value (a target's url, a signing secret). */
export function secretKey<T extends z.ZodType>(schema: T): T {
  secrets.add(schema);
  return schema;
}

/** Peels wrappers (default, optional, pipe...) that do not change the shape of the value. */
function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** True when `s` or a wrapper inside it is marked secret. */
function isSecret(s: z.ZodType): boolean {
  for (;;) {
    if (secrets.has(s)) return true;
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return false;
  }
}

function kindOf(s: z.ZodType): FieldKind {
  if (isSecret(s)) return 'secret';
  const t = defOf(unwrap(s)).type;
  return t === 'object' ? 'object' : t === 'array' ? 'array' : 'leaf';
}

/** An explicit `undefined` stands for "not a key of this option" (another type's key, src/config/schema.ts). */
const absent = (s: z.ZodType): boolean => defOf(unwrap(s)).type === 'undefined';

/**
 * The fields of an object schema, or of a union of object schemas (notification targets, one
 * object per type). With the value at that place, a discriminated union gives the fields of the
 * option the value's discriminator chooses (a slack target's keys, without another type's);
 * without it, every key of any option, each with the schema of an option that takes it.
 */
function shapeOf(s: z.ZodType, value?: unknown): Record<string, z.ZodType> | undefined {
  const d = defOf(s);
  if (d.type === 'object' && d.shape) return d.shape;
  if (d.type !== 'union' || !d.options) return undefined;
  const chosen = d.discriminator !== undefined ? chosenOption(d.options, d.discriminator, value) : undefined;
  if (chosen) return Object.fromEntries(Object.entries(chosen).filter(([, v]) => !absent(v)));
  const merged: Record<string, z.ZodType> = {};
  for (const option of d.options) {
    const shape = shapeOf(unwrap(option));
    if (!shape) continue;
    for (const [k, v] of Object.entries(shape)) if (!Object.hasOwn(merged, k) || (absent(merged[k]!) && !absent(v))) merged[k] = v;
  }
  return merged;
}

/** The shape of the option whose discriminator literal is the value's, if any. */
function chosenOption(options: readonly z.ZodType[], key: string, value: unknown): Record<string, z.ZodType> | undefined {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
  const want = (value as Record<string, unknown>)[key];
  for (const option of options) {
    const shape = shapeOf(unwrap(option));
    const literal = shape?.[key] !== undefined ? defOf(unwrap(shape[key])) : undefined;
    if (literal?.type === 'literal' && literal.values?.includes(want)) return shape;
  }
  return undefined;
}

const child = (value: unknown, seg: PathSegment): unknown =>
  value !== null && typeof value === 'object' && Object.hasOwn(value, seg) ? (value as Record<PathSegment, unknown>)[seg] : undefined;

/**
 * The keys of the object schema at `path` (array indices step into elements), or undefined.
 * `data`, the parsed config when there is one, picks a union's option (see shapeOf).
 */
export function fieldsAt(schema: z.ZodType, path: readonly PathSegment[], data?: unknown): Map<string, FieldKind> | undefined {
  let s = unwrap(schema);
  let value = data;
  for (const seg of path) {
    const d = defOf(s);
    const shape = typeof seg === 'string' ? shapeOf(s, value) : undefined;
    if (typeof seg === 'number' && d.type === 'array' && d.element) s = unwrap(d.element);
    // Own keys only: `constructor` or `__proto__` in a config would otherwise find Object's members.
    else if (shape && Object.hasOwn(shape, seg)) s = unwrap(shape[seg as string]!);
    else return undefined;
    value = child(value, seg);
  }
  const shape = shapeOf(s, value);
  if (!shape) return undefined;
  return new Map(Object.entries(shape).map(([k, v]) => [k, kindOf(v)]));
}

/** The names of every secret key anywhere in the schema (for messages), in schema order. */
export function secretKeyNames(schema: z.ZodType): string[] {
  const out = new Set<string>();
  const seen = new Set<z.ZodType>();
  const visit = (s: z.ZodType): void => {
    s = unwrap(s);
    if (seen.has(s)) return;
    seen.add(s);
    const d = defOf(s);
    if (d.type === 'array' && d.element) return visit(d.element);
    for (const [k, v] of Object.entries(shapeOf(s) ?? {})) {
      if (isSecret(v)) out.add(k);
      else visit(v);
    }
  };
  visit(schema);
  return [...out];
}
