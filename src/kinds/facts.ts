// The facts a notification states about a resource, from its kind's declaration. Pure: `now`
// is given (the elapsed time of a resource still running is measured against it).
import type { FactDecl, KindDecl } from './kind.js';
import type { ResourceSnapshot, ResultValue } from './resource.js';

export interface Fact {
  title: string;
  value: string;
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

function firstNumber(v: ResultValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 1) return v[0]!.value;
  return undefined;
}

function render(kind: KindDecl, f: FactDecl, snap: ResourceSnapshot, now: number): string | undefined {
  const from = f.from;
  let raw: ResultValue | string | undefined;
  if ('label' in from) raw = snap.labels[from.label];
  else if ('parent' in from) raw = snap.parents[from.parent];
  else if ('versionIdentifier' in from) raw = snap.versionIdentifier;
  else raw = snap.results[from.result];
  if (raw === undefined) return undefined;
  switch (f.format) {
    case 'text':
      return typeof raw === 'string' ? raw : undefined;
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
      const running = Object.hasOwn(kind.statuses, snap.status) && kind.statuses[snap.status] === 'inProgress';
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
    const value = render(kind, f, snap, now);
    if (value !== undefined && value.length > 0) out.push({ title: f.title, value });
  }
  return out;
}
