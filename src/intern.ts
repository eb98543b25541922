// One string for values that thousands of job snapshots repeat (the model ARN, the collaboration
// id, who started the job): every parsed API answer or state line brings its own copy, ~250 bytes
// per snapshot at 10,000 jobs. A bounded table: values beyond it are kept as they come.
import { KINDS } from './kinds/index.js';
import type { ResourceSnapshot } from './kinds/resource.js';

const MAX_SHARED = 10_000;
const shared = new Map<string, string>();

function share(v: string): string {
  const s = shared.get(v);
  if (s !== undefined) return s;
  if (shared.size < MAX_SHARED) shared.set(v, v);
  return v;
}

/** The same for a snapshot of any kind: its parents, labels, tags and the attributes declared `shared` (in place). */
export function shareResourceStrings(s: ResourceSnapshot): ResourceSnapshot {
  for (const k of Object.keys(s.parents) as (keyof ResourceSnapshot['parents'])[]) s.parents[k] = share(s.parents[k]!);
  for (const k of Object.keys(s.labels)) s.labels[k] = share(s.labels[k]!);
  // Tag values repeat too (a team, a cost center). An own `__proto__` key is set as the data property it is.
  if (s.tags !== undefined) for (const k of Object.keys(s.tags)) s.tags[k] = share(s.tags[k]!);
  if (s.attributes !== undefined)
    for (const a of KINDS[s.kind]?.attributes ?? []) {
      const v = s.attributes[a.member];
      if (a.shared === true && typeof v === 'string') s.attributes[a.member] = share(v);
    }
  return s;
}
