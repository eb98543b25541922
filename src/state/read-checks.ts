// The checks every reader of the state files shares: a value of the wrong shape is corruption
// (StateCorruptError, naming where), a bad value that can go without harm is repaired and counted.
import { capText } from '../aws/cap-text.js';

export class StateCorruptError extends Error {}

/** Values repaired while reading (dropped metrics, capped text): counted, first one named. */
export interface Repairs {
  count: number;
  first?: string;
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function corrupt(where: string, what: string): never {
  throw new StateCorruptError(`${where} ${what}`);
}

export function repaired(r: Repairs, what: string): void {
  r.count++;
  r.first ??= what;
}

export function obj(v: unknown, where: string): Obj {
  if (!isObj(v)) corrupt(where, 'is not an object');
  return v;
}

export function str(o: Obj, k: string, where: string): string {
  const v = o[k];
  if (typeof v !== 'string') corrupt(`${where}.${k}`, 'is not a string');
  return v;
}

export function num(o: Obj, k: string, where: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) corrupt(`${where}.${k}`, 'is not a finite number');
  return v;
}

/** Free text: must be a string; capped in place. */
export function text(o: Obj, k: string, where: string, r: Repairs): void {
  const v = str(o, k, where);
  const c = capText(v);
  if (c !== v) {
    o[k] = c;
    repaired(r, `${where}.${k} (${v.length} characters, capped)`);
  }
}

export function optText(o: Obj, k: string, where: string, r: Repairs): void {
  if (o[k] !== undefined) text(o, k, where, r);
}

export function optStr(o: Obj, k: string, where: string): void {
  if (o[k] !== undefined) str(o, k, where);
}

/**
 * The members every stored snapshot has about its status, checked and repaired in place:
 * `detail` (unknown is taken as a summary, so the poller reads the full resource again),
 * `statusSince` (only feeds a timestamp gauge: a bad one is dropped and falls back to
 * updateTime) and the free text of `statusDetails`.
 */
export function statusMembers(o: Obj, where: string, r: Repairs): void {
  if (o['detail'] !== 'full' && o['detail'] !== 'summary') {
    o['detail'] = 'summary';
    repaired(r, `${where}.detail`);
  }
  if (o['statusSince'] !== undefined && !(typeof o['statusSince'] === 'number' && Number.isFinite(o['statusSince']))) {
    delete o['statusSince'];
    repaired(r, `${where}.statusSince`);
  }
  if (o['statusDetails'] !== undefined) {
    const sd = obj(o['statusDetails'], `${where}.statusDetails`);
    optText(sd, 'statusCode', `${where}.statusDetails`, r);
    optText(sd, 'message', `${where}.statusDetails`, r);
  }
}
