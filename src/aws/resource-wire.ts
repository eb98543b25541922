// A resource snapshot back in the JSON shape of its kind's Get output (the List item for kinds
// without a Get): the resource in webhook bodies (`data.resource`, `data.job` for audience
// generation jobs) and in `once --json`. Only what the snapshot keeps is there (identity, name,
// status, statusDetails, times as ISO-8601, parents, attributes, declared results and labels at
// their member paths, numbers as numbers), in the model's member order; never seed audiences,
// tags or other members the monitor does not read.
import type { KindDecl, MemberPath } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { formatIsoTimestamp } from '../timestamps.js';

type Obj = Record<string, unknown>;

function put(o: Obj, path: MemberPath, value: unknown): void {
  let cur = o;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const next = cur[k];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) cur = next as Obj;
    else cur = (cur[k] = {}) as Obj;
  }
  cur[path[path.length - 1]!] = value;
}

export function resourceToWire(kind: KindDecl, s: ResourceSnapshot): Record<string, unknown> {
  const w: Obj = {};
  if (kind.arn && s.arn !== undefined) w[kind.arn.member] = s.arn;
  if (kind.versionMember && s.versionIdentifier !== undefined) w[kind.versionMember] = s.versionIdentifier;
  w['name'] = s.name;
  w['status'] = s.status;
  if (s.statusDetails !== undefined) w['statusDetails'] = { ...s.statusDetails };
  w['createTime'] = formatIsoTimestamp(s.createTime);
  w['updateTime'] = formatIsoTimestamp(s.updateTime);
  for (const [key, parent] of Object.entries(kind.parents)) {
    const v = s.parents[key as keyof typeof s.parents];
    if (v !== undefined && parent !== undefined && w[parent.member] === undefined) w[parent.member] = v;
  }
  for (const a of kind.attributes ?? []) {
    const v = s.attributes?.[a.member];
    if (v !== undefined) w[a.member] = v;
  }
  for (const l of kind.labels) {
    const v = s.labels[l.label];
    if (v !== undefined) put(w, l.path, v);
  }
  for (const r of kind.results) {
    const v = s.results[r.key];
    if (v === undefined) continue;
    if (r.type === 'number' && Array.isArray(v)) {
      const item = (sample: (typeof v)[number]): Obj => {
        const o: Obj = {};
        // Labels first: the model puts the audience size before its score.
        for (const [label, path] of Object.entries(r.labels ?? {})) {
          const lv = sample.labels[label];
          if (lv !== undefined) put(o, path, r.labelNumbers?.[label] !== undefined ? Number(lv) : lv);
        }
        put(o, r.value, sample.value);
        return o;
      };
      if (r.items) put(w, r.items, v.map(item));
      else if (v[0] !== undefined) {
        // A plain member's labels sit next to it (an export job's audienceSize.type).
        const one = item(v[0]);
        for (const [k, sub] of Object.entries(one)) {
          const cur = w[k];
          w[k] = typeof cur === 'object' && cur !== null && typeof sub === 'object' && sub !== null ? { ...cur, ...sub } : sub;
        }
      }
    } else if (r.type === 'enum' && typeof v === 'string') put(w, r.value, v);
    else if (r.type === 'timestamp' && typeof v === 'number') put(w, r.value, formatIsoTimestamp(v));
  }
  return inModelOrder(kind, w);
}

/** `w` with its members in the order of the kind's Get output (or List item) in the model. */
function inModelOrder(kind: KindDecl, w: Obj): Obj {
  const order = (kind.get.member ?? kind.get.collaboration ?? kind.lists[0])?.members ?? [];
  const out: Obj = {};
  for (const m of order) if (w[m] !== undefined) out[m] = w[m];
  for (const [m, v] of Object.entries(w)) if (out[m] === undefined) out[m] = v;
  return out;
}
