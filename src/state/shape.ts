// The shape of what load() reads back: checkpoint and journal records. Valid JSON of the wrong
// shape (`{"s":48,"t":"commit"}`) used to throw deep inside replay and crash-loop the daemon;
// now it is corruption like bad JSON (the store moves the file aside and says why).
//
// Two kinds of finding:
// - wrong shape (a missing member, a string where a number belongs): StateCorruptError;
// - a bad value in a place that can lose it without harm, repaired and counted: a metric that is
//   null or outside its documented range (written as `null` by builds that let Infinity in: JSON
//   has no Infinity), and text longer than the cap. /metrics and the formatters then never see a
//   non-finite number, and nothing else recorded is lost.
import { capText } from '../aws/cap-text.js';
import { numberProblem } from '../aws/number-range.js';
import type { ResourceEvent } from '../kinds/event.js';
import { capEntry, decodeHistory, historyItem, type EncodedEntry, type HistoryEntry, type HistoryItem } from '../kinds/history.js';
import { isKindName, KINDS } from '../kinds/index.js';
import type { KindName } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { Checkpoint } from './checkpoint-text.js';
import { readLegacyEvent, readLegacySnapshot } from './legacy-job.js';
import {
  corrupt,
  isObj,
  num,
  type Obj,
  obj,
  optStr,
  optText,
  type Repairs,
  repaired,
  StateCorruptError,
  statusMembers,
  str,
  text,
} from './read-checks.js';
import type { DeadLetter, HistoryUpdate, OutboxEntry, PhaseSample } from './types.js';
import { OLDEST_STATE_VERSION, refuseNewerVersion, STATE_VERSION } from './version.js';

export { StateCorruptError, type Repairs };

export type JournalRecord =
  | {
      s: number;
      t: 'commit';
      upr: ResourceSnapshot[];
      rmr: string[];
      enq: OutboxEntry[];
      /** Version 3: history entries, finished phases (src/state/types.ts SweepCommit). */
      hist?: HistoryUpdate[];
      dur?: { keep: number; add: PhaseSample[] };
    }
  | { s: number; t: 'delivered'; id: string }
  | { s: number; t: 'attempt'; id: string; attempts: number; nextAttemptAt: number; lastError?: string }
  | { s: number; t: 'dead'; id: string; reason: string; at: number }
  | { s: number; t: 'revive'; ids: string[] | 'all'; at: number }
  | { s: number; t: 'discard'; ids: string[] };

/**
 * A resource snapshot of any kind as stored (checked and repaired in place). Results and labels
 * only feed series and messages: a bad one is dropped and counted, the snapshot kept.
 */
export function readResourceSnapshot(v: unknown, where: string, r: Repairs): ResourceSnapshot {
  const o = obj(v, where);
  if (!isKindName(o['kind'])) corrupt(`${where}.kind`, `is ${JSON.stringify(o['kind'])?.slice(0, 40) ?? 'missing'}, not a resource kind`);
  str(o, 'id', where);
  optStr(o, 'arn', where);
  optStr(o, 'versionIdentifier', where);
  str(o, 'status', where);
  text(o, 'name', where, r);
  num(o, 'createTime', where);
  num(o, 'updateTime', where);
  if (o['view'] !== 'member' && o['view'] !== 'collaboration') corrupt(`${where}.view`, 'is neither member nor collaboration');
  statusMembers(o, where, r);
  const parents = obj(o['parents'], `${where}.parents`);
  for (const k of Object.keys(parents)) str(parents, k, `${where}.parents`);
  const labels = obj(o['labels'], `${where}.labels`);
  for (const [k, val] of Object.entries(labels)) {
    if (typeof val !== 'string') {
      delete labels[k];
      repaired(r, `${where}.labels.${k} (not a string, dropped)`);
    } else labels[k] = capText(val);
  }
  readTagMembers(o, where, r);
  const results = obj(o['results'], `${where}.results`);
  // A value that is no finite number (written by a build that let it in) is dropped, like the
  // API reader would refuse it: only that sample goes. One outside the model's documented range
  // is kept, as the API reader accepts it (src/aws/number-range.ts).
  for (const decl of KINDS[o['kind'] as keyof typeof KINDS].results) {
    const val = results[decl.key];
    if (decl.type !== 'number' || !Array.isArray(val)) continue;
    results[decl.key] = val.filter((smp, i) => {
      const bad = isObj(smp) ? numberProblem(smp['value']) : 'is not a sample';
      if (bad) repaired(r, `${where}.results.${decl.key}[${i}] (${bad}, dropped)`);
      return bad === undefined;
    });
  }
  for (const [k, val] of Object.entries(results)) {
    const ok =
      typeof val === 'string' ||
      (typeof val === 'number' && Number.isFinite(val)) ||
      (Array.isArray(val) &&
        val.every(
          (s) =>
            isObj(s) &&
            typeof s['value'] === 'number' &&
            Number.isFinite(s['value']) &&
            isObj(s['labels']) &&
            Object.values(s['labels']).every((l) => typeof l === 'string'),
        ));
    if (!ok) {
      delete results[k];
      repaired(r, `${where}.results.${k} (invalid, dropped)`);
    }
  }
  return o as unknown as ResourceSnapshot;
}

/**
 * Tags only route and label: a tags member of the wrong shape is dropped and counted (the next
 * read of the resource brings them back), never a reason to refuse the state.
 */
function readTagMembers(o: Obj, where: string, r: Repairs): void {
  const tags = o['tags'];
  if (tags !== undefined && (!isObj(tags) || !Object.values(tags).every((v) => typeof v === 'string'))) {
    delete o['tags'];
    delete o['tagsReadAt'];
    delete o['tagsFrom'];
    repaired(r, `${where}.tags (not a map of strings, dropped)`);
  }
  if (o['tagsReadAt'] !== undefined && (typeof o['tagsReadAt'] !== 'number' || !Number.isFinite(o['tagsReadAt']))) {
    delete o['tagsReadAt'];
    repaired(r, `${where}.tagsReadAt (not a time, dropped)`);
  }
  if (o['tagsFrom'] !== undefined && typeof o['tagsFrom'] !== 'string') {
    delete o['tagsFrom'];
    repaired(r, `${where}.tagsFrom (not an id, dropped)`);
  }
  // Recomputed against the tag filters on the first sweep: dropping a wrong one loses nothing.
  if (o['tagFiltered'] !== undefined && o['tagFiltered'] !== true) {
    delete o['tagFiltered'];
    repaired(r, `${where}.tagFiltered (not true, dropped)`);
  }
}

function readEvent(v: unknown, where: string, r: Repairs): ResourceEvent {
  const o = obj(v, where);
  str(o, 'type', where);
  str(o, 'transition', where);
  str(o, 'arn', where);
  text(o, 'name', where, r);
  if (o['previousStatus'] !== null) str(o, 'previousStatus', where);
  str(o, 'status', where);
  num(o, 'updateTime', where);
  num(o, 'observedAt', where);
  if (o['resource'] !== undefined) {
    if (!isKindName(o['kind'])) corrupt(`${where}.kind`, 'is not a resource kind');
    readResourceSnapshot(o['resource'], `${where}.resource`, r);
    readEventTimes(o, where, r);
    return o as unknown as ResourceEvent;
  }
  // An event as version 1 stored it (compatibility module): the same event of any kind.
  return readLegacyEvent(o, where, r);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isUsual = (v: unknown, withSamples: boolean): boolean =>
  isObj(v) && isNum(v['p50Seconds']) && isNum(v['p90Seconds']) && (!withSamples || isNum(v['samples']));

/**
 * The durations and history an event carries (version 3), checked in place. They only feed what
 * a message says: a bad one is dropped and counted, the event kept.
 */
function readEventTimes(o: Obj, where: string, r: Repairs): void {
  const drop = (k: string) => {
    delete o[k];
    repaired(r, `${where}.${k} (invalid, dropped)`);
  };
  for (const k of ['durationSeconds', 'inStatusSeconds']) if (o[k] !== undefined && !isNum(o[k])) drop(k);
  if (o['usual'] !== undefined && !isUsual(o['usual'], true)) drop('usual');
  const h = o['history'];
  if (h === undefined) return;
  if (!Array.isArray(h)) return drop('history');
  o['history'] = h.filter((p, i) => {
    const ok =
      isObj(p) &&
      typeof p['status'] === 'string' &&
      isNum(p['startedAt']) &&
      (p['seenAt'] === undefined || isNum(p['seenAt'])) &&
      (p['durationSeconds'] === undefined || isNum(p['durationSeconds'])) &&
      (p['usual'] === undefined || isUsual(p['usual'], false)) &&
      (p['statusCode'] === undefined || typeof p['statusCode'] === 'string') &&
      (p['message'] === undefined || typeof p['message'] === 'string');
    if (!ok) repaired(r, `${where}.history[${i}] (invalid, dropped)`);
    else {
      optText(p, 'statusCode', `${where}.history[${i}]`, r);
      optText(p, 'message', `${where}.history[${i}]`, r);
    }
    return ok;
  });
}

/** One history entry as stored (version 3): its text capped to the history's bounds. */
function readHistoryEntry(v: unknown, where: string, r: Repairs): HistoryEntry {
  const o = obj(v, where);
  str(o, 'status', where);
  num(o, 'startedAt', where);
  for (const k of ['seenAt', 'slowerAt']) if (o[k] !== undefined) num(o, k, where);
  if (o['firstSight'] !== undefined && o['firstSight'] !== true) corrupt(`${where}.firstSight`, 'is not true');
  optStr(o, 'statusCode', where);
  optStr(o, 'message', where);
  const e = o as unknown as HistoryEntry;
  const capped = capEntry(e);
  if (capped !== e) repaired(r, `${where} (text longer than the history keeps, capped)`);
  return capped;
}

/** A duration in seconds as stored: finite and not negative, else dropped and counted. */
function readSeconds(v: unknown, where: string, r: Repairs): number[] {
  if (!Array.isArray(v)) corrupt(where, 'is not a list');
  return v.filter((x, i) => {
    const ok = isNum(x) && x >= 0;
    if (!ok) repaired(r, `${where}[${i}] (not a duration, dropped)`);
    return ok;
  });
}

function readPhaseSample(v: unknown, where: string): PhaseSample {
  const o = obj(v, where);
  if (!isKindName(o['kind'])) corrupt(`${where}.kind`, 'is not a resource kind');
  str(o, 'status', where);
  const sec = num(o, 'seconds', where);
  if (sec < 0) corrupt(`${where}.seconds`, 'is negative');
  return o as unknown as PhaseSample;
}

function readHistoryUpdate(v: unknown, where: string, r: Repairs): HistoryUpdate {
  const o = obj(v, where);
  str(o, 'id', where);
  return { id: o['id'] as string, entry: readHistoryEntry(o['entry'], `${where}.entry`, r) };
}

export function readOutboxEntry(v: unknown, where: string, r: Repairs): OutboxEntry {
  const o = obj(v, where);
  str(o, 'id', where);
  str(o, 'target', where);
  o['event'] = readEvent(o['event'], `${where}.event`, r);
  num(o, 'createdAt', where);
  num(o, 'attempts', where);
  num(o, 'nextAttemptAt', where);
  optText(o, 'lastError', where, r);
  return o as unknown as OutboxEntry;
}

function readDeadLetter(v: unknown, where: string, r: Repairs): DeadLetter {
  const o = readOutboxEntry(v, where, r) as unknown as Obj;
  num(o, 'deadAt', where);
  text(o, 'reason', where, r);
  return o as unknown as DeadLetter;
}

function list<T>(o: Obj, k: string, where: string, read: (v: unknown, where: string) => T): T[] {
  const v = o[k];
  if (!Array.isArray(v)) corrupt(`${where}.${k}`, 'is not a list');
  return v.map((e, i) => read(e, `${where}.${k}[${i}]`));
}

/** One parsed journal line, checked against its record type. */
export function readJournalRecord(v: unknown, r: Repairs): JournalRecord {
  const o = obj(v, 'record');
  const s = num(o, 's', 'record');
  if (!Number.isSafeInteger(s) || s < 1) corrupt('record.s', `is ${s}, not a sequence number`);
  const t = o['t'];
  const where = `${String(t)} record ${s}`;
  switch (t) {
    case 'commit': {
      const ids = (e: unknown, w: string) => (typeof e === 'string' ? e : corrupt(w, 'is not a string'));
      // Version 1 wrote the resources of its first kind in `up`/`rm` in their own shape, and the
      // other kinds (when there were some) in `upr`/`rmr`: read as one list of resources.
      const up = o['up'] === undefined ? [] : list(o, 'up', where, (e, w) => readLegacySnapshot(e, w, r));
      const rm = o['rm'] === undefined ? [] : list(o, 'rm', where, ids);
      const upr = o['upr'] === undefined && o['up'] !== undefined ? [] : list(o, 'upr', where, (e, w) => readResourceSnapshot(e, w, r));
      const rmr = o['rmr'] === undefined && o['rm'] !== undefined ? [] : list(o, 'rmr', where, ids);
      o['enq'] = list(o, 'enq', where, (e, w) => readOutboxEntry(e, w, r));
      if (o['hist'] !== undefined) o['hist'] = list(o, 'hist', where, (e, w) => readHistoryUpdate(e, w, r));
      if (o['dur'] !== undefined) {
        const d = obj(o['dur'], `${where}.dur`);
        const keep = num(d, 'keep', `${where}.dur`);
        if (!Number.isSafeInteger(keep) || keep < 1) corrupt(`${where}.dur.keep`, `is ${keep}, not a count`);
        list(d, 'add', `${where}.dur`, (e, w) => readPhaseSample(e, w));
      }
      o['upr'] = [...up, ...upr];
      o['rmr'] = [...rm, ...rmr];
      delete o['up'];
      delete o['rm'];
      break;
    }
    case 'delivered':
      str(o, 'id', where);
      break;
    case 'attempt':
      str(o, 'id', where);
      num(o, 'attempts', where);
      num(o, 'nextAttemptAt', where);
      optText(o, 'lastError', where, r);
      break;
    case 'dead':
      str(o, 'id', where);
      text(o, 'reason', where, r);
      num(o, 'at', where);
      break;
    case 'discard':
      list(o, 'ids', where, (e, w) => (typeof e === 'string' ? e : corrupt(w, 'is not a string')));
      break;
    case 'revive':
      if (o['ids'] !== 'all') list(o, 'ids', where, (e, w) => (typeof e === 'string' ? e : corrupt(w, 'is not a string')));
      num(o, 'at', where);
      break;
    default:
      corrupt('record.t', `is ${JSON.stringify(t)?.slice(0, 40) ?? 'missing'}, not a record type`);
  }
  return o as unknown as JournalRecord;
}

/**
 * The checkpoint text (of file `file`), checked against the checkpoint shape of its version. A
 * version above STATE_VERSION throws StateVersionError (a later release wrote it), not corruption.
 */
export function parseCheckpoint(text: string, r: Repairs, file = 'state.json'): Checkpoint {
  const version = STATE_VERSION;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StateCorruptError(`not JSON: ${(err as Error).message}`);
  }
  if (!isObj(raw)) throw new StateCorruptError('not an object');
  refuseNewerVersion(raw['version'], file);
  const found = raw['version'];
  if (!Number.isSafeInteger(found) || (found as number) < OLDEST_STATE_VERSION || (found as number) > version) {
    throw new StateCorruptError(
      `unsupported state version ${String(raw['version']).slice(0, 20)} (this build reads versions ${OLDEST_STATE_VERSION} to ${version})`,
    );
  }
  const seq = num(raw, 'seq', 'checkpoint');
  if (!Number.isSafeInteger(seq) || seq < 0) corrupt('checkpoint.seq', `is ${seq}, not a sequence number`);
  return {
    version,
    seq,
    resources: [
      // Version 1: the resources of its first kind in their own shape, the other kinds (if any) beside them.
      ...(raw['version'] === 1 ? list(raw, 'jobs', 'checkpoint', (e, w) => readLegacySnapshot(e, w, r)) : []),
      ...(raw['version'] === 1 && raw['resources'] === undefined
        ? []
        : list(raw, 'resources', 'checkpoint', (e, w) => readResourceSnapshot(e, w, r))),
    ],
    outbox: list(raw, 'outbox', 'checkpoint', (e, w) => readOutboxEntry(e, w, r)),
    deadLetters: list(raw, 'deadLetters', 'checkpoint', (e, w) => readDeadLetter(e, w, r)),
    // Versions 1 and 2 had no histories and no durations: every resource starts without.
    history: raw['version'] === version ? list(raw, 'history', 'checkpoint', (e, w) => readHistory(e, w, r)) : [],
    durations: raw['version'] === version ? list(raw, 'durations', 'checkpoint', (e, w) => readDurations(e, w, r)) : [],
  };
}

/** One resource's history as version 3 writes it (src/kinds/history.ts HistoryItem): checked, its text capped. */
function readHistory(v: unknown, where: string, r: Repairs): HistoryItem {
  const o = obj(v, where);
  const id = str(o, 'id', where);
  const h = list(o, 'h', where, (e, w) => readEncodedEntry(e, w));
  const entries = decodeHistory(h).map((e, i) => {
    const capped = capEntry(e);
    if (capped !== e) repaired(r, `${where}.h[${i}] (text longer than the history keeps, capped)`);
    return capped;
  });
  return historyItem(id, entries);
}

// Times are ms as the clocks give them: the steady clock's are fractional.
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function readEncodedEntry(v: unknown, where: string): EncodedEntry {
  if (!Array.isArray(v) || v.length < 3 || v.length > 4) corrupt(where, 'is not a history entry [status, start, seen, {..}?]');
  const [status, start, seen, rare] = v as unknown[];
  if (typeof status !== 'string') corrupt(`${where}[0]`, 'is not a status');
  if (!isMs(start)) corrupt(`${where}[1]`, 'is not a time in ms');
  if (seen !== null && !isMs(seen)) corrupt(`${where}[2]`, 'is not a time in ms or null');
  if (rare !== undefined) {
    const o = obj(rare, `${where}[3]`);
    if (o['f'] !== undefined && o['f'] !== 1) corrupt(`${where}[3].f`, 'is not 1');
    if (o['w'] !== undefined && !isMs(o['w'])) corrupt(`${where}[3].w`, 'is not a time in ms');
    optStr(o, 'c', `${where}[3]`);
    optStr(o, 'm', `${where}[3]`);
  }
  return v as EncodedEntry;
}

function readDurations(v: unknown, where: string, r: Repairs): Checkpoint['durations'][number] {
  const o = obj(v, where);
  if (!isKindName(o['kind'])) corrupt(`${where}.kind`, 'is not a resource kind');
  const status = str(o, 'status', where);
  return { kind: o['kind'] as KindName, status, seconds: readSeconds(o['seconds'], `${where}.seconds`, r) };
}
