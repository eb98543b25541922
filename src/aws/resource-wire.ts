// A resource snapshot back in the JSON shape of its kind's Get output (the List item for kinds
// without a Get): the resource in webhook bodies. Only what the snapshot keeps is there (identity,
// name, status, statusDetails, times as ISO-8601, parents, declared results, labels and attributes
// at their member paths, in the model's member order, numbers where the model has numbers); never
// tags or other members the monitor does not read.
import type { KindDecl, MemberPath } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { formatIsoTimestamp } from './timestamps.js';

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
  for (const [key, member] of Object.entries(kind.parents)) {
    const v = s.parents[key as keyof typeof s.parents];
    if (v !== undefined && member !== undefined && w[member] === undefined) w[member] = v;
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
        for (const [label, path] of Object.entries(r.labels ?? {})) {
          const l = sample.labels[label];
          if (l === undefined) continue;
          // A label is a string; the Get shape has a number where the model says so (audience sizes).
          put(o, path, r.numberLabels?.includes(label) === true && /^-?\d+(\.\d+)?$/.test(l) ? Number(l) : l);
        }
        put(o, r.value, sample.value);
        return o;
      };
      if (r.items) put(w, r.items, v.map(item));
      else if (v[0] !== undefined) put(w, r.value, v[0].value);
    } else if (r.type === 'enum' && typeof v === 'string') put(w, r.value, v);
    else if (r.type === 'timestamp' && typeof v === 'number') put(w, r.value, formatIsoTimestamp(v));
  }
  return inModelOrder(kind, w);
}

/** The top-level members in the order of the kind's Get output (its List item without a Get), as the API writes them. */
function inModelOrder(kind: KindDecl, w: Obj): Obj {
  const members = (kind.get.member ?? kind.get.collaboration ?? kind.lists[0])?.members ?? [];
  const out: Obj = {};
  for (const m of members) if (Object.hasOwn(w, m)) out[m] = w[m];
  for (const [k, v] of Object.entries(w)) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}
