// The history of one resource: the statuses the monitor knows it was in, oldest first, and how
// long each phase took. Pure: the state keeps the entries (HistoryEntry), the sweep adds one per
// status change (historyStep), and the views, the webhook body and the CLI read the phases
// (phasesOf) with their durations.
//
// A phase's duration is measured only when the monitor saw it begin: not for the status a
// resource was in at first sight (it began before the monitor looked). It is AWS `updateTime` at
// exit (when the next status began) minus `updateTime` at entry; when that does not move forward
// (every Get and List of the model carries updateTime, but an answer could carry the same one
// across a status change), the times the monitor saw each status stand in.
import type { ResourceSnapshot } from './resource.js';
import type { StatusClass } from './kind.js';
import { statusClass } from './statuses.js';
import type { Usual } from './usual.js';

/** Transitions kept per resource, the newest; older ones are dropped. */
export const HISTORY_ENTRIES = 50;
/**
 * A failure's statusCode and message are kept in an entry up to these many characters, and these
 * many bytes as JSON text (a character JSON escapes takes up to six); the snapshot keeps the
 * current message at src/aws/cap-text.ts's bound. So an entry is at most HISTORY_ENTRY_BYTES of
 * JSON (a status of the longest the API reader takes, every time set); the state writes an entry
 * more compactly still (EncodedEntry: about 35 bytes without failure text).
 */
export const HISTORY_CODE_CHARS = 100;
export const HISTORY_MESSAGE_CHARS = 200;
const CODE_BYTES = 200;
const MESSAGE_BYTES = 400;
export const HISTORY_ENTRY_BYTES = 1_200;
/** Phases a notification carries (the newest): the API gives all HISTORY_ENTRIES. */
export const HISTORY_IN_EVENTS = 10;

/** One status a resource was in, as the state keeps it (epoch ms). */
export interface HistoryEntry {
  status: string;
  /** AWS updateTime when the status began (for the status at first sight: updateTime then). */
  startedAt: number;
  /** When the monitor first saw the resource in this status (absent: not recorded, e.g. a state written before histories). */
  seenAt?: number;
  /** The status the resource was in when the monitor first saw it: its start was not seen, so it is not measured. */
  firstSight?: true;
  /** Failures only: AWS statusDetails, capped. */
  statusCode?: string;
  message?: string;
  /** When the monitor recorded this phase as slower than usual (and notified it): once per entry. */
  slowerAt?: number;
}

/** One phase as the views and notifications show it (epoch ms). */
export interface HistoryPhase {
  status: string;
  startedAt: number;
  seenAt?: number;
  /** Time spent in it, for a phase that ended and whose start the monitor saw. */
  durationSeconds?: number;
  /** The usual duration of this status for the kind, once known. */
  usual?: { p50Seconds: number; p90Seconds: number };
  statusCode?: string;
  message?: string;
}

/** One phase as JSON gives it (`GET /api/resources/{id}`, the webhook body's `data.history`). */
export interface HistoryEntryView {
  status: string;
  statusClass: StatusClass;
  /** AWS `updateTime` when the status began. */
  startedAt: string;
  /** When the monitor first saw it in this status (absent when it did not record it). */
  seenAt?: string;
  /** Time spent in it, for a phase that ended and whose start the monitor saw. */
  durationSeconds?: number;
  /** The usual duration of this status for the kind, once known. */
  usual?: { p50Seconds: number; p90Seconds: number };
  statusCode?: string;
  message?: string;
}

/** Cuts text to `max` UTF-16 units, never through a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}

const jsonBytes = (s: string): number => Buffer.byteLength(JSON.stringify(s), 'utf8');

/** `s` cut to at most `chars` characters and `bytes` bytes of JSON text (quotes included). */
function fit(s: string, chars: number, bytes: number): string {
  let out = cut(s, chars);
  // Each pass cuts at least one character and at most what the excess bytes can hold.
  for (let over = jsonBytes(out) - bytes; over > 0; over = jsonBytes(out) - bytes) out = cut(out, out.length - Math.ceil(over / 6));
  return out;
}

const fits = (s: string | undefined, chars: number, bytes: number) => s === undefined || (s.length <= chars && jsonBytes(s) <= bytes);

/** Caps an entry's text to the history's bounds (new entries, and entries read back from a state file). */
export function capEntry(e: HistoryEntry): HistoryEntry {
  if (fits(e.statusCode, HISTORY_CODE_CHARS, CODE_BYTES) && fits(e.message, HISTORY_MESSAGE_CHARS, MESSAGE_BYTES)) return e;
  const out: HistoryEntry = { ...e };
  if (e.statusCode !== undefined) out.statusCode = fit(e.statusCode, HISTORY_CODE_CHARS, CODE_BYTES);
  if (e.message !== undefined) out.message = fit(e.message, HISTORY_MESSAGE_CHARS, MESSAGE_BYTES);
  return out;
}

/** When the snapshot's current status began (the sweep stamps statusSince; a snapshot stored before it had none). */
export const sinceOf = (s: ResourceSnapshot): number => s.statusSince ?? s.updateTime;

function entryOf(s: ResourceSnapshot, seenAt: number | undefined, firstSight: boolean): HistoryEntry {
  const d = statusClass(s.status) === 'failure' ? s.statusDetails : undefined;
  return capEntry({
    status: s.status,
    startedAt: sinceOf(s),
    // Whole ms: the steady clock's fractions would only lengthen the state.
    ...(seenAt !== undefined ? { seenAt: Math.round(seenAt) } : {}),
    ...(firstSight ? { firstSight: true as const } : {}),
    ...(d?.statusCode !== undefined ? { statusCode: d.statusCode } : {}),
    ...(d?.message !== undefined ? { message: d.message } : {}),
  });
}

/**
 * The entry for the current status of `s`, as `history` has it or (a resource recorded before
 * histories, whose status the monitor did not see begin) as its snapshot tells.
 */
export function currentEntry(history: readonly HistoryEntry[] | undefined, s: ResourceSnapshot): HistoryEntry {
  const last = history?.[history.length - 1];
  if (last !== undefined && last.status === s.status && last.startedAt === sinceOf(s)) return last;
  return entryOf(s, undefined, true);
}

/**
 * `history` with `added` (its text capped: capEntry) in place of its last one when they are the
 * same phase (status and start), else appended; the newest HISTORY_ENTRIES kept, within HISTORY_BYTES as the state writes it
 * (historyItem of `id`). Past the bytes, the failure text of the oldest entries goes first, then
 * the oldest entries: the newest entry is always kept whole.
 */
export function withEntry(history: readonly HistoryEntry[] | undefined, added: HistoryEntry, id = ''): HistoryEntry[] {
  const entry = capEntry(added);
  const h = history ?? [];
  const last = h[h.length - 1];
  const same = last !== undefined && last.status === entry.status && last.startedAt === entry.startedAt;
  let next = same ? [...h.slice(0, -1), entry] : [...h, entry];
  if (next.length > HISTORY_ENTRIES) next = next.slice(next.length - HISTORY_ENTRIES);
  while (next.length > 1 && historyItemBytes(id, next) > HISTORY_BYTES) {
    const i = next.findIndex((e, k) => k < next.length - 1 && (e.statusCode !== undefined || e.message !== undefined));
    if (i < 0) next = next.slice(1);
    else {
      const { statusCode: _c, message: _m, ...plain } = next[i]!;
      next[i] = plain;
    }
  }
  return next;
}

/**
 * One resource's history as the state writes it, `{"id":..,"h":[..]}`: each entry a tuple
 * `[status, start, seen]` (+ `{f, w, c, m}` when it has any of them) where `start` is the
 * updateTime at entry (epoch ms) for the first entry and the ms since the previous entry's start
 * after it, `seen` the ms from start to when the monitor saw it (null: not recorded), `f: 1` the
 * status at first sight, `w` the ms from start to the slower-than-usual mark, `c`/`m` the failure's
 * code and message. About 35 bytes a phase instead of 80 as plain objects: 50 phases fit
 * HISTORY_BYTES with the ARN.
 */
export type EncodedEntry = [string, number, number | null] | [string, number, number | null, EncodedRare];
export interface EncodedRare {
  f?: 1;
  w?: number;
  c?: string;
  m?: string;
}
export interface HistoryItem {
  id: string;
  h: EncodedEntry[];
}

/** Bytes of JSON text one resource's history may take in the state, its id included. */
export const HISTORY_BYTES = 2_048;

export function encodeHistory(entries: readonly HistoryEntry[]): EncodedEntry[] {
  return entries.map((e, i) => {
    const start = i === 0 ? e.startedAt : e.startedAt - entries[i - 1]!.startedAt;
    const seen = e.seenAt === undefined ? null : e.seenAt - e.startedAt;
    const rare: EncodedRare = {
      ...(e.firstSight ? { f: 1 as const } : {}),
      ...(e.slowerAt !== undefined ? { w: e.slowerAt - e.startedAt } : {}),
      ...(e.statusCode !== undefined ? { c: e.statusCode } : {}),
      ...(e.message !== undefined ? { m: e.message } : {}),
    };
    return Object.keys(rare).length > 0 ? [e.status, start, seen, rare] : [e.status, start, seen];
  });
}

/** The entries of encodeHistory's output (checked for shape by the state reader). */
export function decodeHistory(encoded: readonly EncodedEntry[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  let prev = 0;
  for (const [i, [status, start, seen, rare]] of encoded.entries()) {
    const startedAt = i === 0 ? start : prev + start;
    prev = startedAt;
    out.push({
      status,
      startedAt,
      ...(seen !== null ? { seenAt: startedAt + seen } : {}),
      ...(rare?.f === 1 ? { firstSight: true as const } : {}),
      ...(rare?.c !== undefined ? { statusCode: rare.c } : {}),
      ...(rare?.m !== undefined ? { message: rare.m } : {}),
      ...(rare?.w !== undefined ? { slowerAt: startedAt + rare.w } : {}),
    });
  }
  return out;
}

export const historyItem = (id: string, entries: readonly HistoryEntry[]): HistoryItem => ({ id, h: encodeHistory(entries) });
const historyItemBytes = (id: string, entries: readonly HistoryEntry[]): number =>
  Buffer.byteLength(JSON.stringify(historyItem(id, entries)), 'utf8');

/**
 * Seconds from `entry` to `next` (the phase after it): updateTime at exit minus updateTime at
 * entry, else the times the monitor saw each; undefined when neither moves forward.
 */
function phaseSeconds(entry: HistoryEntry, next: Pick<HistoryEntry, 'startedAt' | 'seenAt'>): number | undefined {
  if (entry.firstSight) return undefined;
  if (next.startedAt > entry.startedAt) return (next.startedAt - entry.startedAt) / 1000;
  if (entry.seenAt !== undefined && next.seenAt !== undefined && next.seenAt > entry.seenAt) return (next.seenAt - entry.seenAt) / 1000;
  return undefined;
}

/** What a recorded transition does to a resource's history: the entry to record and the phase it ended, if measured. */
export interface HistoryStep {
  /** The entries to record, in order (a resource without history first gets its previous status, not measured). */
  entries: HistoryEntry[];
  /** The phase the transition ended, when its start was seen: `status` is the one left. */
  ended?: { status: string; seconds: number };
}

/**
 * The step of a status_changed or first_seen transition (others do not change a history).
 * `prev` is the snapshot before it; `history` the entries recorded so far.
 */
export function historyStep(
  history: readonly HistoryEntry[] | undefined,
  prev: ResourceSnapshot | undefined,
  // A transition (src/kinds/event.ts), as far as this reads it.
  t: { kind: string; from: string | null; observedAt: number; snapshot: ResourceSnapshot },
): HistoryStep {
  if (t.kind === 'first_seen') return { entries: [entryOf(t.snapshot, t.observedAt, true)] };
  if (t.kind !== 'status_changed') return { entries: [] };
  const entry = entryOf(t.snapshot, t.observedAt, false);
  const last = history?.[history.length - 1];
  if (last !== undefined && last.status === t.from) {
    const seconds = phaseSeconds(last, entry);
    return seconds === undefined ? { entries: [entry] } : { entries: [entry], ended: { status: last.status, seconds } };
  }
  // No entry of the status left (a state written before histories, or a history that lost
  // track): it is recorded as first seen, so it is shown but never measured.
  return { entries: prev ? [entryOf(prev, undefined, true), entry] : [entry] };
}

/** The phases of a history, oldest first, each with its duration (when measured) and the usual of its status (when known). */
export function phasesOf(history: readonly HistoryEntry[], usual: (status: string) => Usual | undefined): HistoryPhase[] {
  return history.map((e, i) => {
    const next = history[i + 1];
    const seconds = next === undefined ? undefined : phaseSeconds(e, next);
    const u = usual(e.status);
    return {
      status: e.status,
      startedAt: e.startedAt,
      ...(e.seenAt !== undefined ? { seenAt: e.seenAt } : {}),
      ...(seconds !== undefined ? { durationSeconds: seconds } : {}),
      ...(u ? { usual: { p50Seconds: u.p50Seconds, p90Seconds: u.p90Seconds } } : {}),
      ...(e.statusCode !== undefined ? { statusCode: e.statusCode } : {}),
      ...(e.message !== undefined ? { message: e.message } : {}),
    };
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A phase as JSON gives it: ISO-8601 times in UTC, the class of its status. */
export function phaseJson(e: HistoryPhase): HistoryEntryView {
  return {
    status: e.status,
    statusClass: statusClass(e.status),
    startedAt: iso(e.startedAt),
    ...(e.seenAt !== undefined && Number.isFinite(e.seenAt) ? { seenAt: iso(e.seenAt) } : {}),
    ...(e.durationSeconds !== undefined ? { durationSeconds: e.durationSeconds } : {}),
    ...(e.usual ? { usual: { p50Seconds: e.usual.p50Seconds, p90Seconds: e.usual.p90Seconds } } : {}),
    ...(e.statusCode !== undefined ? { statusCode: e.statusCode } : {}),
    ...(e.message !== undefined ? { message: e.message } : {}),
  };
}

/** The last status change a history tells of: its last entry, when the monitor saw it begin after another. */
export function lastChange(history: readonly HistoryEntry[]): { from: string; to: string; at: number; seenAt?: number } | undefined {
  const last = history[history.length - 1];
  const before = history[history.length - 2];
  if (last === undefined || before === undefined || last.firstSight) return undefined;
  return { from: before.status, to: last.status, at: last.startedAt, ...(last.seenAt !== undefined ? { seenAt: last.seenAt } : {}) };
}
