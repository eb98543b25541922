// Which kinds a discovery entry can list, and with which List and parameters. Pure, from the
// declarations (each kind's Lists and parents): config validation and the sweep spec use the
// same rule, and no kind is named here.
//
// An entry names a scope: a membership (membershipId), a collaboration seen by every member
// (view: collaboration with collaborationId), or the account (the account-wide Lists, filtered
// by collaborationId and configuredAudienceModelArn where the List takes them). A kind is
// listable when one of its Lists of the entry's view has every path parameter the entry names.
// Without `kinds`, an entry lists every kind its scope narrows: the membership or collaboration
// Lists, and the account Lists that take one of the entry's filters (so an entry of only
// collaborationId or configuredAudienceModelArn lists the kinds whose account List takes it).
//
// A List that takes the ARN of a parent resource (a parent of type `resource` in the kind's
// declaration) which the entry cannot fill is called once per known resource of that parent's
// kind (per-parent Lists): an account List filtered by the parent (only when the entry names the
// kind), a List under the parent whose other path parameters the entry fills, and, for a kind
// that is its own parent (versions under their model), the List of each resource's versions.
import { ALL_KINDS, KINDS } from './index.js';
import type { KindDecl, KindName, ListDecl, OperationParams, ParentKey, ParamDecl, View } from './kind.js';

/** The scope-defining keys of a discovery entry. */
export interface DiscoveryEntryScope {
  membershipId?: string | undefined;
  collaborationId?: string | undefined;
  configuredAudienceModelArn?: string | undefined;
  view?: View | undefined;
  kinds?: readonly KindName[] | undefined;
}

export interface EntryList {
  kind: KindDecl;
  list: ListDecl;
  /** Path parameters and filters of the List. */
  params: OperationParams;
  /** Whether the entry narrows this List (membership, collaboration, or a filter it takes). */
  scoped: boolean;
  /**
   * The List is called once per parent resource the monitor knows (export jobs: one List per
   * trained model of the entry's collaboration, or per audience generation job of the entry):
   * `params` then lack the parent's ARN, added per parent.
   */
  perParent?: PerParent;
}

/** Which parents a per-parent List is called for. */
export interface PerParent {
  /** The parameter the parent's ARN fills. */
  readonly key: ParentKey;
  /** The parent's kind. */
  readonly kind: KindName;
  /** Parents whose own parents have these values (the entry's scope); empty: every known parent. */
  readonly match: OperationParams;
}

/** The kind of the resource whose ARN fills this parameter, when it is a parent resource of `kind`. */
function parentKind(kind: KindDecl, p: ParamDecl): KindName | undefined {
  const id = Object.hasOwn(kind.parents, p.from) ? kind.parents[p.from as ParentKey]?.id : undefined;
  return id?.type === 'resource' ? id.kind : undefined;
}

/** The values of `have` that are parents of resources of `kind`: which parents a per-parent List is called for. */
function parentsOfKind(kind: KindName, have: OperationParams): OperationParams {
  const match: OperationParams = {};
  for (const [k, v] of Object.entries(have)) if (Object.hasOwn(KINDS[kind].parents, k)) match[k as ParentKey] = v;
  return match;
}

/** The List of `kind` the entry can call, or why it cannot list the kind. */
export function entryList(e: DiscoveryEntryScope, kind: KindDecl): EntryList | { reason: string } {
  const view = e.view ?? 'member';
  const have: OperationParams = {};
  if (e.membershipId !== undefined) have.membershipId = e.membershipId;
  if (e.collaborationId !== undefined) have.collaborationId = e.collaborationId;
  if (e.configuredAudienceModelArn !== undefined) have.configuredAudienceModelArn = e.configuredAudienceModelArn;
  for (const list of kind.lists) {
    if (list.view !== view) continue;
    if (!list.pathParams.every((p) => have[p.from] !== undefined)) continue;
    // An account List filtered by a parent resource's ARN (export jobs by the job they export):
    // called per parent of the entry (its filters select the parents), so an entry of one
    // collaboration watches the export jobs of its own jobs only. Only when the entry names the
    // kind: for 10,000 parents it is one List per parent per terminalInterval.
    const byParent = list.queryParams.find((q) => parentKind(kind, q) !== undefined);
    if (list.scope === 'account' && byParent !== undefined && have[byParent.from] === undefined) {
      const of = parentKind(kind, byParent)!;
      return {
        kind,
        list,
        params: {},
        scoped: false,
        perParent: { key: byParent.from as ParentKey, kind: of, match: parentsOfKind(of, have) },
      };
    }
    const params: OperationParams = {};
    for (const p of list.pathParams) params[p.from] = have[p.from]!;
    let filtered = false;
    for (const q of list.queryParams) {
      if (have[q.from] !== undefined) {
        params[q.from] = have[q.from]!;
        filtered = true;
      }
    }
    return { kind, list, params, scoped: list.scope !== 'account' || filtered };
  }
  // A List under a parent resource of another kind (the export jobs of a trained model): one per
  // known parent whose other path parameters the entry fills (the trained models of the entry's
  // collaboration). By default only where the List is of the entry's view; named in `kinds`,
  // from any view (the only one such a kind may have).
  for (const list of kind.lists) {
    const under = list.pathParams.filter((p) => parentKind(kind, p) !== undefined && parentKind(kind, p) !== kind.kind);
    if (under.length !== 1 || !list.pathParams.every((p) => p === under[0] || have[p.from] !== undefined)) continue;
    const params: OperationParams = {};
    for (const p of list.pathParams) if (p !== under[0]) params[p.from] = have[p.from]!;
    return {
      kind,
      list,
      params,
      scoped: list.view === view,
      perParent: {
        key: under[0]!.from as ParentKey,
        kind: parentKind(kind, under[0]!)!,
        match: parentsOfKind(parentKind(kind, under[0]!)!, params),
      },
    };
  }
  // Lists under another resource (versions of a model, export jobs of a model) are not an entry's to name.
  const needs = kind.lists
    .filter((l) => l.view === view && l.pathParams.every((p) => p.from === 'membershipId' || p.from === 'collaborationId'))
    .map((l) => l.pathParams.map((p) => p.from).join(' and '))
    .filter((s) => s.length > 0);
  if (needs.length === 0) {
    const under = kind.lists.some((l) => l.view === view);
    return {
      reason: under
        ? `${kind.kind} is listed per parent resource only, not by a discovery entry`
        : `${kind.kind} has no ${view === 'collaboration' ? 'collaboration view' : 'member List'}`,
    };
  }
  return {
    reason: `${kind.kind} is listed with ${[...new Set(needs)].join(' or ')}${view === 'collaboration' ? ' (view: collaboration)' : ''}; this entry does not name it`,
  };
}

/**
 * The Lists of a kind under each of its resources (the versions of a trained model): where the
 * entry lists the kind, one per known resource of it, so versions other than the latest (which
 * the kind's own List shows) are watched from List pages too.
 */
function selfLists(e: DiscoveryEntryScope, primary: EntryList): EntryList[] {
  const view = e.view ?? 'member';
  const out: EntryList[] = [];
  for (const list of primary.kind.lists) {
    if (list === primary.list || list.view !== view) continue;
    const own = list.pathParams.filter((p) => parentKind(primary.kind, p) === primary.kind.kind);
    if (own.length !== 1 || !list.pathParams.every((p) => p === own[0] || primary.params[p.from] !== undefined)) continue;
    const params: OperationParams = {};
    for (const p of list.pathParams) if (p !== own[0]) params[p.from] = primary.params[p.from]!;
    const match: OperationParams = {};
    for (const [k, v] of Object.entries(params)) if (Object.hasOwn(primary.kind.parents, k)) match[k as ParentKey] = v;
    out.push({
      kind: primary.kind,
      list,
      params,
      scoped: primary.scoped,
      perParent: { key: own[0]!.from as ParentKey, kind: primary.kind.kind, match },
    });
  }
  return out;
}

/** The Lists of an entry: its `kinds`, or by default every kind its scope narrows. */
export function entryLists(e: DiscoveryEntryScope): EntryList[] {
  const out: EntryList[] = [];
  for (const kind of ALL_KINDS) {
    const l = entryList(e, kind);
    if ('reason' in l) continue;
    if (e.kinds !== undefined ? e.kinds.includes(kind.kind) : l.scoped) out.push(l, ...(l.perParent ? [] : selfLists(e, l)));
  }
  return out;
}
