// The admin listener's read-only routes for people and scripts: the status page (`/`), its
// files (`/static/...`), `GET /api/resources` and `GET /api/resources/{url-encoded id}`. The
// server (server.ts) has already checked the method (GET or HEAD), the Host and the Origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VERSION } from '../version.js';
import type { Assets } from './assets.js';
import { json, jsonError, send } from './respond.js';
import { countViews, parseQuery, select } from './resource-query.js';
import type { ResourceList, ResourceView } from './resource-view.js';
import { PAGE_ROWS, renderErrorPage, renderStatusPage } from './status-page.js';

/** What the routes read: every watched resource, one resource with its history, the time. */
export interface ResourceSource {
  /** Every watched resource (without history) and every watched one never read. */
  resources(): ResourceList;
  /** One resource with its history; undefined when no watched resource has this id. */
  resource(id: string): ResourceView | undefined;
  now(): number;
}

const API = '/api/resources';
/** Echoed ids and paths are cut to this length in error messages. */
const ECHO = 300;
const quote = (s: string) => JSON.stringify(s.length > ECHO ? `${s.slice(0, ECHO)}…` : s);

const html = (res: ServerResponse, status: number, body: string) => send(res, status, body, 'text/html; charset=utf-8');

/** Why no resource answers to `id`: watched but never read (with its last error), or not watched. */
function notFound(src: ResourceSource, id: string): string {
  const unseen = src.resources().unseen.find((u) => u.id === id);
  if (!unseen) return `no watched resource has the id ${quote(id)}`;
  const why = unseen.lastError ? `; its last read failed (${unseen.lastError.outcome}): ${unseen.lastError.message}` : '';
  return `the resource ${quote(id)} is watched but has not been read yet${why}`;
}

/** The id of `/api/resources/{id}`: one path segment, percent-decoded; an error names what is wrong. */
export function idOfPath(rest: string): { id: string } | { error: string } {
  if (rest === '') return { error: `the id is missing: GET ${API}/{url-encoded id}` };
  if (rest.includes('/'))
    return {
      error: `the id must be one path segment, URL-encoded ('/' as %2F, ':' as %3A; encodeURIComponent in JavaScript, jq's @uri): got ${quote(rest)}`,
    };
  try {
    return { id: decodeURIComponent(rest) };
  } catch {
    return { error: `malformed percent-encoding in the id: ${quote(rest)}` };
  }
}

async function page(src: ResourceSource, res: ServerResponse, search: string): Promise<void> {
  const parsed = parseQuery(search, ['q', 'kind', 'class', 'id']);
  if (!parsed.ok) return html(res, 400, renderErrorPage(400, parsed.error));
  const { filter, id } = parsed.value;
  const generatedAt = new Date(src.now()).toISOString();
  if (id !== undefined) {
    const detail = src.resource(id);
    if (!detail) return html(res, 404, renderErrorPage(404, notFound(src, id)));
    return html(res, 200, renderStatusPage({ version: VERSION, generatedAt, filter, detail }));
  }
  const all = src.resources();
  const { resources, matched } = select(all.resources, filter, PAGE_ROWS);
  const list = { resources, matched, counts: countViews(all.resources), unseen: all.unseen };
  return html(res, 200, renderStatusPage({ version: VERSION, generatedAt, filter, list }));
}

async function asset(assets: Assets, req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const a = await assets.get(name);
  if (!a) return send(res, 404, 'not found: /static/ holds page.js, page.css and favicon.svg\n');
  // no-cache: kept, but revalidated on every use (a new release changes the file under the same name).
  const headers = { etag: a.etag, 'cache-control': 'no-cache' };
  if (req.headers['if-none-match'] === a.etag) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { 'content-type': a.type, 'content-length': String(a.body.length), ...headers });
  res.end(a.body);
}

function list(src: ResourceSource, res: ServerResponse, search: string): void {
  const parsed = parseQuery(search, ['q', 'kind', 'class', 'limit']);
  if (!parsed.ok) return jsonError(res, 400, parsed.error);
  const all = src.resources();
  const { resources, matched } = select(all.resources, parsed.value.filter, parsed.value.limit);
  return json(res, 200, {
    generatedAt: new Date(src.now()).toISOString(),
    resources,
    matched,
    counts: countViews(all.resources),
    unseen: all.unseen,
  });
}

function one(src: ResourceSource, res: ServerResponse, rest: string, search: string): void {
  const parsed = parseQuery(search, []);
  if (!parsed.ok) return jsonError(res, 400, parsed.error);
  const got = idOfPath(rest);
  if ('error' in got) return jsonError(res, 400, got.error);
  const view = src.resource(got.id);
  if (!view) return jsonError(res, 404, notFound(src, got.id));
  return json(res, 200, view);
}

/**
 * A handler of the routes above; resolves false for any other path. `path` is the raw path (not
 * decoded: the id is one encoded segment and is decoded here), `search` the query without `?`.
 */
export function resourceRoutes(
  src: ResourceSource,
  assets: Assets,
): (req: IncomingMessage, res: ServerResponse, path: string, search: string) => Promise<boolean> {
  return async (req, res, path, search) => {
    if (path === '/') await page(src, res, search);
    else if (path.startsWith('/static/')) await asset(assets, req, res, path.slice('/static/'.length));
    else if (path === API) list(src, res, search);
    else if (path.startsWith(`${API}/`)) one(src, res, path.slice(API.length + 1), search);
    else return false;
    return true;
  };
}
