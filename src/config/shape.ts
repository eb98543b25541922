// Reads the zod schema's structure, so the loader knows which keys exist where (for *File
// resolution and "did you mean" suggestions) without a second, hand-kept list of keys.
import type { z } from 'zod';
import type { PathSegment } from './errors.js';

export type FieldKind = 'object' | 'array' | 'leaf';

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Peels wrappers (default, optional, pipe...) that do not change the shape of the value. */
function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

function kindOf(s: z.ZodType): FieldKind {
  const t = defOf(unwrap(s)).type;
  return t === 'object' ? 'object' : t === 'array' ? 'array' : 'leaf';
}

/** The keys of the object schema at `path` (array indices step into elements), or undefined. */
export function fieldsAt(schema: z.ZodType, path: readonly PathSegment[]): Map<string, FieldKind> | undefined {
  let s = unwrap(schema);
  for (const seg of path) {
    const d = defOf(s);
    if (typeof seg === 'number' && d.type === 'array' && d.element) s = unwrap(d.element);
    // Own keys only: `constructor` or `__proto__` in a config would otherwise find Object's members.
    else if (typeof seg === 'string' && d.type === 'object' && d.shape && Object.hasOwn(d.shape, seg)) s = unwrap(d.shape[seg]!);
    else return undefined;
  }
  const d = defOf(s);
  if (d.type !== 'object' || !d.shape) return undefined;
  return new Map(Object.entries(d.shape).map(([k, v]) => [k, kindOf(v)]));
}
