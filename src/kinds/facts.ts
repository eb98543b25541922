// The facts a notification states about a resource, from its kind's declaration. Pure: `now`
// is given (the elapsed time of a resource still running is measured against it).
import type { FactDecl, KindDecl } from './kind.js';
import type { ResourceSnapshot, ResultValue } from './resource.js';
import { statusClass } from './statuses.js';

export interface Fact {
  title: string;
  value: string;
  /** An identifier, best shown as code. */
  code?: true;
}

/** A list result as a message shows it: headings and one [row, value] per item, in the answer's order. */
export interface FactTable {
  title: string;
  rowTitle: string;
  valueTitle: string;
  rows: Array<[string, string]>;
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** 90061 -> "1d 1h 1m 1s"; 0 -> "0s". */
export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return parts.join(' ');
}

/** 0.9123 -> "0.912"; whole numbers as they are. */
export function formatScore(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}

function firstNumber(v: ResultValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 1) return v[0]!.value;
  return undefined;
}

function render(f: FactDecl, snap: ResourceSnapshot, now: number): string | undefined {
  const from = f.from;
  let raw: ResultValue | string | undefined;
  if ('label' in from) raw = snap.labels[from.label];
  else if ('parent' in from) raw = snap.parents[from.parent];
  else if ('versionIdentifier' in from) raw = snap.versionIdentifier;
  else if ('attribute' in from) {
    const a = snap.attributes?.[from.attribute];
    raw = typeof a === 'boolean' ? String(a) : a;
  } else raw = snap.results[from.result];
  if (raw === undefined) return undefined;
  switch (f.format) {
    case 'text':
    case 'id':
      return typeof raw === 'string' ? raw : undefined;
    case 'score': {
      const n = firstNumber(raw);
      return n === undefined ? undefined : formatScore(n);
    }
    case 'count': {
      const n = firstNumber(raw);
      return n === undefined ? undefined : count.format(n);
    }
    case 'gigabytes': {
      const n = firstNumber(raw);
      return n === undefined ? undefined : `${count.format(n)} GB`;
    }
    case 'duration': {
      const n = firstNumber(raw);
      return n === undefined ? undefined : formatDuration(n);
    }
    case 'elapsedOfMax': {
      const max = firstNumber(raw);
      if (max === undefined) return undefined;
      // A resource still at work is measured until now; a finished one until its last update.
      const running = statusClass(snap.status) === 'inProgress';
      const end = running ? now : snap.updateTime;
      const elapsed = Math.max(0, (end - snap.createTime) / 1000);
      return `${formatDuration(elapsed)} of ${formatDuration(max)} (${Math.round((elapsed / max) * 100)}%)`;
    }
  }
}

/** The facts of `snap` that its answer carried, in declaration order. */
export function messageFacts(kind: KindDecl, snap: ResourceSnapshot, now: number): Fact[] {
  const out: Fact[] = [];
  for (const f of kind.facts) {
    const value = render(f, snap, now);
    if (value !== undefined && value.length > 0)
      out.push(f.format === 'id' ? { title: f.title, value, code: true } : { title: f.title, value });
  }
  return out;
}

/** A label value that is a number (an audience size) grouped by thousands; any other text as given. */
function cell(v: string): string {
  return /^-?\d+(\.\d+)?$/.test(v) ? count.format(Number(v)) : v;
}

/** The list results of `snap` its declaration shows as tables, with at least one item. */
export function messageTables(kind: KindDecl, snap: ResourceSnapshot): FactTable[] {
  const out: FactTable[] = [];
  for (const r of kind.results) {
    if (r.type !== 'number' || r.table === undefined) continue;
    const v = snap.results[r.key];
    if (!Array.isArray(v) || v.length === 0) continue;
    const t = r.table;
    const rows = v.map((s): [string, string] => {
      const amount = cell(s.labels[t.rowLabel] ?? '');
      const unitValue = t.unitLabel === undefined ? undefined : s.labels[t.unitLabel];
      // hasOwn: a value from the answer such as "constructor" is a unit name, not a property lookup.
      const unit =
        unitValue === undefined ? '' : t.units !== undefined && Object.hasOwn(t.units, unitValue) ? t.units[unitValue]! : unitValue;
      return [unit.length > 0 ? `${amount} ${unit}` : amount, r.integer ? count.format(s.value) : formatScore(s.value)];
    });
    out.push({ title: t.title, rowTitle: t.rowTitle, valueTitle: t.valueTitle, rows });
  }
  return out;
}
