// Pure: the guard of one List's pagination. A List that hands back a nextToken it gave before
// loops; one that pages on past `maxPages` (polling.maxListPages) may never end. Either would
// hold the sweep, and every List, Get and notification behind it, so the List stops there. What
// its pages held is still true: those resources are tracked, the rest of the scope keeps its last
// state, and the scope counts as failed for this sweep.
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { ListResult, PlannedList } from './plan.js';

/** A List stopped by the guard, with the resources its pages held up to there. */
export class ListRunawayError extends Error {
  override readonly name = 'ListRunawayError';
  constructor(
    message: string,
    readonly items: ResourceSnapshot[],
  ) {
    super(message);
  }
}

/**
 * Why the List must stop instead of asking for `nextToken` after `pages` pages, or undefined to
 * go on. `seen` holds the tokens it returned before this one.
 */
export function listRunaway(pages: number, nextToken: string, seen: ReadonlySet<string>, maxPages: number): string | undefined {
  if (seen.has(nextToken)) return `stopped after ${pages} pages: the List returned a nextToken it had returned before`;
  if (pages >= maxPages)
    return `stopped after ${maxPages} pages (polling.maxListPages): the List has more resources than one sweep may read, or it does not end`;
  return undefined;
}

/**
 * What the plan is told of a stopped List: a result without items, so the resources of its
 * scope it did not reach wait as they were (never "gone", never asked one by one), and a result
 * with the items it read, so those are decided like any listed resource (planSweep in plan.ts).
 */
export function stoppedListResults(list: PlannedList, items: ResourceSnapshot[]): ListResult[] {
  return [
    { list, items: undefined },
    { list, items },
  ];
}
