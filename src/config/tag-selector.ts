// A tag selector (`tags:` of a notification target or a discovery entry): which AWS tags a
// resource must carry. The config schema checks selectors; routing (src/notify/tag-route.ts) and
// discovery (src/poll) match resources with them. It lives in config/ because config/ imports no
// subsystem, and both subsystems import it from here.
import { z } from 'zod';
import type { Tags } from '../kinds/tags.js';

/** Matches any value of the key: the key is present. */
export const ANY_TAG_VALUE = '*';

/** A key's wanted value: one value, any of a list, or ANY_TAG_VALUE. */
export type TagSelectorValue = string | readonly string[];

/** Key -> wanted value; a resource matches when every key matches. */
export type TagSelector = Readonly<Record<string, TagSelectorValue>>;

/**
 * Does a resource carrying `tags` match? Every key of the selector must be present with one of
 * its values (any value for '*'). Keys and values compare exactly, as AWS keeps them (case
 * included). A resource whose tags are not known carries none, so it matches no selector.
 */
export function matchesTagSelector(selector: TagSelector, tags: Tags | undefined): boolean {
  for (const [key, want] of Object.entries(selector)) {
    if (tags === undefined || !Object.hasOwn(tags, key)) return false;
    const have = tags[key]!;
    if (typeof want === 'string' ? want !== ANY_TAG_VALUE && want !== have : !want.includes(have)) return false;
  }
  return true;
}

/** The model's TagKey and TagValue bounds. */
const MAX_KEY = 128;
const MAX_VALUE = 256;

const VALUE_MESSAGE = `must be a tag value (a string: quote numbers and booleans, such as '42'), a list of values (any of them) or '${ANY_TAG_VALUE}' (any value)`;

const ITEM_MESSAGE = "must be a tag value (a string: quote numbers and booleans, such as '42')";

/** One key's wanted value, checked with messages that say what is accepted. */
const selectorValue = z.unknown().transform((v, ctx): TagSelectorValue => {
  const problem = (message: string): never => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (typeof v === 'string') return v.length > MAX_VALUE ? problem(`must be at most ${MAX_VALUE} characters (a tag value's limit)`) : v;
  if (!Array.isArray(v)) return problem(VALUE_MESSAGE);
  if (v.length === 0) return problem(`must list at least one value (or '${ANY_TAG_VALUE}' for any value)`);
  v.forEach((item, i) => {
    if (typeof item !== 'string') ctx.addIssue({ code: 'custom', path: [i], message: ITEM_MESSAGE });
    else if (item === ANY_TAG_VALUE)
      ctx.addIssue({ code: 'custom', path: [i], message: `'${ANY_TAG_VALUE}' stands alone: it already matches any value` });
    else if (item.length > MAX_VALUE) ctx.addIssue({ code: 'custom', path: [i], message: `must be at most ${MAX_VALUE} characters` });
  });
  return v as string[];
});

/** A `tags:` selector: a map of at least one tag key (1-128 characters) to its wanted value. */
export const tagSelectorSchema = z
  .record(z.string(), selectorValue, { error: `must be a map of tag keys to values, such as {team: growth}` })
  .superRefine((sel, ctx) => {
    const keys = Object.keys(sel);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one tag key (or remove the key)' });
    for (const k of keys) {
      if (k.length === 0)
        ctx.addIssue({ code: 'custom', message: `has an empty tag key ${JSON.stringify(k)}: tag keys are 1-${MAX_KEY} characters` });
      else if (k.length > MAX_KEY)
        ctx.addIssue({ code: 'custom', path: [k], message: `is longer than ${MAX_KEY} characters (a tag key's limit)` });
    }
  });
