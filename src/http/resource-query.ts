// The filters of the status page and of `GET /api/resources` (`?q=`, `?kind=`, `?class=`), read
// strictly from a query string, and what they select. Pure. The page's script sends its filters to
// the API instead of filtering by itself, so what a filter means is decided here only.
import { isKindName, KINDS, STATUS_CLASSES, type KindName, type StatusClass } from '../kinds/index.js';
import type { ResourceView } from './resource-view.js';

export interface ResourceFilter {
  /** Words that must all occur (case-insensitive) in a resource's kind, name, id, status, failure or tags. */
  q?: string;
  kind?: KindName;
  class?: StatusClass;
}

export type QueryParam = 'q' | 'kind' | 'class' | 'id' | 'limit';

export interface ParsedQuery {
  filter: ResourceFilter;
  /** The page: the resource whose history to show. */
  id?: string;
  /** The API: at most this many resources (the first in order). */
  limit?: number;
}

export type QueryResult = { ok: true; value: ParsedQuery } | { ok: false; error: string };

/** Longest free text: a search box, not a place for documents. */
export const MAX_Q = 200;
/** The most resources one answer holds when `limit` is given. */
export const MAX_LIMIT = 100_000;

/** Percent-decoding of one query component (`+` is a space, as HTML forms send it); undefined when malformed. */
function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * The query string (without `?`) as filters. Every mistake is an error that names it: an unknown
 * parameter, one given twice, a malformed percent-encoding, an unknown kind or class, a limit that
 * is no whole number in range. An empty value is the same as none (a GET form sends every field).
 */
export function parseQuery(search: string, accepted: readonly QueryParam[]): QueryResult {
  const seen = new Map<string, string>();
  for (const part of search.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq === -1 ? part : part.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined)
      return { ok: false, error: `malformed percent-encoding in the query: ${JSON.stringify(part.slice(0, 80))}` };
    if (!(accepted as readonly string[]).includes(key))
      return { ok: false, error: `unknown query parameter ${JSON.stringify(key.slice(0, 80))}; this path takes ${accepted.join(', ')}` };
    if (seen.has(key)) return { ok: false, error: `query parameter ${key} given twice` };
    seen.set(key, value);
  }
  const filter: ResourceFilter = {};
  const value: ParsedQuery = { filter };
  const q = seen.get('q')?.trim();
  if (q) {
    if (q.length > MAX_Q) return { ok: false, error: `q is longer than ${MAX_Q} characters` };
    filter.q = q;
  }
  const kind = seen.get('kind');
  if (kind) {
    if (!isKindName(kind))
      return { ok: false, error: `unknown kind ${JSON.stringify(kind.slice(0, 80))}; kinds: ${Object.keys(KINDS).join(', ')}` };
    filter.kind = kind;
  }
  const cls = seen.get('class');
  if (cls) {
    if (!(STATUS_CLASSES as readonly string[]).includes(cls))
      return { ok: false, error: `unknown class ${JSON.stringify(cls.slice(0, 80))}; classes: ${STATUS_CLASSES.join(', ')}` };
    filter.class = cls as StatusClass;
  }
  const id = seen.get('id');
  if (id) value.id = id;
  const limit = seen.get('limit');
  if (limit) {
    const n = /^[0-9]{1,7}$/.test(limit) ? Number(limit) : Number.NaN;
    if (!(n >= 1 && n <= MAX_LIMIT))
      return { ok: false, error: `limit must be a whole number from 1 to ${MAX_LIMIT}, not ${JSON.stringify(limit.slice(0, 80))}` };
    value.limit = n;
  }
  return { ok: true, value };
}

/** The text a free-text search looks in, lower-cased. */
function haystack(v: ResourceView): string {
  const parts = [v.kind, KINDS[v.kind]?.title ?? '', v.name, v.id, v.status, v.failure?.statusCode ?? '', v.failure?.message ?? ''];
  for (const [k, val] of Object.entries(v.tags ?? {})) parts.push(`${k}=${val}`);
  return parts.join('\n').toLowerCase();
}

export function matches(v: ResourceView, f: ResourceFilter): boolean {
  if (f.kind !== undefined && v.kind !== f.kind) return false;
  if (f.class !== undefined && v.statusClass !== f.class) return false;
  if (f.q === undefined) return true;
  const text = haystack(v);
  return f.q
    .toLowerCase()
    .split(/\s+/)
    .every((word) => text.includes(word));
}

export interface Counts {
  total: number;
  byClass: Record<StatusClass, number>;
  byKind: Partial<Record<KindName, number>>;
}

/** How many resources of each class and kind there are (before any filter): the page's summary and its filter labels. */
export function countViews(views: readonly ResourceView[]): Counts {
  const byClass = Object.fromEntries(STATUS_CLASSES.map((c) => [c, 0])) as Record<StatusClass, number>;
  const byKind: Partial<Record<KindName, number>> = {};
  for (const v of views) {
    byClass[v.statusClass]++;
    byKind[v.kind] = (byKind[v.kind] ?? 0) + 1;
  }
  return { total: views.length, byClass, byKind };
}

/** The resources a filter selects, in order, at most `limit` of them; `matched` counts them all. */
export function select(views: readonly ResourceView[], f: ResourceFilter, limit?: number): { resources: ResourceView[]; matched: number } {
  const hit = views.filter((v) => matches(v, f));
  return { resources: limit === undefined ? hit : hit.slice(0, limit), matched: hit.length };
}

/** The query string of a filter (and a resource), for links that keep the filters: `?q=..&kind=..`. */
export function queryString(f: ResourceFilter, id?: string): string {
  const p: string[] = [];
  if (id !== undefined) p.push(`id=${encodeURIComponent(id)}`);
  if (f.q !== undefined) p.push(`q=${encodeURIComponent(f.q)}`);
  if (f.kind !== undefined) p.push(`kind=${f.kind}`);
  if (f.class !== undefined) p.push(`class=${f.class}`);
  return p.length === 0 ? '' : `?${p.join('&')}`;
}
