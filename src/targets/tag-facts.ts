// The tags a message shows: those of `tags.keys` (FormatOptions.tagKeys) that the resource carries,
// in the order the config lists them, as facts (title: the key, value: its value). Only listed keys:
// a resource may carry dozens of tags, the message shows the few the operator chose (team, cost
// center). Both are AWS text anyone allowed to tag wrote: the formatter escapes them.
import type { Tags } from '../kinds/tags.js';

export function tagFacts(tags: Tags | undefined, keys: readonly string[] | undefined): Array<{ title: string; value: string }> {
  if (tags === undefined || keys === undefined) return [];
  return keys.filter((k) => Object.hasOwn(tags, k)).map((k) => ({ title: k, value: tags[k]! }));
}
