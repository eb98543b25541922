// Where the AWS tags of a resource come from, read from its kind's declaration (`tags` in
// src/kinds/<kind>.ts): its own Get, when the Get of the view it is read through carries them
// (audience generation jobs, audience models, and in the member view trained models, inference
// jobs and ML input channels), else the parent resource it inherits them from (an export job: the
// job or model it exports; an inference job seen through the collaboration: its trained model),
// while that parent is watched. Other members' resources read through a collaboration view have no
// tags: their Get is not ours to read them with.
import { resourceId } from './identity.js';
import { KINDS } from './index.js';
import type { GetDecl, KindDecl, ListDecl, View } from './kind.js';
import type { ResourceSnapshot } from './resource.js';

/** Tags as AWS returns them: key -> value. */
export type Tags = Readonly<Record<string, string>>;

/** Does this operation's output carry the kind's tags? */
export function operationCarriesTags(kind: KindDecl, op: GetDecl | ListDecl): boolean {
  return kind.tags.member !== undefined && op.members.includes(kind.tags.member);
}

/** Does the Get of `view` carry the kind's tags (so that reading the resource reads them)? */
export function getCarriesTags(kind: KindDecl, view: View): boolean {
  const get = kind.get[view];
  return get !== undefined && operationCarriesTags(kind, get);
}

/**
 * The ids of the resource a resource takes its tags from, most precise first: the trained model
 * version it names, then that model's base version. None when the Get of its view carries its
 * own tags, or its kind inherits from no parent.
 */
export function tagParentIds(s: Pick<ResourceSnapshot, 'kind' | 'view' | 'parents'>): string[] {
  const kind = KINDS[s.kind];
  const key = kind.tags.inherit;
  if (key === undefined || getCarriesTags(kind, s.view)) return [];
  const parent = kind.parents[key]?.id;
  const arn = s.parents[key];
  if (parent?.type !== 'resource' || arn === undefined) return [];
  const parentKind = KINDS[parent.kind];
  const base = resourceId(parentKind, { arn, parents: {}, name: '', createTime: 0 });
  const version = parent.version !== undefined ? s.parents[parent.version] : undefined;
  if (version === undefined || parentKind.versionMember === undefined) return [base];
  return [resourceId(parentKind, { arn, versionIdentifier: version, parents: {}, name: '', createTime: 0 }), base];
}

/** The same tags (as sets of key and value)? */
export function sameTags(a: Tags | undefined, b: Tags | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/**
 * `next` with its own tags settled: a read whose operation carries them (`tags` set, no
 * `tagsReadAt` yet) is stamped read at `now`; a read that carries none (a List item) keeps the
 * tags last read and when. Inherited tags are the caller's (they need the parent).
 */
export function stampOwnTags(prev: ResourceSnapshot | undefined, next: ResourceSnapshot, now: number): ResourceSnapshot {
  if (next.tags !== undefined) return next.tagsReadAt === undefined && next.tagsFrom === undefined ? { ...next, tagsReadAt: now } : next;
  if (prev?.tags === undefined || prev.tagsReadAt === undefined) return next;
  return { ...next, tags: prev.tags, tagsReadAt: prev.tagsReadAt };
}

/**
 * `s` carrying `tags` inherited from the resource `from` (undefined: no watched parent, so no
 * tags known); the same object when nothing changes.
 */
export function withInheritedTags(s: ResourceSnapshot, tags: Tags | undefined, from: string | undefined): ResourceSnapshot {
  if (tags === undefined || from === undefined) {
    if (s.tags === undefined && s.tagsFrom === undefined) return s;
    const { tags: _t, tagsFrom: _f, tagsReadAt: _r, ...rest } = s;
    return rest;
  }
  if (s.tagsFrom === from && sameTags(s.tags, tags)) return s;
  const { tagsReadAt: _r, ...rest } = s;
  return { ...rest, tags: { ...tags }, tagsFrom: from };
}
