// Stable identities. A kind with an ARN is identified by it (plus the version for trained
// models: versions share their model's ARN). The two kinds without an ARN are identified by
// their parent's ARN (and version), their name and their createTime: required members of their
// List item that never change once the resource exists. `#` cannot occur in an ARN (the
// model's patterns allow [-a-zA-Z0-9_/.] after the resource type) and the name is
// percent-encoded, so distinct resources never share an id.
import { formatIsoTimestamp } from '../timestamps.js';
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
  if (kind.arn) {
    if (p.arn === undefined) throw new Error(`${kind.kind}: an ARN is required for its identity`);
    return p.versionIdentifier !== undefined ? `${p.arn}#version=${p.versionIdentifier}` : p.arn;
  }
  const exportOf = (parent: string | undefined, version: string | undefined): string => {
    if (parent === undefined) throw new Error(`${kind.kind}: its parent ARN is required for its identity`);
    const v = version !== undefined ? `#version=${version}` : '';
    return `${parent}${v}#export=${encodeURIComponent(p.name)}@${formatIsoTimestamp(p.createTime)}`;
  };
  switch (kind.kind) {
    case 'audienceExportJob':
      return exportOf(p.parents.audienceGenerationJobArn, undefined);
    case 'trainedModelExportJob':
      return exportOf(p.parents.trainedModelArn, p.parents.trainedModelVersionIdentifier);
    default:
      throw new Error(`${kind.kind}: no identity rule`);
  }
}
