// Identifiers the simulator uses when a resource definition leaves them out, and the ARNs it
// makes for a kind (the kind's declared ARN resource type, under a membership where its
// pattern has one).
import type { KindDecl, ParentKey } from '../../kinds/kind.js';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_COLLABORATION_ID = '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f';
export const DEFAULT_MEMBERSHIP_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const DEFAULT_MODEL_ARN = `arn:aws:cleanrooms-ml:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}:configured-audience-model/2b1a0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d`;

interface ArnPlace {
  region?: string;
  account?: string;
  /** The membership of a membership-scoped ARN. */
  membership?: string;
}

/** An ARN of the resource type `type` in the account, under `membership` when given. */
export function arnOfType(type: string, id: string, at: ArnPlace = {}): string {
  const prefix = `arn:aws:cleanrooms-ml:${at.region ?? DEFAULT_REGION}:${at.account ?? DEFAULT_ACCOUNT_ID}`;
  return at.membership !== undefined ? `${prefix}:membership/${at.membership}/${type}/${id}` : `${prefix}:${type}/${id}`;
}

/** Whether the kind's ARN pattern puts it under a membership. */
function underMembership(kind: KindDecl): boolean {
  return kind.arn?.pattern.source.includes(':membership\\/') === true;
}

/** An ARN of `kind` (it must have one) with the given id, in the default membership when it is membership-scoped. */
export function arnOf(kind: KindDecl, id: string, at: ArnPlace = {}): string {
  if (!kind.arn) throw new Error(`${kind.kind} has no ARN`);
  return arnOfType(
    kind.arn.resourceType,
    id,
    underMembership(kind) ? { membership: DEFAULT_MEMBERSHIP_ID, ...at } : { ...at, membership: undefined },
  );
}

/** The membership embedded in a membership-scoped ARN. */
export function membershipOf(arn: string): string | undefined {
  return /:membership\/([0-9a-f-]{36})\//.exec(arn)?.[1];
}

/**
 * Parents a resource definition may leave out, by parent key: the simulator's collaboration,
 * membership and configured audience model, and resources no kind's declaration makes up.
 */
export const DEFAULT_PARENTS: Readonly<Partial<Record<ParentKey, (membership: string) => string>>> = {
  collaborationId: () => DEFAULT_COLLABORATION_ID,
  membershipId: () => DEFAULT_MEMBERSHIP_ID,
  configuredAudienceModelArn: () => DEFAULT_MODEL_ARN,
  trainingDatasetArn: () => arnOfType('training-dataset', 'default-training-dataset'),
  configuredModelAlgorithmAssociationArn: (m) =>
    arnOfType('configured-model-algorithm-association', 'default-association', { membership: m }),
};
