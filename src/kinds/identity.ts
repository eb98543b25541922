// Stable identities, made by the rule each kind declares (`identity` in src/kinds/<kind>.ts). A
// kind with an ARN is identified by it (plus the version where versions share their model's
// ARN). A kind without one is identified under its parent resource: the parent's own id, its
// name and its createTime, required members of its List item that never change once it exists.
// `#` cannot occur in an ARN (the model's patterns allow [-a-zA-Z0-9_/.] after the resource
// type) and the name is percent-encoded, so distinct resources never share an id.
import { formatIsoTimestamp } from '../timestamps.js';
import { KINDS } from './index.js';
import type { KindDecl, ParentKey } from './kind.js';

/** The identifying facts of one resource, as read from the wire. */
export interface IdentityParts {
  arn?: string;
  versionIdentifier?: string;
  parents: Partial<Record<ParentKey, string>>;
  name: string;
  /** Epoch ms. */
  createTime: number;
}

export function resourceId(kind: KindDecl, p: IdentityParts): string {
  const rule = kind.identity;
  if (rule.from === 'arn') {
    if (p.arn === undefined) throw new Error(`${kind.kind}: an ARN is required for its identity`);
    return p.versionIdentifier !== undefined ? `${p.arn}#version=${p.versionIdentifier}` : p.arn;
  }
  const parent = kind.parents[rule.parent]?.id;
  if (parent?.type !== 'resource') throw new Error(`${kind.kind}: its identity parent ${rule.parent} is not a resource`);
  const arn = p.parents[rule.parent];
  if (arn === undefined) throw new Error(`${kind.kind}: its parent ARN is required for its identity`);
  const version = parent.version !== undefined ? p.parents[parent.version] : undefined;
  const parentId = resourceId(KINDS[parent.kind], {
    arn,
    ...(version !== undefined ? { versionIdentifier: version } : {}),
    parents: {},
    name: '',
    createTime: 0,
  });
  return `${parentId}#${rule.segment}=${encodeURIComponent(p.name)}@${formatIsoTimestamp(p.createTime)}`;
}
