// The one paging routine: every page of one List, in order, under its guard (list-guard.ts). A
// List that repeats a nextToken or pages on past maxPages stops with a ListRunawayError that
// carries the resources its pages held up to there.
import type { ResourcePage } from '../aws/resource-client.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { listRunaway, ListRunawayError } from './list-guard.js';

/**
 * Calls `fetchPage` with each nextToken (undefined first) until a page carries none; `keep` says
 * what of each page is kept (called once per page, in order). Returns everything kept.
 */
export async function readPages(
  fetchPage: (nextToken: string | undefined) => Promise<ResourcePage>,
  maxPages: number,
  keep: (page: ResourcePage) => Iterable<ResourceSnapshot>,
): Promise<ResourceSnapshot[]> {
  const items: ResourceSnapshot[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(nextToken);
    for (const s of keep(page)) items.push(s);
    nextToken = page.nextToken;
    if (!nextToken) return items;
    const stop = listRunaway(pages, nextToken, seen, maxPages);
    if (stop) throw new ListRunawayError(stop, items);
    seen.add(nextToken);
  }
}
